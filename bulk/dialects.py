"""How each database takes many rows at once: the one place in bulk that asks which database this is.

SQLite gets multi-row INSERT statements, PostgreSQL COPY (binary where every column has a binary form). Both
reserve primary keys up front, and both leave some upkeep to after the commit (see bulk.upkeep).
"""

import sqlite3
import weakref
from functools import lru_cache, partial
from itertools import chain

from django.db import connection
from psycopg import ProgrammingError
from psycopg.adapt import Dumper
from psycopg.pq import Format

# Rows per SQLite INSERT statement. The sqlite3 module keeps the last statements prepared; statements at its
# parameter limit held far more memory at an import's peak, and were no faster (docs/benchmarks.md, "bulk").
ROWS_PER_INSERT = 500


class SQLite:
    name = "sqlite"
    checks_keys_itself = False  # (no row triggers to spare: SQLite checks deferred keys at the commit, cheaply)
    inserts_by_unnest = False  # (no arrays: rows go as placeholders, 32,766 to a statement)

    @staticmethod
    def present(cursor, table: str, column: str, values: list) -> list:
        """Which of the values the column holds, in statements of as many parameters as SQLite takes."""
        found, step = [], max(1, _variable_limit() - 1)
        for start in range(0, len(values), step):
            chunk = values[start : start + step]
            cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE "{column}" IN ({", ".join(["%s"] * len(chunk))})',
                           chunk)
            found += [value for (value,) in cursor.fetchall()]
        return found

    @staticmethod
    def reserve_ids(cursor, table: str, pk: str, count: int) -> list[int]:
        """The table's AUTOINCREMENT counter is moved on (taking the write lock, held to the commit), so no id of
        a deleted row is used again — a revision names its item by id."""
        # A write first, so the lock is ours before the counter is read.
        cursor.execute("UPDATE sqlite_sequence SET seq = seq WHERE name = %s", [table])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        cursor.execute(f'SELECT MAX("{pk}") FROM "{table}"')
        start = max(row[0] if row else 0, cursor.fetchone()[0] or 0) + 1
        if row:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + count - 1, table])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start + count - 1])
        return list(range(start, start + count))

    @classmethod
    def write_rows(cls, table, columns, rows, keys=None, keep_role=False):
        for sql, params in cls.inserts(table, columns, rows):
            execute_raw(sql, params)

    @classmethod
    def queue_rows(cls, statements, table, columns, rows):
        """A BackgroundWriter's insert: one queued statement per INSERT, prepared here, in the caller's thread."""
        for sql, params in cls.inserts(table, columns, rows):
            statements.call(execute_raw, sql, params)

    @staticmethod
    def inserts(table: str, columns: list[str], rows):
        """(sql, parameters) of the multi-row INSERT statements that write the rows."""
        quote = connection.ops.quote_name
        per_statement = max(1, min(ROWS_PER_INSERT, _variable_limit() // len(columns)))
        head = f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES "
        one = "(" + ",".join("?" * len(columns)) + ")"
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            yield head + ",".join([one] * len(chunk)), list(chain.from_iterable(chunk))

    @staticmethod
    def tune(cursor):
        pass

    # In WAL mode the connection that commits copies the whole log into the database file before its commit
    # returns once the log is over 1,000 pages: after a large import, the whole log, before the commit returns.
    @staticmethod
    def defers_upkeep() -> bool:
        return not connection.is_in_memory_db()

    @staticmethod
    def before_write(cursor):
        cursor.execute("PRAGMA wal_autocheckpoint = 0")

    @staticmethod
    def after_write(cursor):
        cursor.execute("PRAGMA wal_autocheckpoint = 1000")

    @staticmethod
    def upkeep(cursor):
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


class PostgreSQL:
    name = "postgresql"
    checks_keys_itself = True  # see bulk.keys.KeyCheck
    # Many rows as one array parameter per column, unnested (as Django's bulk_create does here): psycopg splits a
    # query with tens of thousands of placeholders in pure Python, slowly.
    inserts_by_unnest = True

    @staticmethod
    def present(cursor, table: str, column: str, values: list) -> list:
        """Which of the values the column holds, in one query with the values as an array: ten times faster than
        queries of 5,000 parameters each (docs/benchmarks.md, commit e418f1f)."""
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} = ANY(%s)", [values])
        return [value for (value,) in cursor.fetchall()]

    @staticmethod
    def reserve_ids(cursor, table: str, pk: str, count: int) -> list[int]:
        """nextval on the table's sequence."""
        # The sequence looked up once, not per row (pg_get_serial_sequence() per row was seven times slower).
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
        return [row[0] for row in cursor.fetchall()]

    @staticmethod
    def write_rows(table, columns, rows, keys=None, keep_role=False):
        """COPY, in binary format where it can (binary_copy_types), its foreign keys left to `keys` where given.
        keep_role: the connection stays without row triggers after the COPY, for the next ones (the caller calls
        keys.triggers_back() before any other statement)."""
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
            if by_check and not keep_role:  # (after an error the transaction is rolled back, and the setting too)
                keys.triggers_back(cursor)

    @classmethod
    def queue_rows(cls, statements, table, columns, rows):
        # Consecutive COPYs leave the row triggers off between them: a SET before and after each cost the
        # database a wait for the writer thread at every statement. psycopg sends a COPY in large chunks.
        statements.submit(partial(cls.write_rows, keep_role=True), table, columns, rows, statements.keys)

    @staticmethod
    def tune(cursor):
        """Values over 2 KB (a revision's content is 3 KB of JSON) are compressed with lz4 instead of pglz where
        the server has it (faster to write; docs/benchmarks.md). Each value records its method, so reading is
        unchanged. GIN indexes keep their new entries in their pending list (see upkeep), when the role owns them
        all, so that it can merge the lists after the commit."""
        cursor.execute(f"SELECT bool_and(owned) FROM ({_GIN_INDEXES}) AS gin")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL gin_pending_list_limit = '1GB'")
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")

    # A GIN index (the public search's tsvector) gathers new entries in its pending list and merges the list into
    # the index whenever it passes 4 MB, in the middle of the import. tune() lets the list grow, and it is
    # merged after the commit (gin_clean_pending_list); searches read the list until then.
    @staticmethod
    def defers_upkeep() -> bool:
        return True

    @staticmethod
    def before_write(cursor):
        pass

    @staticmethod
    def after_write(cursor):
        pass

    @staticmethod
    def upkeep(cursor):
        cursor.execute(f"SELECT gin_clean_pending_list(gin.id) FROM ({_GIN_INDEXES}) AS gin WHERE owned")


DIALECTS = {"sqlite": SQLite, "postgresql": PostgreSQL}


def dialect(db=None):
    """The dialect of a connection (the default one unless given); the project runs on SQLite and PostgreSQL."""
    vendor = (db or connection).vendor
    try:
        return DIALECTS[vendor]
    except KeyError:  # pragma: no cover
        raise NotImplementedError(f"bulk writes on {vendor}") from None


def execute_raw(sql: str, params):
    """Execute on the DB-API connection itself: Django's cursor would rewrite each of up to 30,000 %s first."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        connection.connection.execute(sql, params)


@lru_cache
def _variable_limit() -> int:
    """SQLite's limit on parameters per statement (32,766 by default; 999 before 3.32), asked once."""
    connection.ensure_connection()
    return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


# --- PostgreSQL's binary COPY -----------------------------------------------------------------------------------
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


# The schema's GIN indexes, and whether this role owns each (only an owner may merge an index's pending list).
_GIN_INDEXES = ("SELECT i.indexrelid AS id, pg_has_role(c.relowner, 'USAGE') AS owned FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE a.amname = 'gin' AND n.nspname = current_schema()")
