"""SQLite: new search documents are added to the FTS5 index by the backend that writes them (one statement per
batch) instead of a trigger per row; deletes and updates keep their triggers."""

from django.db import migrations

from publish.search import schema


class Migration(migrations.Migration):
    dependencies = [("publish", "0006_seed_themes")]

    operations = [migrations.RunPython(schema.drop_insert_trigger, schema.restore_insert_trigger)]
