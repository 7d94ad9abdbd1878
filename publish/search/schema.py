"""The database's full-text index over SearchDocument's term fields, as the migration creates it (create()).

- SQLite: an FTS5 table (external content = publish_searchdocument) over the three term fields. Deletes and
  updates reach it by triggers; new documents are added by the backend that writes them, one statement per batch
  (backends.sqlite).
- PostgreSQL: a tsvector column with a GIN index, written with each document (publish.text.tsvector_binary);
  a document whose terms are updated in place gets its vector from publish_search_vector() by a trigger.

Which statements apply is the search backends' choice (backends.engine).
"""

from .backends import engine

TABLE = "publish_searchdocument"
FTS = "publish_searchfts"
VECTOR = "search_vector"

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
# create() installs the statements above, then drops the insert trigger.
SQLITE_INSERT_TRIGGER = SQLITE_INSTALL[1]
SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {FTS}_ai",
    f"DROP TRIGGER IF EXISTS {FTS}_ad",
    f"DROP TRIGGER IF EXISTS {FTS}_au",
    f"DROP TABLE IF EXISTS {FTS}",
]
POSTGRES_INSTALL = [
    f"""ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {VECTOR} tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, coalesce(title_terms, '')), 'A')
        || setweight(to_tsvector('simple'::regconfig, coalesce(main_terms, '')), 'B')
        || setweight(to_tsvector('simple'::regconfig, coalesce(body_terms, '')), 'C')) STORED""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_{VECTOR} ON {TABLE} USING gin ({VECTOR})",
]
POSTGRES_UNINSTALL = [
    f"DROP INDEX IF EXISTS {TABLE}_{VECTOR}",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {VECTOR}",
]
# The vector written with each document. A document whose terms are updated in place (the project itself never
# does) gets its vector again from the same function in SQL, by a trigger that fires on such updates only,
# whatever the replication role.
POSTGRES_WRITTEN_VECTOR = [
    *POSTGRES_UNINSTALL,
    f"ALTER TABLE {TABLE} ADD COLUMN {VECTOR} tsvector",
    r"""CREATE OR REPLACE FUNCTION publish_search_vector(title text, main text, body text) RETURNS tsvector
        LANGUAGE sql STABLE AS $$
        SELECT coalesce(string_agg(format('''%s'':%s%s', replace(replace(w, '\', '\\'), '''', ''''''),
                                          least(n + f.before, 16383), f.weight), ' '), '')::tsvector
        FROM (VALUES (title, 'A', 0),
                     (main, 'B', coalesce(cardinality(string_to_array(nullif(title, ''), ' ')), 0)),
                     (body, 'C', coalesce(cardinality(string_to_array(nullif(title, ''), ' ')), 0)
                                 + coalesce(cardinality(string_to_array(nullif(main, ''), ' ')), 0)))
             AS f(terms, weight, before),
             unnest(string_to_array(nullif(f.terms, ''), ' ')) WITH ORDINALITY AS t(w, n)
        WHERE w <> '' AND octet_length(w) < 2048
        $$""",
    f"""CREATE OR REPLACE FUNCTION publish_search_vector_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.{VECTOR} := publish_search_vector(NEW.title_terms, NEW.main_terms, NEW.body_terms);
            RETURN NEW;
        END $$""",
    f"""CREATE TRIGGER publish_search_vector_update BEFORE UPDATE ON {TABLE} FOR EACH ROW
        WHEN (OLD.title_terms IS DISTINCT FROM NEW.title_terms OR OLD.main_terms IS DISTINCT FROM NEW.main_terms
              OR OLD.body_terms IS DISTINCT FROM NEW.body_terms)
        EXECUTE FUNCTION publish_search_vector_update()""",
    f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER publish_search_vector_update",
]
POSTGRES_WRITTEN_VECTOR_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS publish_search_vector_update ON {TABLE}",
    "DROP FUNCTION IF EXISTS publish_search_vector_update()",
    "DROP FUNCTION IF EXISTS publish_search_vector(text, text, text)",
]
# Once filled: a document written without its vector is refused, not left unsearchable.
POSTGRES_VECTOR_REQUIRED = f"ALTER TABLE {TABLE} ALTER COLUMN {VECTOR} SET NOT NULL"
POSTGRES_VECTOR_INDEX = f"CREATE INDEX IF NOT EXISTS {TABLE}_{VECTOR} ON {TABLE} USING gin ({VECTOR})"

_INSTALL = {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL}
_UNINSTALL = {"sqlite": SQLITE_UNINSTALL, "postgresql": POSTGRES_UNINSTALL}


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def install(apps, schema_editor):
    _run(schema_editor, _INSTALL.get(engine(schema_editor.connection), []))


def uninstall(apps, schema_editor):
    _run(schema_editor, _UNINSTALL.get(engine(schema_editor.connection), []))


def drop_insert_trigger(apps, schema_editor):
    if engine(schema_editor.connection) == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS}_ai")


def restore_insert_trigger(apps, schema_editor):
    if engine(schema_editor.connection) == "sqlite":
        schema_editor.execute(SQLITE_INSERT_TRIGGER)


def create(apps, schema_editor):
    """The whole index for a new database, as the migration creates it."""
    kind = engine(schema_editor.connection)
    if kind == "sqlite":
        _run(schema_editor, SQLITE_INSTALL)
        drop_insert_trigger(apps, schema_editor)
    elif kind == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # without parameters: the function's body has % in it
            for statement in [*POSTGRES_WRITTEN_VECTOR, POSTGRES_VECTOR_REQUIRED, POSTGRES_VECTOR_INDEX]:
                cursor.execute(statement)


def drop(apps, schema_editor):
    kind = engine(schema_editor.connection)
    if kind == "sqlite":
        _run(schema_editor, SQLITE_UNINSTALL)
    elif kind == "postgresql":
        _run(schema_editor, [*POSTGRES_WRITTEN_VECTOR_UNINSTALL, *POSTGRES_UNINSTALL])
