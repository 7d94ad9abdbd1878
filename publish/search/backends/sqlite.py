"""SQLite: an FTS5 table over the documents' term fields (schema.py), ranked by bm25 with the fields' weights.

The terms are jieba's, space-joined, so FTS5's unicode61 tokenizer only splits on spaces. New documents reach the
FTS5 table in one INSERT … SELECT per batch (index_new), which the import's writer thread runs beside its work;
deletes and updates by triggers.
"""

import json

from django.db import connection

from ..fields import WEIGHTS
from ..schema import FTS, TABLE
from .database import DatabaseBackend

_BM25 = f"bm25({FTS}, {', '.join(map(str, WEIGHTS))})"
_INSERT_NEW = (f"INSERT INTO {FTS}(rowid, title_terms, main_terms, body_terms)"
               f" SELECT id, title_terms, main_terms, body_terms FROM {TABLE}"
               " WHERE id IN (SELECT value FROM json_each(%s))")


def _execute(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class SQLiteBackend(DatabaseBackend):
    name = "sqlite"
    in_process = True
    match_sql = f"d.id IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)"

    def index_new(self, statements, document_ids):
        statements.call(_execute, _INSERT_NEW, [json.dumps(document_ids)])

    def apply_frequencies(self, delta):
        # executemany is fast enough here, even for the 100,000 terms of a large import (docs/benchmarks.md).
        added = [(term, n) for term, n in delta.items() if n > 0]
        removed = [(n, term) for term, n in delta.items() if n < 0]
        with connection.cursor() as cursor:
            if added:
                cursor.executemany(
                    f"INSERT INTO {self.FREQUENCIES} (term, documents) VALUES (%s, %s) ON CONFLICT (term)"
                    f" DO UPDATE SET documents = {self.FREQUENCIES}.documents + excluded.documents", added)
            if removed:
                cursor.executemany(
                    f"UPDATE {self.FREQUENCIES} SET documents = MAX(documents + %s, 0) WHERE term = %s", removed)
                cursor.execute(f"DELETE FROM {self.FREQUENCIES} WHERE documents = 0")

    def match_expression(self, terms) -> str:
        # An FTS5 query: each term a phrase of its tokens.
        return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)

    def rank(self, terms, filters, limit, offset=0):
        # The count comes from the FTS index alone (count()).
        where, params = self.filter_sql(filters)
        if not where:  # the FTS table alone: no lookup of every matching document
            sql = f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s ORDER BY {_BM25}, rowid LIMIT %s OFFSET %s"
            args = [self.match_expression(terms), limit, offset]
        else:
            sql = (f"SELECT d.id FROM {FTS} JOIN {TABLE} d ON d.id = {FTS}.rowid WHERE {FTS} MATCH %s AND {where}"
                   f" ORDER BY {_BM25}, d.id LIMIT %s OFFSET %s")
            args = [self.match_expression(terms), *params, limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            ids = [row[0] for row in cursor.fetchall()]
        return ids, self.count(terms, filters)

    def count(self, terms, filters):
        where, params = self.filter_sql(filters)
        if not where:
            sql = f"SELECT COUNT(*) FROM {FTS} WHERE {FTS} MATCH %s"
        else:
            sql = f"SELECT COUNT(*) FROM {FTS} JOIN {TABLE} d ON d.id = {FTS}.rowid WHERE {FTS} MATCH %s AND {where}"
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.match_expression(terms), *params])
            return cursor.fetchone()[0]
