"""The type of a search document filters the matches of a query, never the whole table: no index of its own.

Dropped by name: AlterField would copy the table on SQLite, and the copy loses the full-text index's triggers."""

from django.db import migrations, models


LIKE_INDEX = "publish_searchdocument_item_type_7a0fd4be_like"


def drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {LIKE_INDEX}")


def restore_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX {LIKE_INDEX} ON publish_searchdocument (item_type varchar_pattern_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ('publish', '0007_fulltext_insert_by_store'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="searchdocument",
                    name="item_type",
                    field=models.CharField(max_length=2, verbose_name="事项类型"),
                ),
            ],
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS publish_searchdocument_item_type_7a0fd4be",
                                  "CREATE INDEX publish_searchdocument_item_type_7a0fd4be"
                                  " ON publish_searchdocument (item_type)"),
                migrations.RunPython(drop_like_index, restore_like_index),  # PostgreSQL's, for LIKE
            ],
        ),
    ]
