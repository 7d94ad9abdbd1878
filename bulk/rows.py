"""Many rows in few statements: ids reserved up front, inserts, updates by key."""

from django.db import connection

from .dialects import dialect


def reserve_ids(model, count: int) -> list[int]:
    """Reserve `count` primary keys for rows this transaction will insert with explicit ids (SQLite: the table's
    AUTOINCREMENT counter moved on; PostgreSQL: nextval on its sequence)."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        return dialect().reserve_ids(cursor, model._meta.db_table, model._meta.pk.column, count)


def write_rows(table: str, columns: list[str], rows, keys=None, keep_role=False):
    """INSERT the rows (a list of tuples in column order, values already as the database takes them).

    SQLite: INSERT statements of up to 500 rows, faster than executemany() and one step each (see
    BackgroundWriter); PostgreSQL: COPY, its foreign keys left to `keys` (a
    bulk.KeyCheck) where given."""
    if rows:
        dialect().write_rows(table, columns, rows, keys, keep_role)


def present(model, field: str, values: list) -> list:
    """Which of the values the model's field holds (a unique code, say), for many values at once."""
    if not values:
        return []
    with connection.cursor() as cursor:
        return dialect().present(cursor, model._meta.db_table, model._meta.get_field(field).column, values)


def update_rows(table: str, columns: list[str], rows, key="id"):
    """UPDATE the columns by key: each row is (values in column order…, key value)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(table), ", ".join(f"{quote(c)} = %s" for c in columns), quote(key))
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
