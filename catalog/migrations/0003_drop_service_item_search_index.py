"""Delete the admin search index rows of service items.

ServiceItem is no longer indexed by Wagtail's search backend (the admin searches with icontains: the backend does
not segment Chinese, DESIGN decision 3), so its IndexEntry rows would only sit there, stale. The delete is raw
(one DELETE, no collector), as the SQLite backend itself deletes entries: on SQLite the FTS5 table
wagtailsearch_indexentry_fts follows through the AFTER DELETE trigger the wagtailsearch migration installed.
Not undone: `manage.py update_index` rebuilds an index if one is ever wanted again.
"""

from django.db import migrations


def delete_index_entries(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    IndexEntry = apps.get_model("wagtailsearch", "IndexEntry")
    db = schema_editor.connection.alias
    content_type = ContentType.objects.using(db).filter(app_label="catalog", model="serviceitem").first()
    if content_type is None:
        return  # a fresh database: nothing was ever indexed
    IndexEntry.objects.using(db).filter(content_type_id=content_type.pk)._raw_delete(using=db)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_longer_basic_codes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(delete_index_entries, migrations.RunPython.noop)]
