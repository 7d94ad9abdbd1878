"""Revisions for an import: what catalog.bulk.save_revisions_in_bulk writes, with the item pointers set by one
executemany UPDATE instead of Django's bulk_update.

bulk_update builds one CASE WHEN per field over the whole batch; on 100,000 items that alone took longer than
everything else in the write (measured: 3.3 s per 1,000 items on SQLite). A parametrised UPDATE per row, sent
with executemany, does the same in milliseconds. Proposed for catalog/bulk.py itself (see docs/benchmarks.md).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry, Revision

from catalog.models import ServiceItem


@transaction.atomic
def save_revisions(items: list[ServiceItem], user=None, publish=False, batch_size=2000) -> list[Revision]:
    content_type = ContentType.objects.get_for_model(ServiceItem)
    now = timezone.now()
    revisions = Revision.objects.bulk_create(
        [
            Revision(content_type=content_type, base_content_type=content_type, object_id=str(item.pk), user=user,
                     created_at=now, object_str=str(item), content=item.serializable_data())
            for item in items
        ],
        batch_size=batch_size,
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    quote = connection.ops.quote_name
    rows = []
    for item, revision in zip(items, revisions, strict=True):
        item.latest_revision = revision
        if publish:
            first = item.first_published_at or now
            item.live, item.live_revision, item.has_unpublished_changes = True, revision, False
            item.first_published_at, item.last_published_at = first, now
            rows.append((revision.pk, False, True, revision.pk, connection.ops.adapt_datetimefield_value(first),
                         stamp, item.pk))
        else:
            item.has_unpublished_changes = True
            rows.append((revision.pk, True, item.pk))
    columns = ["latest_revision_id", "has_unpublished_changes"]
    if publish:
        columns += ["live", "live_revision_id", "first_published_at", "last_published_at"]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(ServiceItem._meta.db_table), ", ".join(f"{quote(c)} = %s" for c in columns), quote("id")
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])
    ModelLogEntry.objects.bulk_create(
        [
            ModelLogEntry(content_type=content_type, object_id=str(item.pk), label=str(item)[:255],
                          action="wagtail.publish" if publish else "wagtail.edit", timestamp=now, user=user,
                          revision=revision, data={})
            for item, revision in zip(items, revisions, strict=True)
        ],
        batch_size=batch_size,
    )
    return revisions
