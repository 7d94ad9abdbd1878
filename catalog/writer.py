"""Write many items at once from their content as plain data: rows, child rows, revisions, log entries.

The import holds each item as the dictionary Wagtail stores as a revision's content (field name → value, each child
relation → list of child dictionaries). Building Django model instances for 100,000 items and 400,000 materials and
then taking them apart again was most of an import's time, so this module goes from that dictionary straight to
the database rows, with ids reserved up front so that every row, revision and pointer is written once:

- the item row, with its revision pointers already set (the foreign keys are deferred to the commit);
- its child rows (replaced for the relations the content gives);
- one revision per item, and one log entry per item;

which is what save_revision() and publish() leave (tests/imports/test_speed_paths.py compares them).
On SQLite rows go in with multi-row INSERTs, on PostgreSQL with COPY; the import runs them in a second thread
(BackgroundWriter) while it builds the next batch.
"""

import datetime
import logging
import sqlite3
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import chain
from operator import itemgetter

import orjson
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from modelcluster.models import get_all_child_relations
from psycopg import ProgrammingError
from psycopg.adapt import Dumper
from psycopg.pq import Format
from wagtail.models import ModelLogEntry, Revision

from .bulk import serializable_data
from .completeness import assess_values
from .models import ServiceItem
from .validators import code_verdict

logger = logging.getLogger(__name__)


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


# --- ids, inserts ----------------------------------------------------------------------------------------------
def reserve_ids(model, count: int) -> list[int]:
    """Reserve `count` primary keys for rows this transaction will insert with explicit ids.

    SQLite: the table's AUTOINCREMENT counter is moved on (taking the write lock, held to the commit), so no id of
    a deleted row is used again — a revision names its item by id. PostgreSQL: nextval on the table's sequence.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence looked up once: pg_get_serial_sequence() per row took 1.1 s of 400,000 ids, not 0.15 s.
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
            (sequence,) = cursor.fetchone()
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":  # pragma: no cover - the project runs on SQLite and PostgreSQL
            raise NotImplementedError(connection.vendor)
        # A write first, so the lock is ours before the counter is read.
        cursor.execute("UPDATE sqlite_sequence SET seq = seq WHERE name = %s", [table])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        cursor.execute(f'SELECT MAX("{model._meta.pk.column}") FROM "{table}"')
        start = max(row[0] if row else 0, cursor.fetchone()[0] or 0) + 1
        if row:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + count - 1, table])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start + count - 1])
    return list(range(start, start + count))


def write_rows(table: str, columns: list[str], rows, keys: "KeyCheck | None" = None, keep_role=False):
    """INSERT the rows (a list of tuples in column order, values already as the database takes them).

    SQLite: INSERT statements of ROWS_PER_INSERT rows, faster than executemany() (revisions 0.9 s instead of
    2.2 s per 100,000) and one step each (see BackgroundWriter); PostgreSQL: COPY, in binary format where it can
    (binary_copy_types: each value must then be of its column's type), its foreign keys left to `keys` where given
    (see KeyCheck). keep_role: the connection stays without row triggers after the COPY, for the next
    ones (the caller calls keys.triggers_back() before any other statement)."""
    if not rows:
        return
    if connection.vendor == "sqlite":
        for sql, params in sqlite_inserts(table, columns, rows):
            execute_raw(sql, params)
        return
    quote = connection.ops.quote_name
    by_check = keys is not None and keys.takes(table)
    with connection.cursor() as cursor, connection.wrap_database_errors:  # psycopg's own cursor: Django's errors
        if by_check:
            keys.note(table, columns, rows)
            keys.rows_unchecked(cursor)
        elif keys is not None:
            keys.triggers_back(cursor)
        types = binary_copy_types(cursor.cursor, table, columns)
        with cursor.cursor.copy(f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN"
                                + (" (FORMAT BINARY)" if types else "")) as copy:
            if types:
                copy.set_types(types)
            for row in rows:
                copy.write_row(row)
        if by_check and not keep_role:  # (after an error the transaction is rolled back, and the setting with it)
            keys.triggers_back(cursor)


class JsonTextBinaryDumper(Dumper):
    """A JSON document already written as text, in jsonb's binary form: version 1, then the text.

    psycopg's own jsonb dumper would serialise the value again (a str would become a JSON string)."""

    format = Format.BINARY
    oid = 3802  # jsonb, a built-in type

    def dump(self, obj):
        return b"\x01" + obj.encode()


class BinaryFormDumper(Dumper):
    """A value already in its type's binary form (bytes), as it is: publish.text.tsvector_binary()'s vectors."""

    format = Format.BINARY
    oid = 3614  # tsvector

    def dump(self, obj):
        return obj


def binary_copy_types(cursor, table: str, columns: list[str]) -> list[int] | None:
    """The columns' type oids, for a COPY in binary format; None when a column's type has no binary dumper here:
    the COPY is then text.

    Binary spares the server parsing every number, timestamp and escaped text again (a revision's 3 KB of JSON
    is only scanned once, by jsonb); jsonb columns take their JSON as text (JsonTextBinaryDumper), tsvector columns
    bytes in their binary form (BinaryFormDumper)."""
    for dumper in (JsonTextBinaryDumper, BinaryFormDumper):
        cursor.adapters.register_dumper(None, dumper)  # (this cursor only)
    types = [_column_types(cursor, table)[column] for column in columns]
    for oid in set(types):
        try:
            cursor.adapters.get_dumper_by_oid(oid, Format.BINARY)
        except ProgrammingError:
            return None
    return types


# Per connection (dropped with it): table → column → type oid. An import COPYs into the same six tables 240 times.
_types_by_connection: "weakref.WeakKeyDictionary[object, dict[str, dict[str, int]]]" = weakref.WeakKeyDictionary()


def _column_types(cursor, table: str) -> dict[str, int]:
    tables = _types_by_connection.setdefault(cursor.connection, {})
    if table not in tables:
        cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
                       " AND NOT attisdropped", [connection.ops.quote_name(table)])
        tables[table] = dict(cursor.fetchall())
    return tables[table]


class KeyCheck:
    """PostgreSQL: the foreign keys of the rows a bulk write inserts, checked once per referenced table.

    Django makes every foreign key a deferred constraint, which PostgreSQL enforces with a trigger per inserted
    row and a query per trigger at the commit: 1.4 million of them, 6.7 s of a 100,000-item import. Where the
    role may set session_replication_role (a superuser, or `GRANT SET ON PARAMETER session_replication_role`
    from PostgreSQL 15), write_rows() runs its COPY without those triggers and check() proves the same thing:
    every key the rows name is either a row this transaction inserted (a COPY writes all its rows or fails) or a
    row that exists, which it locks FOR KEY SHARE as the trigger would (that needs UPDATE on the referenced
    tables, which a role that runs the admin has; the triggers ran as the tables' owner). Updates and deletes keep
    their triggers, and so does a table with triggers of its own that the replica role would skip.
    """

    def __init__(self, tables_with_triggers: set[str]):
        self.tables_with_triggers = tables_with_triggers
        self.replica = False  # whether the connection runs without the row triggers now
        self.inserted: dict[str, set] = {}  # table → primary keys of the rows inserted
        self.referenced: dict[tuple[str, str], set] = {}  # (table, column) referenced → values named
        self.named_by: dict[tuple[str, str], set[str]] = {}  # the same → "table.column" naming them

    @classmethod
    def if_allowed(cls) -> "KeyCheck | None":
        """A KeyCheck when the database is PostgreSQL and the role may turn the row triggers off, else None."""
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            allowed = bool(cursor.fetchone()[0])
            if not allowed and connection.pg_version >= 150000:
                cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
                allowed = bool(cursor.fetchone()[0])
            if not allowed:
                return None
            # Triggers that the replica role would skip ('O': they fire in the origin role only).
            cursor.execute("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger"
                           " WHERE NOT tgisinternal AND tgenabled = 'O'")
            return cls({name.strip('"') for (name,) in cursor.fetchall()})

    def rows_unchecked(self, cursor):
        if not self.replica:
            cursor.execute("SET LOCAL session_replication_role = replica")
            self.replica = True

    def triggers_back(self, cursor=None):
        if self.replica:
            with connection.cursor() if cursor is None else nullcontext(cursor) as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
            self.replica = False

    def takes(self, table: str) -> bool:
        return table in _models_by_table() and table not in self.tables_with_triggers

    def note(self, table: str, columns: list[str], rows):
        model = _models_by_table()[table]
        pk = model._meta.pk.column
        if pk in columns and table in _referenced_tables():  # (only those keys are looked for in check())
            at = columns.index(pk)
            self.inserted.setdefault(table, set()).update(row[at] for row in rows)
        for f in model._meta.concrete_fields:
            if f.is_relation and f.db_constraint and f.column in columns:
                at = columns.index(f.column)
                target = (f.target_field.model._meta.db_table, f.target_field.column)
                self.referenced.setdefault(target, set()).update(row[at] for row in rows)
                self.named_by.setdefault(target, set()).add(f"{table}.{f.column}")

    def check(self):
        """Raises IntegrityError, as the commit would have, when a noted row names a key that is not there."""
        quote = connection.ops.quote_name
        self.triggers_back()
        with connection.cursor() as cursor:
            for (table, column), values in self.referenced.items():
                values = values - {None}
                if column == _models_by_table()[table]._meta.pk.column:
                    values -= self.inserted.get(table, set())
                if not values:
                    continue
                cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} = ANY(%s) "
                               "FOR KEY SHARE", [sorted(values)])
                missing = values - {found for (found,) in cursor.fetchall()}
                if missing:
                    raise IntegrityError(
                        f"insert into {', '.join(sorted(self.named_by[table, column]))} violates a foreign key: "
                        f"({column})=({min(missing)}) is not present in table \"{table}\"")


@lru_cache
def _models_by_table() -> dict[str, type]:
    return {model._meta.db_table: model for model in apps.get_models()}


@lru_cache
def _referenced_tables() -> set[str]:
    """Tables that a foreign key with a constraint points to."""
    return {f.target_field.model._meta.db_table for model in apps.get_models()
            for f in model._meta.concrete_fields if f.is_relation and f.db_constraint}


# Rows per SQLite INSERT statement. The sqlite3 module keeps the last statements prepared; at 13,000 rows (its
# parameter limit) they held 150 MB more at the peak of a 100,000-item import, and were no faster.
ROWS_PER_INSERT = 500


def sqlite_inserts(table: str, columns: list[str], rows):
    """(sql, parameters) of the multi-row INSERT statements that write the rows on SQLite."""
    quote = connection.ops.quote_name
    per_statement = max(1, min(ROWS_PER_INSERT, _variable_limit() // len(columns)))
    head = f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES "
    one = "(" + ",".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        yield head + ",".join([one] * len(chunk)), list(chain.from_iterable(chunk))


@lru_cache
def _variable_limit() -> int:
    """SQLite's limit on parameters per statement (32,766 by default; 999 before 3.32), asked once."""
    connection.ensure_connection()
    return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def execute_raw(sql: str, params):
    """Execute on the DB-API connection itself: Django's cursor would rewrite each of up to 30,000 %s first."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        connection.connection.execute(sql, params)


class Statements:
    """Where a writer's statements go: here they run at once, in the caller's thread.

    keys: a KeyCheck for the inserts' foreign keys (the caller runs its check() once every insert is done)."""

    def __init__(self, keys: KeyCheck | None = None):
        self.keys = keys

    def insert(self, table: str, columns: list[str], rows):
        write_rows(table, columns, rows, self.keys)

    def call(self, function, *args):
        function(*args)

    def wait(self):
        pass

    def close(self, quietly=False):
        pass


class BackgroundWriter(Statements):
    """Runs the caller's inserts in a second thread, in order, on the caller's connection and in its transaction.

    SQLite and psycopg let go of the GIL while the database works on a statement, so the database writes one batch
    while the caller builds the next: the two cores of a small server both work. That needs statements that are
    one step each: executemany() takes the GIL back after every row, waits each time for the busy caller to give
    it up (5 ms), and became hundreds of times slower. So SQLite gets multi-row INSERTs, prepared by the caller;
    PostgreSQL gets COPY, which psycopg sends in large chunks.

    insert() and call() queue. The caller's own statements on the connection (ORM queries, updates, deletes) must
    not run ahead of the pending ones: an execute wrapper on the connection waits for them first, whatever issues
    the statement, so no caller has to remember to (safe by construction; tests/catalog/test_writer_safety.py).
    """

    def __init__(self, max_pending=12, keys: KeyCheck | None = None):
        super().__init__(keys)
        self.db = connections[DEFAULT_DB_ALIAS]
        self.db.inc_thread_sharing()
        self.writer_thread = None
        self._waiting = False
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog-writer",
                                       initializer=self._use_callers_connection)
        self.pending = []
        # About one batch of statements: a caller that runs ahead waits rather than piling up rows in memory.
        self.max_pending = max_pending
        self.db.execute_wrappers.append(self._after_pending)

    def _use_callers_connection(self):
        connections[DEFAULT_DB_ALIAS] = self.db
        self.writer_thread = threading.get_ident()

    def _after_pending(self, execute, sql, params, many, context):
        """Django's execute wrapper: a statement from any thread but the writer's waits for the pending ones."""
        if self.pending and not self._waiting and threading.get_ident() != self.writer_thread:
            self.wait()
        return execute(sql, params, many, context)

    def insert(self, table: str, columns: list[str], rows):
        if not rows:
            return
        if self.db.vendor == "sqlite":
            for sql, params in sqlite_inserts(table, columns, rows):
                self.call(execute_raw, sql, params)
        else:
            # Consecutive COPYs leave the row triggers off between them: a SET before and after each cost the
            # database a wait for this thread at every statement.
            self._submit(partial(write_rows, keep_role=True), table, columns, rows, self.keys)

    def call(self, function, *args):
        if self.keys is None:
            self._submit(function, *args)
        else:  # anything but a COPY runs with the row triggers
            self._submit(self._with_triggers, function, *args)

    def _with_triggers(self, function, *args):
        self.keys.triggers_back()
        function(*args)

    def _submit(self, function, *args):
        # Statements that ran leave the list; failed ones stay for wait() to raise.
        self.pending = [future for future in self.pending if not future.done() or future.exception() is not None]
        if len(self.pending) >= self.max_pending:
            if self.pending[0].exception() is not None:  # waits for the oldest statement to finish
                self.wait()  # it failed: raise its error (not what the statements after it then hit)
            self.pending.pop(0)
        self.pending.append(self.pool.submit(function, *args))

    def wait(self):
        """Until every pending statement has run; raises the first error (the transaction is then rolled back).

        On PostgreSQL every statement after a failed one fails too ("current transaction is aborted"): the first
        error is the one that says what went wrong."""
        pending, self.pending = self.pending, []
        errors = [error for error in (future.exception() for future in pending) if error is not None]
        if errors:
            raise errors[0]
        if self.keys is not None:
            self._waiting = True  # its own statement must not wait again
            try:
                self.keys.triggers_back()  # the caller's own statements run with their triggers
            finally:
                self._waiting = False

    def close(self, quietly=False):
        """wait(), then end the thread; may be called again. quietly: while another error is on its way out, the
        statements still queued are dropped and their errors ignored."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        try:
            if quietly:
                pool.shutdown(wait=True, cancel_futures=True)
                self.pending = []
            else:
                self.wait()
        finally:
            pool.shutdown()
            self.db.execute_wrappers.remove(self._after_pending)
            self.db.dec_thread_sharing()


def tune_for_bulk_write():
    """Settings for the rest of the caller's transaction, for writing many rows.

    PostgreSQL: values over 2 KB (a revision's content is 3 KB of JSON) are compressed with lz4 instead of pglz
    where the server has it; 100,000 revisions took 2 s less. Each value records its method, so reading is
    unchanged. GIN indexes keep their new entries in their pending list (see upkeep_after_commit), when the role
    owns them all, so that it can merge the lists after the commit."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT bool_and(owned) FROM ({_GIN_INDEXES}) AS gin")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL gin_pending_list_limit = '1GB'")
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")


@contextmanager
def upkeep_after_commit():
    """Around a large write transaction: upkeep the database would do in the middle of it is left to a thread of
    its own, on its own connection, right after the commit. The data is committed and visible before it runs.

    - SQLite: in WAL mode the connection that commits copies the whole log into the database file before its
      commit returns once the log is over 1,000 pages: 700 MB and 2.5 s after a 100,000-item import.
    - PostgreSQL: a GIN index (the public search's tsvector) gathers new entries in its pending list and merges
      the list into the index whenever it passes 4 MB, 1.8 s in all for 100,000 documents. tune_for_bulk_write()
      lets the list grow, and it is merged after the commit (gin_clean_pending_list); searches read the list
      until then.
    """
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql") or (vendor == "sqlite" and connection.is_in_memory_db()):
        yield
        return
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        if vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_autocheckpoint = 1000")
    # After the outermost commit (at once when the write's own transaction was the outermost one).
    transaction.on_commit(lambda: threading.Thread(target=_upkeep, name=UPKEEP_THREAD).start())


UPKEEP_THREAD = "db-upkeep-after-commit"
# The schema's GIN indexes, and whether this role owns each (only an owner may merge an index's pending list).
_GIN_INDEXES = ("SELECT i.indexrelid AS id, pg_has_role(c.relowner, 'USAGE') AS owned FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE a.amname = 'gin' AND n.nspname = current_schema()")


def _upkeep():
    try:
        with connection.cursor() as cursor:  # this thread's own connection
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            else:
                cursor.execute(f"SELECT gin_clean_pending_list(gin.id) FROM ({_GIN_INDEXES}) AS gin WHERE owned")
    except Exception:  # the data is committed: the database does this upkeep itself later (autovacuum, next write)
        logger.warning("upkeep after a bulk write failed", exc_info=True)
    finally:
        connection.close()


class IdPool:
    """Primary keys reserved in one go before a bulk write, handed out in order (more are reserved if they run out)."""

    def __init__(self, statements: Statements | None = None):
        self.statements = statements or Statements()
        self.free: dict[type, list[int]] = {}

    def reserve(self, model, count: int):
        self.free[model] = reserve_ids(model, count)[::-1]

    def take(self, model, count: int) -> list[int]:
        free = self.free.setdefault(model, [])
        taken = [free.pop() for _ in range(min(count, len(free)))]
        if len(taken) < count:
            taken += reserve_ids(model, count - len(taken))
        return taken


def update_rows(table: str, columns: list[str], rows, key="id"):
    """UPDATE the columns by key: each row is (values in column order…, key value)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(table), ", ".join(f"{quote(c)} = %s" for c in columns), quote(key))
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


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
        if kind == "JSONField":
            json_at.append(len(columns))
        elif kind not in _PLAIN_TYPES:
            raise TypeError(f"{model.__name__}.{f.name}: {kind} is not written by catalog.writer")
        columns.append(f.column)
        keys.append("pk" if f.primary_key else f.name)
    plain = itemgetter(*keys)
    if not json_at:
        return columns, plain

    def row_of(content):
        row = plain(content)
        if all(row[i] is None for i in json_at):
            return row
        row = list(row)
        for i in json_at:
            if row[i] is not None:
                row[i] = orjson.dumps(row[i]).decode()
        return tuple(row)

    return columns, row_of


@lru_cache
def child_relations(model=ServiceItem) -> dict[str, type]:
    return {rel.get_accessor_name(): rel.related_model for rel in get_all_child_relations(model)}


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
        for relation, model in child_relations().items():
            written = []
            for content in contents:
                if not content.gives(relation):
                    continue  # the item keeps these children as they are
                for order, child in enumerate(content.data[relation]):
                    child["item"], child["sort_order"] = content.pk, order
                    if content.as_draft:
                        child["pk"] = None  # a draft's new child rows exist only in its revision
                    else:
                        written.append(child)
            for child, pk in zip(written, self.ids.take(model, len(written)), strict=True):
                child["pk"] = pk

    def _write_children(self, contents):
        for relation, model in child_relations().items():
            replaced = [c.pk for c in contents if c.existing is not None and not c.as_draft and c.gives(relation)]
            for start in range(0, len(replaced), 2000):
                model.objects.filter(item_id__in=replaced[start : start + 2000]).delete()
            columns, row_of = _row_getter(model)
            rows = []
            for content in contents:
                if content.as_draft or not content.gives(relation):
                    continue
                rows += map(row_of, content.data[relation])
            self.statements.insert(model._meta.db_table, columns, rows)

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
    order spared it 1.5–2 s of 100,000 revisions (each item and its materials have 170 keys)."""
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
    orjson: 5 µs instead of 33 µs for an item with four materials."""
    return orjson.dumps(data, default=_encoder.default, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()


# --- derived quality ------------------------------------------------------------------------------------------
def refresh_quality(data: dict):
    """ServiceItem.refresh_quality() on content: the code verdict and the completeness, stored with the item."""
    data["code_status"], data["code_message"] = code_verdict(data["implementation_code"], data["item_type"])
    report = assess_values(data, data["materials"], bool(data["legal_bases"]))
    data["completeness_score"], data["completeness_flags"] = report.score, report.flags_text
