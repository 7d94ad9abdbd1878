"""Revisions for many items at once.

Wagtail's save_revision() and publish() cost several queries per item; loading a province's list that way takes
minutes (DESIGN decision 1). These functions write the same rows — a Revision per item, the item's revision
pointers, one log entry per item — in a few bulk statements. The result is what save_revision().publish() leaves.
The demo loader uses these on model instances; the spreadsheet import writes from plain content (catalog.writer).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations, get_field_value
from wagtail.models import ModelLogEntry, Revision

from bulk import dialect

from .models import ServiceItem


@transaction.atomic
def save_revisions_in_bulk(items: list[ServiceItem], user=None, publish=False, batch_size=2000) -> list[Revision]:
    """Create one revision per saved item (its current content, children included) and point the item at it.

    With publish=True the revision becomes the live one, as Revision.publish() would leave it.
    """
    content_type = ContentType.objects.get_for_model(ServiceItem)
    now = timezone.now()
    revisions = [
        Revision(
            content_type=content_type,
            base_content_type=content_type,
            object_id=str(item.pk),
            user=user,
            created_at=now,
            object_str=str(item),
            content=serializable_data(item),
        )
        for item in items
    ]
    insert_rows(Revision, revisions)
    _point_items_at(items, revisions, publish, now, batch_size)
    insert_rows(
        ModelLogEntry,
        [
            ModelLogEntry(
                content_type=content_type,
                object_id=str(item.pk),
                label=str(item)[:255],
                action="wagtail.publish" if publish else "wagtail.edit",
                timestamp=now,
                user=user,
                revision=revision,
                data={},
            )
            for item, revision in zip(items, revisions, strict=True)
        ],
        returning=False,
    )
    return revisions


def _point_items_at(items, revisions, publish, now, batch_size):
    """Set the revision pointers with one parametrised UPDATE per row, sent with executemany.

    Django's bulk_update builds one CASE WHEN per field over the whole batch: measured 3.3 s per 1,000 items on
    SQLite, longer than the rest of an import's write. executemany does the same in milliseconds.
    """
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for item, revision in zip(items, revisions, strict=True):
        item.latest_revision = revision
        if publish:
            item.first_published_at = item.first_published_at or now
            item.live, item.live_revision, item.has_unpublished_changes = True, revision, False
            item.last_published_at = now
            rows.append((revision.pk, False, True, revision.pk, adapt(item.first_published_at), adapt(now), item.pk))
        else:
            item.has_unpublished_changes = True
            rows.append((revision.pk, True, item.pk))
    columns = ["latest_revision_id", "has_unpublished_changes"]
    if publish:
        columns += ["live", "live_revision_id", "first_published_at", "last_published_at"]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(ServiceItem._meta.db_table), ", ".join(f"{quote(c)} = %s" for c in columns), quote("id")
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])


# --- plain SQL inserts and updates --------------------------------------------------------------------------------
# Django's bulk_create compiles every value of every row through the query compiler: for the import's five rows
# per item (item, materials, legal basis) that was 40 % of the write. These send the same values with one
# parametrised statement per batch.

_PLAIN = (str, int, bool, float, type(None))


def _column_plan(model, fields=None):
    """(column, attname, field, needs_pre_save, always_prepare) for the model's concrete columns, pk excluded."""
    pk = model._meta.pk
    plan = []
    for field in model._meta.concrete_fields:
        if field is pk or (fields is not None and field.name not in fields and field.attname not in fields):
            continue
        pre_save = bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
        prepare = field.get_internal_type() in ("JSONField", "UUIDField", "DecimalField")
        plan.append((field.column, field.attname, field, pre_save, prepare))
    return plan


def _row_values(obj, plan, add):
    row = []
    for _column, attname, field, pre_save, prepare in plan:
        value = field.pre_save(obj, add) if pre_save else getattr(obj, attname)
        if prepare or type(value) not in _PLAIN:
            value = field.get_db_prep_save(value, connection)
        row.append(value)
    return row


def insert_rows(model, objs, returning=True, batch_rows=None):
    """INSERT the objects' rows (all concrete columns but the pk); with returning, set each object's pk.

    Multi-row INSERT … RETURNING where ids are needed (SQLite ≥ 3.35, PostgreSQL), executemany otherwise.
    No signals are sent, as with bulk_create.
    """
    if not objs:
        return objs
    plan = _column_plan(model)
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(c[0]) for c in plan)
    one = "(" + ", ".join(["%s"] * len(plan)) + ")"
    pk = model._meta.pk
    with connection.cursor() as cursor:
        if not returning:
            sql = f"INSERT INTO {table} ({columns}) VALUES {one}"
            step = batch_rows or 5000
            for start in range(0, len(objs), step):
                cursor.executemany(sql, [_row_values(obj, plan, True) for obj in objs[start : start + step]])
        elif dialect().inserts_by_unnest and not any(c[4] for c in plan):
            # One array parameter per column, unnested into rows (bulk.dialects). Not for JSON columns
            # (revisions): an array of jsonb measured twice as slow as the placeholders.
            casts = ", ".join(f"%s::{c[2].db_type(connection)}[]" for c in plan)
            sql = f"INSERT INTO {table} ({columns}) SELECT * FROM UNNEST({casts}) RETURNING {quote(pk.column)}"
            step = batch_rows or 5000
            for start in range(0, len(objs), step):
                batch = objs[start : start + step]
                rows = [_row_values(obj, plan, True) for obj in batch]
                cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
                for obj, (pk_value,) in zip(batch, cursor.fetchall(), strict=True):
                    setattr(obj, pk.attname, pk_value)
        else:
            # SQLite allows 32,766 parameters per statement.
            step = batch_rows or max(1, min(2000, 30000 // len(plan)))
            sql_for = {}
            for start in range(0, len(objs), step):
                batch = objs[start : start + step]
                sql = sql_for.get(len(batch))
                if sql is None:
                    sql = sql_for[len(batch)] = (
                        f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(batch))} "
                        f"RETURNING {quote(pk.column)}"
                    )
                params = []
                for obj in batch:
                    params.extend(_row_values(obj, plan, True))
                cursor.execute(sql, params)
                for obj, (pk_value,) in zip(batch, cursor.fetchall(), strict=True):
                    setattr(obj, pk.attname, pk_value)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


# --- revision content -------------------------------------------------------------------------------------------
_SERIAL_PLANS = {}


def _serial_plan(model):
    plan = _SERIAL_PLANS.get(model)
    if plan is None:
        fields = [(f.name, f.get_attname(), f, f.remote_field is not None) for f in model._meta.fields if f.serialize]
        children = [(rel.get_accessor_name(), rel.related_model) for rel in get_all_child_relations(model)]
        m2m = [f.name for f in get_all_child_m2m_relations(model) if f.serialize]
        plan = _SERIAL_PLANS[model] = (fields, children, m2m)
    return plan


def _fields_data(obj, fields):
    data = {"pk": obj.pk}
    values = obj.__dict__
    for name, attname, field, is_relation in fields:
        value = values.get(attname) if attname in values else getattr(obj, attname)
        if is_relation or value is None or type(value) in (int, bool, float):
            data[name] = value
        elif type(value) is str:
            data[name] = value  # what value_to_string returns for a str
        else:
            data[name] = get_field_value(field, obj)
    return data


def serializable_data(obj):
    """obj.serializable_data() (modelcluster), the JSON Wagtail stores as a revision's content, made cheaply.

    Plain values are taken as they are; anything else (dates, auto_now fields, files …) goes through modelcluster's
    own get_field_value, so the result is the same dictionary (tests/imports/test_speed_paths.py checks it).
    """
    fields, children, m2m = _serial_plan(type(obj))
    data = _fields_data(obj, fields)
    for accessor, related in children:
        rows = getattr(obj, accessor).all()
        if hasattr(related, "serializable_data"):
            data[accessor] = [serializable_data(child) for child in rows]
        else:
            child_fields = _serial_plan(related)[0]
            data[accessor] = [_fields_data(child, child_fields) for child in rows]
    for name in m2m:
        data[name] = [child.pk for child in getattr(obj, name).all()]
    return data
