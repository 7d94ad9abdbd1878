"""The database's own full-text index over SearchDocument's jieba term fields (DESIGN decision 3).

The terms are segmented by jieba in Python (publish.text) and stored space-joined, so the database only splits on
spaces and needs no Chinese support of its own:

- SQLite: an FTS5 table (external content = publish_searchdocument), ranked by bm25 with column weights title ≫
  main item ≫ body. Deletes and updates reach it by triggers; new documents are added by the one function that
  writes them (publish.search.store_documents, with index_new_documents below), one statement per batch, which
  the import runs in a second thread beside its own work (migration 0007 dropped the insert trigger).
- PostgreSQL: a generated tsvector column ('simple' configuration, setweight A/B/C) with a GIN index, ranked by
  ts_rank with the same weights.

Both select the documents that contain any of the query's selective terms, count them, rank them in the database
(top k only) and, when a page shows facets, group them by the facet values. Created by migration 0004
(install/uninstall below).
"""

from django.db import connection

TABLE = "publish_searchdocument"
FTS = "publish_searchfts"
# title ≫ main item ≫ body, as publish.search.TITLE_WEIGHT / MAIN_ITEM_WEIGHT / BODY_WEIGHT.
WEIGHTS = (10.0, 4.0, 1.0)

SQLITE_INSTALL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(
        title_terms, main_terms, body_terms, content='{TABLE}', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS}(rowid, title_terms, main_terms, body_terms)
        VALUES (new.id, new.title_terms, new.main_terms, new.body_terms);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title_terms, main_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.main_terms, old.body_terms);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE ON {TABLE} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title_terms, main_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.main_terms, old.body_terms);
        INSERT INTO {FTS}(rowid, title_terms, main_terms, body_terms)
        VALUES (new.id, new.title_terms, new.main_terms, new.body_terms);
    END""",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
# Migration 0004 installs the statements above; 0007 then drops the insert trigger (index_new_documents instead).
SQLITE_INSERT_TRIGGER = SQLITE_INSTALL[1]
SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TABLE IF EXISTS {FTS}",
]
POSTGRES_INSTALL = [
    f"""ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, coalesce(title_terms, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(main_terms, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, coalesce(body_terms, '')), 'C')) STORED""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_search_vector ON {TABLE} USING gin (search_vector)",
]
POSTGRES_UNINSTALL = [
    f"DROP INDEX IF EXISTS {TABLE}_search_vector",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
]


def _statements(vendor, install):
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_UNINSTALL
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_UNINSTALL
    return []


def install(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor, True):
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor, False):
        schema_editor.execute(statement)


def drop_insert_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS}_ai")


def restore_insert_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_INSERT_TRIGGER)


def index_new_documents() -> str | None:
    """The statement that adds documents to the full-text index, by their ids as its one parameter (a JSON list);
    None where the index follows its table by itself (PostgreSQL's generated column)."""
    if connection.vendor != "sqlite":
        return None
    return (f"INSERT INTO {FTS}(rowid, title_terms, main_terms, body_terms)"
            f" SELECT id, title_terms, main_terms, body_terms FROM {TABLE}"
            " WHERE id IN (SELECT value FROM json_each(%s))")


def supported() -> bool:
    return connection.vendor in ("sqlite", "postgresql")


# --- queries -----------------------------------------------------------------------------------------------
def match_expression(terms) -> str:
    """Any of the terms, each quoted so the database reads it as one word (or a phrase of its own tokens)."""
    if connection.vendor == "postgresql":
        return " | ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms)
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _match_sql():
    if connection.vendor == "postgresql":
        return "d.search_vector @@ to_tsquery('simple'::regconfig, %s)"
    return f"d.id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)"


def filter_sql(filters) -> tuple[str, list]:
    """The filters as SQL over alias d ("" when none)."""
    clauses, params = [], []
    if filters.department:
        clauses.append("d.department_id = %s")
        params.append(filters.department)
    if filters.item_type:
        clauses.append("d.item_type = %s")
        params.append(filters.item_type)
    if filters.audience == "person":
        clauses.append("d.for_person = %s")
        params.append(True)
    elif filters.audience == "legal":
        clauses.append("d.for_legal = %s")
        params.append(True)
    if filters.online is not None:
        clauses.append("d.handled_online = %s")
        params.append(bool(filters.online))
    if filters.max_visits is not None:
        clauses.append("d.visits <= %s")
        params.append(filters.max_visits)
    return " AND ".join(clauses), params


def ranked_ids(terms, filters, limit: int, offset: int = 0) -> list[int]:
    """Ids of the filtered documents containing any of the terms, best first by the database's weighted rank."""
    return rank(terms, filters, limit, offset)[0]


def rank(terms, filters, limit: int, offset: int = 0) -> tuple[list[int], int]:
    """ranked_ids() and how many filtered documents contain any of the terms: on PostgreSQL from the same scan
    (a window count), on SQLite from the FTS index alone."""
    where, params = filter_sql(filters)
    expression = match_expression(terms)
    if connection.vendor == "postgresql":
        # ts_rank's weights are {D, C, B, A}; A title, B main item, C body.
        weights = "{" + ",".join(str(w / WEIGHTS[0]) for w in (WEIGHTS[2], WEIGHTS[2], WEIGHTS[1], WEIGHTS[0])) + "}"
        sql = (
            f"SELECT d.id, COUNT(*) OVER () FROM {TABLE} d, to_tsquery('simple'::regconfig, %s) q"
            " WHERE d.search_vector @@ q"
            + (f" AND {where}" if where else "")
            + " ORDER BY ts_rank(%s::float4[], d.search_vector, q) DESC, d.id LIMIT %s OFFSET %s"
        )
        args = [expression, *params, weights, limit, offset]
    elif not where:  # the FTS table alone: no lookup of every matching document
        sql = (
            f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s"
            f" ORDER BY bm25({FTS}, {WEIGHTS[0]}, {WEIGHTS[1]}, {WEIGHTS[2]}), rowid LIMIT %s OFFSET %s"
        )
        args = [expression, limit, offset]
    else:
        sql = (
            f"SELECT d.id FROM {FTS} JOIN {TABLE} d ON d.id = {FTS}.rowid WHERE {FTS} MATCH %s"
            + (f" AND {where}" if where else "")
            + f" ORDER BY bm25({FTS}, {WEIGHTS[0]}, {WEIGHTS[1]}, {WEIGHTS[2]}), d.id LIMIT %s OFFSET %s"
        )
        args = [expression, *params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        total = rows[0][1] if rows else (count(terms, filters) if offset else 0)
    else:
        total = count(terms, filters)
    return [row[0] for row in rows], total


def count(terms, filters) -> int:
    """How many filtered documents contain any of the terms."""
    where, params = filter_sql(filters)
    if connection.vendor == "postgresql":
        sql = f"SELECT COUNT(*) FROM {TABLE} d WHERE {_match_sql()}" + (f" AND {where}" if where else "")
    elif not where:
        sql = f"SELECT COUNT(*) FROM {FTS} WHERE {FTS} MATCH %s"
    else:
        sql = f"SELECT COUNT(*) FROM {FTS} JOIN {TABLE} d ON d.id = {FTS}.rowid WHERE {FTS} MATCH %s AND {where}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [match_expression(terms), *params])
        return cursor.fetchone()[0]


def facet_rows(terms) -> list[tuple]:
    """Per (department, type) of the documents containing any of the terms (whatever the filters): count,
    person, legal, online, at most one visit."""
    sql = (
        "SELECT d.department_id, d.item_type, COUNT(*),"
        " SUM(CASE WHEN d.for_person THEN 1 ELSE 0 END), SUM(CASE WHEN d.for_legal THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN d.handled_online THEN 1 ELSE 0 END), SUM(CASE WHEN d.visits <= 1 THEN 1 ELSE 0 END)"
        f" FROM {TABLE} d WHERE {_match_sql()} GROUP BY d.department_id, d.item_type"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match_expression(terms)])
        return cursor.fetchall()
