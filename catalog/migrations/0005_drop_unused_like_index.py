"""PostgreSQL: the LIKE index Django adds beside the unique implementation code. Codes are looked up whole (the
import, the guide's address, the API), never by prefix, and the index cost the server 0.08 s per 100,000 items
imported. publish 0010 drops the same indexes of the search documents and term frequencies.

A later AlterField of the column may create it again: drop it again then."""

from django.db import migrations

LIKE_INDEX = "catalog_serviceitem_implementation_code_2afdb251_like"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {LIKE_INDEX}")


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {LIKE_INDEX}"
                              " ON catalog_serviceitem (implementation_code varchar_pattern_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0004_trim_bulk_indexes"),
    ]

    operations = [migrations.RunPython(drop, restore)]
