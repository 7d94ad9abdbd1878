"""Write many items at once from their content as plain data: rows, child rows, revisions, log entries.

The import holds each item as the dictionary Wagtail stores as a revision's content (field name → value, each child
relation → list of child dictionaries). Building Django model instances for 100,000 items and 400,000 materials and
then taking them apart again was most of an import's time, so this module goes from that dictionary straight to
the database rows, with ids reserved up front so that every row, revision and pointer is written once:

- the item row, with its revision pointers already set (the foreign keys are deferred to the commit);
- its child rows (replaced for the relations the content gives);
- one revision per item, and one log entry per item;

which is what save_revision() and publish() leave (tests/imports/test_speed_paths.py compares them).
The statements go through bulk's Statements or BackgroundWriter (the import runs them in a second thread while it
builds the next batch).
"""

import datetime
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from operator import itemgetter

import orjson
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone
from modelcluster.models import get_all_child_relations
from wagtail.fields import StreamField
from wagtail.models import ModelLogEntry, Revision

from bulk import IdPool, Statements, update_rows

from .completeness import assess_values
from .models import ServiceItem
from .revisions import serializable_data
from .validators import code_verdict


@dataclass
class ItemContent:
    """One item to write: its full content, and how it relates to what the database holds."""

    data: dict  # revision content: field name → value (foreign keys by id), relation → [child dict]
    existing: ServiceItem | None = None  # the stored row (None: a new item)
    replace: tuple[str, ...] = ()  # relations whose child rows the content replaces (existing items)
    as_draft: bool = False  # a live item changed as a draft: the row keeps its live content
    pk: int | None = field(default=None)  # a new item's id, when reserved beforehand (reserve_ids)
    revision_id: int | None = None  # the revision written for it

    def gives(self, relation: str) -> bool:
        """Whether the content gives this relation's children (a new item's always; else those it replaces)."""
        return self.existing is None or relation in self.replace


# --- plans: which content key goes to which column ------------------------------------------------------------
_DATETIMES = [f.name for f in ServiceItem._meta.concrete_fields if f.get_internal_type() == "DateTimeField"]
_PLAIN_TYPES = {"AutoField", "BigAutoField", "CharField", "TextField", "IntegerField", "PositiveIntegerField",
                "PositiveSmallIntegerField", "SmallIntegerField", "BooleanField", "ForeignKey", "ParentalKey",
                "OneToOneField", "DateTimeField"}


@lru_cache
def _row_getter(model):
    """(columns, function content dict → row tuple) for the model's concrete columns, the pk first.

    Content values are plain (text, numbers, booleans, ids), which both databases take as they are; datetimes are
    set by the writer. JSON values (rules, most of them empty) go as JSON text, which SQLite stores and jsonb's
    binary COPY takes (JsonTextBinaryDumper). A model with other column types would need converting, so it is
    refused here."""
    columns, keys, json_at = [], [], []
    for f in model._meta.concrete_fields:
        kind = f.get_internal_type()
        if isinstance(f, StreamField):
            pass  # its revision content is already JSON text, which both databases take as it is
        elif kind == "JSONField":
            json_at.append(len(columns))
        elif kind not in _PLAIN_TYPES:
            raise TypeError(f"{model.__name__}.{f.name}: {kind} is not written by catalog.writer")
        columns.append(f.column)
        keys.append("pk" if f.primary_key else f.name)
    plain = itemgetter(*keys)
    if not json_at:
        return columns, plain
    # One JSON column (a rule, most of them empty) is the usual case: it is looked at alone, without a loop —
    # an import writes 400,000 material rows through this.
    if len(json_at) == 1:
        (at,) = json_at

        def row_of(content):
            row = plain(content)
            if row[at] is None:
                return row
            return (*row[:at], orjson.dumps(row[at]).decode(), *row[at + 1 :])

        return columns, row_of

    def row_of(content):
        row = list(plain(content))
        for i in json_at:
            if row[i] is not None:
                row[i] = orjson.dumps(row[i]).decode()
        return tuple(row)

    return columns, row_of


@lru_cache
def child_relations(model=ServiceItem) -> dict[str, type]:
    return {rel.get_accessor_name(): rel.related_model for rel in get_all_child_relations(model)}


def _giving(contents: list[ItemContent], relation: str, all_new: bool) -> list[ItemContent]:
    """The contents that give this relation's children (the rest keep theirs as they are); new items give every
    relation."""
    return contents if all_new else [content for content in contents if content.gives(relation)]


class ItemWriter:
    """Writes a list of ItemContent in one go (inside the caller's transaction).

    statements: where the inserts go (a BackgroundWriter runs them beside the caller); ids: keys reserved before.
    """

    def __init__(self, user=None, publish=False, now=None, statements: Statements | None = None,
                 ids: IdPool | None = None):
        self.user, self.publish = user, publish
        self.statements = statements or Statements()
        self.ids = ids or IdPool(self.statements)
        self.now = now or timezone.now()
        self.content_type = ContentType.objects.get_for_model(ServiceItem)
        # A revision's content holds datetimes in UTC (modelcluster's get_field_value), as Django's JSON encoder
        # writes them; written once here. (get_field_value itself would call pre_save, moving auto_now fields on.)
        self.now_content = _encoder.default(self.now.astimezone(datetime.UTC))
        self.now_db = connection.ops.adapt_datetimefield_value(self.now)

    def template(self) -> dict:
        """The content of a new item before the file's values: every field at its default, no children; its keys
        in jsonb's order (see jsonb_ordered), as the contents made from it then have them."""
        data = serializable_data(ServiceItem())
        data["created_at"] = data["updated_at"] = self.now_content
        data["live"], data["has_unpublished_changes"] = self.publish, not self.publish
        return jsonb_ordered(data)

    @staticmethod
    def child_templates() -> dict[str, dict]:
        """Relation → the content of a new child row at its defaults, keys in jsonb's order."""
        return {relation: jsonb_ordered(serializable_data(model())) for relation, model in child_relations().items()}

    def write(self, contents: list[ItemContent]):
        for content in contents:
            if content.existing is not None:
                content.pk = content.existing.pk
        new = [c for c in contents if c.pk is None]
        for content, pk in zip(new, self.ids.take(ServiceItem, len(new)), strict=True):
            content.pk = pk
        for content in contents:
            content.data["pk"] = content.pk
            refresh_quality(content.data)
        self._number_children(contents)
        revision_ids = self.ids.take(Revision, len(contents))
        for content, revision_id in zip(contents, revision_ids, strict=True):
            content.revision_id = revision_id
        # The revisions first: they store the content as it is; the rows then take the database's values.
        self._write_revisions(contents, revision_ids)
        self._write_items(contents, revision_ids)
        self._write_children(contents)

    # --- children --------------------------------------------------------------------------------------------
    def _number_children(self, contents):
        """Give each child row its item, order and (for rows that are written) a reserved id."""
        all_new = all(content.existing is None for content in contents)
        for relation, model in child_relations().items():
            given = _giving(contents, relation, all_new)
            if not any([content.data[relation] for content in given]):
                continue  # (most relations of most imports: no rows at all)
            written = []
            for content in given:
                for order, child in enumerate(content.data[relation]):
                    child["item"], child["sort_order"] = content.pk, order
                    if content.as_draft:
                        child["pk"] = None  # a draft's new child rows exist only in its revision
                    else:
                        written.append(child)
            for child, pk in zip(written, self.ids.take(model, len(written)), strict=True):
                child["pk"] = pk

    def _write_children(self, contents):
        rewritten = [content for content in contents if not content.as_draft]
        all_new = all(content.existing is None for content in rewritten)
        for relation, model in child_relations().items():
            given = _giving(rewritten, relation, all_new)
            replaced = [content.pk for content in given if content.existing is not None]
            for start in range(0, len(replaced), 2000):
                model.objects.filter(item_id__in=replaced[start : start + 2000]).delete()
            children = [content.data[relation] for content in given]
            if any(children):
                columns, row_of = _row_getter(model)
                self.statements.insert(model._meta.db_table, columns, list(map(row_of, chain.from_iterable(children))))

    # --- items -------------------------------------------------------------------------------------------------
    def _write_items(self, contents, revision_ids):
        columns, row_of = _row_getter(ServiceItem)
        publish, now, adapt = self.publish, self.now_db, connection.ops.adapt_datetimefield_value
        inserts, updates, draft_updates = [], [], []
        for content, revision_id in zip(contents, revision_ids, strict=True):
            data, existing = content.data, content.existing
            if content.as_draft:
                draft_updates.append((revision_id, True, data["code_status"], data["code_message"],
                                      data["completeness_score"], data["completeness_flags"], content.pk))
                continue
            # The revision is written: the content now takes the row's values (pointers, database datetimes).
            if existing is None:
                data["created_at"] = data["updated_at"] = now
            else:
                for key in _DATETIMES:
                    value = getattr(existing, key)
                    data[key] = adapt(value) if value is not None else None
                data["updated_at"] = now
            data["latest_revision"] = revision_id
            if publish:
                data["live"], data["has_unpublished_changes"], data["live_revision"] = True, False, revision_id
                data["first_published_at"] = data["first_published_at"] or now
                data["last_published_at"] = now
            else:
                data["has_unpublished_changes"] = True
            row = row_of(data)
            if existing is None:
                inserts.append(row)
            else:
                updates.append((*row[1:], content.pk))
        self.statements.insert(ServiceItem._meta.db_table, columns, inserts)
        update_rows(ServiceItem._meta.db_table, columns[1:], updates)
        update_rows(ServiceItem._meta.db_table, ["latest_revision_id", "has_unpublished_changes", "code_status",
                                                 "code_message", "completeness_score", "completeness_flags"],
                    draft_updates)

    # --- revisions and log entries -----------------------------------------------------------------------------
    def _write_revisions(self, contents, revision_ids):
        user_id = self.user.pk if self.user is not None else None
        type_id, now = self.content_type.pk, self.now_db
        revisions, entries = [], []
        action = "wagtail.publish" if self.publish else "wagtail.edit"
        for content, revision_id in zip(contents, revision_ids, strict=True):
            data = content.data
            label = data["name"]
            object_id = str(content.pk)
            revisions.append((revision_id, type_id, type_id, object_id, now, user_id, label, _dumps(data), None))
            entries.append((type_id, label[:255], action, "{}", now, None, user_id, revision_id, False, False,
                            object_id))
        self.statements.insert(Revision._meta.db_table, REVISION_COLUMNS, revisions)
        self.statements.insert(ModelLogEntry._meta.db_table, LOG_ENTRY_COLUMNS, entries)


def jsonb_ordered(data: dict) -> dict:
    """The content with its keys, and its children's, in the order jsonb keeps them (shorter keys first, then by
    bytes). The content is the same; PostgreSQL sorts each object's keys when it stores jsonb, and keys already in
    order spare it that work (each item and its materials have 170 keys; docs/benchmarks.md)."""
    return {key: [jsonb_ordered(child) for child in value] if isinstance(value, list) and value
            and isinstance(value[0], dict) else value for key, value in sorted(data.items(), key=_jsonb_key)}


def _jsonb_key(pair):
    key = pair[0].encode()
    return len(key), key


# The columns of the tuples _write_revisions builds (a test checks them against Wagtail's models after upgrades).
REVISION_COLUMNS = ["id", "content_type_id", "base_content_type_id", "object_id", "created_at", "user_id",
                    "object_str", "content", "approved_go_live_at"]
LOG_ENTRY_COLUMNS = ["content_type_id", "label", "action", "data", "timestamp", "uuid", "user_id", "revision_id",
                     "content_changed", "deleted", "object_id"]
_encoder = DjangoJSONEncoder()


def _dumps(data) -> str:
    """The revision content as JSON, as Django's encoder writes it (datetimes, dates, decimals through it), by
    orjson, several times faster than Django's encoder (docs/benchmarks.md)."""
    return orjson.dumps(data, default=_encoder.default, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()


# --- derived quality ------------------------------------------------------------------------------------------
def refresh_quality(data: dict):
    """ServiceItem.refresh_quality() on content: the code verdict and the completeness, stored with the item."""
    data["code_status"], data["code_message"] = code_verdict(data["implementation_code"], data["item_type"])
    report = assess_values(data, data["materials"], bool(data["legal_bases"]))
    data["completeness_score"], data["completeness_flags"] = report.score, report.flags_text
