from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]
    operations = []
