"""PostgreSQL: a tsvector column with a GIN index (schema.py), ranked by ts_rank with the fields' weights.

The vector is built in Python from the jieba terms (publish.text.tsvector_binary: each term one lexeme, weight
A/B/C by field, in tsvector's binary form for the import's binary COPY) and written with the document; queries are
tsquery values of the same terms, so the database never parses the text itself.
"""

from django.db import connection

from ... import text
from ..documents import terms_of
from ..fields import WEIGHTS
from ..schema import TABLE, VECTOR
from .database import DatabaseBackend

# ts_rank's weights are {D, C, B, A}; A title, B main item, C body.
_RANK_WEIGHTS = "{" + ",".join(str(w / WEIGHTS[0]) for w in (WEIGHTS[2], WEIGHTS[2], WEIGHTS[1], WEIGHTS[0])) + "}"


class PostgresBackend(DatabaseBackend):
    name = "postgresql"
    match_sql = f"d.{VECTOR} @@ %s::tsquery"
    vector_written = True  # the import's analysing process builds the vectors (BulkIndex)

    def with_vectors(self, columns, rows, documents, vectors):
        # The column is NOT NULL: a document written without its vector is refused rather than left unsearchable.
        if vectors is None:
            vectors = [text.tsvector_binary(*terms_of(document)) for document in documents]
        return [*columns, VECTOR], [(*row, vector) for row, vector in zip(rows, vectors, strict=True)]

    def apply_frequencies(self, delta):
        # Two arrays in one statement each: an import of 100,000 documents brings 100,000 terms, which
        # executemany took seconds over (docs/benchmarks.md).
        added = [(term, n) for term, n in delta.items() if n > 0]
        removed = [(term, n) for term, n in delta.items() if n < 0]
        with connection.cursor() as cursor:
            if added:
                cursor.execute(
                    f"INSERT INTO {self.FREQUENCIES} (term, documents)"
                    " SELECT * FROM unnest(%s::varchar[], %s::integer[]) ON CONFLICT (term)"
                    f" DO UPDATE SET documents = {self.FREQUENCIES}.documents + excluded.documents",
                    [list(t) for t in zip(*added, strict=True)])
            if removed:
                cursor.execute(
                    f"UPDATE {self.FREQUENCIES} t SET documents = GREATEST(t.documents + d.n, 0)"
                    " FROM unnest(%s::varchar[], %s::integer[]) AS d(term, n) WHERE t.term = d.term",
                    [list(t) for t in zip(*removed, strict=True)])
                cursor.execute(f"DELETE FROM {self.FREQUENCIES} WHERE documents = 0")

    def match_expression(self, terms) -> str:
        # A tsquery of the lexemes as they are, as text.tsvector_text writes them.
        return " | ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms)

    def rank(self, terms, filters, limit, offset=0):
        # The count from the same scan (a window count).
        where, params = self.filter_sql(filters)
        sql = (
            f"SELECT d.id, COUNT(*) OVER () FROM {TABLE} d, CAST(%s AS tsquery) q WHERE d.{VECTOR} @@ q"
            + (f" AND {where}" if where else "")
            + f" ORDER BY ts_rank(%s::float4[], d.{VECTOR}, q) DESC, d.id LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.match_expression(terms), *params, _RANK_WEIGHTS, limit, offset])
            rows = cursor.fetchall()
        total = rows[0][1] if rows else (self.count(terms, filters) if offset else 0)
        return [row[0] for row in rows], total

    def count(self, terms, filters):
        where, params = self.filter_sql(filters)
        sql = f"SELECT COUNT(*) FROM {TABLE} d WHERE {self.match_sql}" + (f" AND {where}" if where else "")
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.match_expression(terms), *params])
            return cursor.fetchone()[0]
