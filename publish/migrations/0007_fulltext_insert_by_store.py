"""SQLite: new search documents are added to the FTS5 index by publish.search.store_documents (one statement per
batch) instead of a trigger per row; deletes and updates keep their triggers."""

from django.db import migrations

from publish import fulltext


class Migration(migrations.Migration):
    dependencies = [("publish", "0006_seed_themes")]

    operations = [migrations.RunPython(fulltext.drop_insert_trigger, fulltext.restore_insert_trigger)]
