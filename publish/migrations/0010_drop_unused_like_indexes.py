"""PostgreSQL: the LIKE indexes Django adds beside a unique text column, on the search documents' code and the term
frequencies' term. No query matches either by prefix (codes and terms are looked up whole, suggestions come from the
documents' titles), and each cost the server 0.08 s per 100,000 rows of an import, the terms' in its last step.

catalog 0005 drops the same index on the items' implementation code. A later AlterField of these columns may
create them again: drop them again then."""

from django.db import migrations

LIKE_INDEXES = {
    "publish_searchdocument_code_a3135318_like": "publish_searchdocument (code varchar_pattern_ops)",
    "publish_termfrequency_term_9c31630e_like": "publish_termfrequency (term varchar_pattern_ops)",
}


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in LIKE_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, target in LIKE_INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


class Migration(migrations.Migration):

    dependencies = [
        ("publish", "0009_written_search_vector"),
    ]

    operations = [migrations.RunPython(drop, restore)]
