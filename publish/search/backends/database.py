"""The database's own full-text index as a search backend: what SQLite FTS5 (sqlite.py) and PostgreSQL
(postgres.py) share.

The database selects the documents that contain any of the query's selective terms, counts them and ranks them
(top RERANK_DEPTH only); ranking.py rescores those exactly, and a page that shows facets groups the matches.
Documents are written by store_documents() alone, in plain SQL: the import writes 100,000 this way.
"""

import hashlib
from collections import Counter

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from bulk import IdPool, Statements
from catalog.models import ServiceItem

from ...models import SearchDocument, TermFrequency
from .. import cache
from ..documents import DOCUMENT_FIELDS, DOCUMENTS, document_terms, document_values_of, indexable, terms_of
from ..fields import FACET_COUNTS, FACET_GROUPS, Condition
from ..ranking import DID_YOU_MEAN_BELOW, RERANK_DEPTH, Ranking, score_rows, term_statistics, weighted_query_terms
from ..results import Hit, LazyFacets, SearchResult, facets_from_rows
from ..schema import TABLE
from ..suggest import did_you_mean
from .base import SearchBackend


def condition_q(condition: Condition) -> Q:
    return Q(**{f"{condition.field}__lte" if condition.at_most else condition.field: condition.value})


def condition_sql(condition: Condition) -> tuple[str, list]:
    """The condition as SQL over alias d."""
    column = SearchDocument._meta.get_field(condition.field).column
    return f"d.{column} {'<=' if condition.at_most else '='} %s", [condition.value]


class DatabaseBackend(SearchBackend):
    FREQUENCIES = TermFrequency._meta.db_table
    # The database works in this process, on this process's time (SQLite), rather than in a server of its own:
    # a bulk write's text analysis then gives way to the documents (indexing.BulkIndex.segment_ahead).
    in_process = False
    # Documents are written with their full-text vector, which a bulk write's analysing process builds.
    vector_written = False
    # The SQL condition "d matches the query", with match_expression()'s value as its one parameter.
    match_sql = ""

    @property
    def documents(self):
        return self

    # --- writing --------------------------------------------------------------------------------------------
    @transaction.atomic
    def index_items(self, items, frequencies: Counter | None = None) -> int:
        """Published items are written, others removed. Document frequencies are updated in TermFrequency, or
        added to `frequencies` when given (rebuild)."""
        items = list(items)
        documents = [document_values_of(item) for item in items if item.live]
        return self.store_documents([item.pk for item in items], documents, frequencies)

    def remove_item(self, item_id: int):
        self.index_items([ServiceItem(pk=item_id, live=False)])

    def store_documents(self, item_ids, documents: list[tuple], frequencies: Counter | None = None,
                        statements: Statements | None = None, ids: IdPool | None = None,
                        term_counts: Counter | None = None, vectors: list | None = None) -> int:
        """Replace the documents of these items with the given ones (documents.document_values() tuples) and
        keep the term frequencies in step: at once, or by adding the changes to `frequencies` for
        apply_frequencies() later. The import hands its BackgroundWriter, reserved ids and the new documents'
        term counts and vectors (text.analyse_and_count(), done in its analysing process)."""
        statements = statements or Statements()
        delta = Counter()
        for start in range(0, len(item_ids), 5000):
            old = SearchDocument.objects.filter(item_id__in=item_ids[start : start + 5000])
            for row in old.values_list("title_terms", "main_terms", "body_terms"):
                delta.subtract(document_terms(*row))
                delta[DOCUMENTS] -= 1
            old.delete()
        if term_counts is None:
            term_counts = Counter()
            for document in documents:
                term_counts.update(document_terms(*terms_of(document)))
        delta.update(term_counts)
        delta[DOCUMENTS] += len(documents)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        document_ids = (ids or IdPool(statements)).take(SearchDocument, len(documents))
        columns = ["id", *DOCUMENT_FIELDS, "indexed_at"]
        rows = [(pk, *document, now) for pk, document in zip(document_ids, documents, strict=True)]
        columns, rows = self.with_vectors(columns, rows, documents, vectors)
        statements.insert(SearchDocument._meta.db_table, columns, rows)
        if documents:
            self.index_new(statements, document_ids)
        if frequencies is None:
            self.apply_frequencies(delta)
            cache.changed()
        else:
            frequencies.update(delta)
        return len(documents)

    def with_vectors(self, columns, rows, documents, vectors):
        """The documents' rows with what the full-text index reads from them, when it is written with them."""
        return columns, rows

    def index_new(self, statements: Statements, document_ids: list[int]):
        """Add new documents to a full-text index that is not written with them."""

    def apply_frequencies(self, delta: Counter):
        """Add the changes to TermFrequency, then drop terms no longer used."""
        raise NotImplementedError

    def rebuild(self, batch_size=500, progress=None) -> int:
        SearchDocument.objects.all().delete()
        ids = list(ServiceItem.objects.filter(live=True).order_by("pk").values_list("pk", flat=True))
        frequencies = Counter()
        done = 0
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            done += self.index_items(indexable(ServiceItem.objects.filter(pk__in=chunk)), frequencies)
            if progress:
                progress(done, len(ids))
        frequencies[DOCUMENTS] = done
        with transaction.atomic():
            TermFrequency.objects.all().delete()
            TermFrequency.objects.bulk_create(
                [TermFrequency(term=term, documents=n) for term, n in frequencies.items() if n > 0], batch_size=2000
            )
        cache.changed()
        return done

    def check(self) -> dict:
        return {"documents": SearchDocument.objects.count(), "published": ServiceItem.objects.filter(live=True).count()}

    # --- searching ------------------------------------------------------------------------------------------
    def search(self, query, filters, page, page_size) -> SearchResult:
        if not query:
            return self.browse(filters, page, page_size)
        prefix = cache.prefix()
        digest = hashlib.sha1(f"{query}|{filters!r}".encode()).hexdigest()
        ranking = cache.cached(prefix, f"q:{digest}", lambda: self.rank_query(query, filters, prefix))
        start = (page - 1) * page_size
        if start < RERANK_DEPTH or not ranking.idf:
            page_scores = ranking.scored[start : start + page_size]
        else:
            ids = self.ranked_ids(ranking.selective, filters, page_size, start)
            scores = dict(score_rows(self.candidate_rows(ids), query, ranking.weights, ranking.idf))
            page_scores = [(pk, scores.get(pk, 0.0)) for pk in ids]
        documents = SearchDocument.objects.select_related("department").in_bulk([pk for pk, _s in page_scores])
        hits = [Hit(documents[pk], score) for pk, score in page_scores if pk in documents]
        return SearchResult(
            query=query,
            terms=ranking.terms,
            hits=hits,
            total=ranking.total,
            page=page,
            page_size=page_size,
            facets=LazyFacets(lambda: self.match_facets(ranking.selective, prefix)),
            did_you_mean=ranking.did_you_mean,
        )

    def rank_query(self, query: str, filters, prefix: str) -> Ranking:
        weights = weighted_query_terms(query, prefix)
        idf, selective = term_statistics(weights)
        if not idf:
            return Ranking(list(weights), weights, idf, selective, [], 0, did_you_mean(query))
        ids, total = self.rank(selective, filters, RERANK_DEPTH)
        scored = score_rows(self.candidate_rows(ids), query, weights, idf)
        ranking = Ranking(list(weights), weights, idf, selective, scored, total)
        near_miss = any(term not in idf for term, weight in weights.items() if weight == 1.0)
        # Only worth a scan of the titles' pinyin when the results are few: a typo rather than a rare word.
        if total == 0 or (near_miss and total < DID_YOU_MEAN_BELOW):
            ranking.did_you_mean = did_you_mean(query)
        return ranking

    @staticmethod
    def candidate_rows(ids: list[int]):
        return list(SearchDocument.objects.filter(id__in=ids).values_list(
            "id", "title", "title_terms", "main_terms", "body_terms"))

    def browse(self, filters, page: int, page_size: int) -> SearchResult:
        documents = SearchDocument.objects.filter(*map(condition_q, filters.conditions()))
        total = documents.count()
        start = (page - 1) * page_size
        page_rows = documents.select_related("department").order_by("department__name", "title")
        rows = list(page_rows[start : start + page_size])
        return SearchResult("", [], [Hit(doc, 0.0) for doc in rows], total, page, page_size, facets=self.all_facets())

    def all_facets(self) -> dict:
        """Facets of every published item (home page, browsing), cached per publication generation."""
        return cache.cached(cache.prefix(), "facets", lambda: self.facets(SearchDocument.objects.all()))

    @staticmethod
    def facets(documents) -> dict:
        """The facets of a SearchDocument queryset, from one GROUP BY."""
        counts = {name: Count("id", filter=condition_q(condition)) for name, condition in FACET_COUNTS.items()}
        return facets_from_rows(documents.values_list(*FACET_GROUPS).annotate(n=Count("id"), **counts).order_by())

    def match_facets(self, selective: list[str], prefix: str) -> dict:
        if not selective:
            return facets_from_rows([])
        key = "f:" + hashlib.sha1(" ".join(selective).encode()).hexdigest()
        return cache.cached(prefix, key, lambda: facets_from_rows(self.facet_rows(selective)))

    # --- the database's part --------------------------------------------------------------------------------
    @staticmethod
    def filter_sql(filters) -> tuple[str, list]:
        """The filters as SQL over alias d ("" when none)."""
        clauses, params = [], []
        for condition in filters.conditions():
            sql, args = condition_sql(condition)
            clauses.append(sql)
            params += args
        return " AND ".join(clauses), params

    def match_expression(self, terms) -> str:
        """Any of the terms, each quoted so that the database reads it as one word."""
        raise NotImplementedError

    def rank(self, terms, filters, limit: int, offset: int = 0) -> tuple[list[int], int]:
        """ranked_ids(), and how many filtered documents contain any of the terms."""
        raise NotImplementedError

    def ranked_ids(self, terms, filters, limit: int, offset: int = 0) -> list[int]:
        """Ids of the filtered documents containing any of the terms, best first by the database's weighted rank."""
        return self.rank(terms, filters, limit, offset)[0]

    def count(self, terms, filters) -> int:
        """How many filtered documents contain any of the terms."""
        raise NotImplementedError

    def facet_rows(self, terms) -> list[tuple]:
        """Per facet group of the documents containing any of the terms (whatever the filters): the count, then
        the count of each of FACET_COUNTS."""
        counts, params = [], []
        for condition in FACET_COUNTS.values():
            sql, args = condition_sql(condition)
            counts.append(f"SUM(CASE WHEN {sql} THEN 1 ELSE 0 END)")
            params += args
        groups = ", ".join(f"d.{SearchDocument._meta.get_field(name).column}" for name in FACET_GROUPS)
        sql = f"SELECT {groups}, COUNT(*), {', '.join(counts)} FROM {TABLE} d WHERE {self.match_sql} GROUP BY {groups}"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, self.match_expression(terms)])
            return cursor.fetchall()
