"""PostgreSQL: the foreign keys of a bulk write's rows checked once per referenced table, not once per row."""

from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection

from .dialects import dialect


class KeyCheck:
    """The foreign keys of the rows a bulk write inserts, checked once per referenced table.

    Django makes every foreign key a deferred constraint, which PostgreSQL enforces with a trigger per inserted
    row and a query per trigger at the commit: 14 per item an import writes. With the setting
    BULK_KEY_CHECK on, write_rows() runs its COPY without those triggers (session_replication_role = replica)
    and check() proves the same thing: every key the rows name is either a row this transaction inserted (a COPY
    writes all its rows or fails) or a row that exists, which it locks FOR KEY SHARE as the trigger would (that
    needs UPDATE on the referenced tables, which a role that runs the admin has; the triggers ran as the tables'
    owner). Updates and deletes keep their triggers, and so does a table with triggers of its own that the
    replica role would skip.

    The role must be allowed to set session_replication_role: a superuser, or from PostgreSQL 15
    `GRANT SET ON PARAMETER session_replication_role TO <role>`. The setting is off by default and explicit: a
    deployment turns it on knowing its role may, and a role that may not is an error at the import's start, not a
    silent fallback.
    """

    def __init__(self, tables_with_triggers: set[str]):
        self.tables_with_triggers = tables_with_triggers
        self.replica = False  # whether the connection runs without the row triggers now
        self.inserted: dict[str, set] = {}  # table → primary keys of the rows inserted
        self.referenced: dict[tuple[str, str], set] = {}  # (table, column) referenced → values named
        self.named_by: dict[tuple[str, str], set[str]] = {}  # the same → "table.column" naming them

    @classmethod
    def from_settings(cls) -> "KeyCheck | None":
        """A KeyCheck when BULK_KEY_CHECK is on and the database has row triggers to spare, else None."""
        if not settings.BULK_KEY_CHECK or not dialect().checks_keys_itself:
            return None
        with connection.cursor() as cursor:
            if not _may_turn_triggers_off(cursor):
                cursor.execute("SELECT current_user")
                raise ImproperlyConfigured(
                    f"BULK_KEY_CHECK is on, but the database role {cursor.fetchone()[0]} may not set "
                    "session_replication_role: grant it (GRANT SET ON PARAMETER session_replication_role TO …) "
                    "or turn BULK_KEY_CHECK off.")
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
            if cursor is None:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = origin")
            else:
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


def _may_turn_triggers_off(cursor) -> bool:
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        return True
    if connection.pg_version < 150000:
        return False
    cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
    return bool(cursor.fetchone()[0])


@lru_cache
def _models_by_table() -> dict[str, type]:
    return {model._meta.db_table: model for model in apps.get_models()}


@lru_cache
def _referenced_tables() -> set[str]:
    """Tables that a foreign key with a constraint points to."""
    return {f.target_field.model._meta.db_table for model in apps.get_models()
            for f in model._meta.concrete_fields if f.is_relation and f.db_constraint}
