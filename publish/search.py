"""The one search function of the public site and the open-data API.

search() takes the citizen's words and filters and returns ranked, faceted, paged hits. The database index
(publish.models.SearchDocument with jieba term fields, and the database's full-text index over them: publish.fulltext)
is the embedded default; with ELASTICSEARCH_URL set the same function asks Elasticsearch (publish.elastic) instead.
Indexing: index_item(), remove_item(), rebuild().

Ranking: the database selects the documents that contain a selective query term and ranks them (bm25 on SQLite,
ts_rank on PostgreSQL; title ≫ main item ≫ body); the best RERANK_DEPTH are rescored here exactly — idf × field weight
× coverage of the query, then the phrase bonus — and paged. Results, facets and document frequencies are cached,
keyed by the publication generation (publish.state), which every index change bumps.
"""

import bisect
import hashlib
import json
import math
import threading
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import itemgetter

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from catalog.models import ServiceItem
from catalog.writer import IdPool, Statements

from . import fulltext, state, text
from .models import SearchDocument, Synonym, TermFrequency, ZeroResultQuery

TITLE_WEIGHT = 10.0
MAIN_ITEM_WEIGHT = 4.0
BODY_WEIGHT = 1.0
SYNONYM_FACTOR = 0.9
# Candidates ranked by the database and rescored in Python (coverage, phrase bonus) before paging; deeper pages
# keep the database's order.
RERANK_DEPTH = 200
PAGE_SIZE = 10
DID_YOU_MEAN_BELOW = 5
MAX_QUERY_LENGTH = 100
CACHE_SECONDS = 600

FACET_FIELDS = ("department", "item_type", "audience", "online", "visits")


# --- indexing --------------------------------------------------------------------------------------------
_item_type_labels: dict[str, str] = {}


def _item_type_label(code: str) -> str:
    """get_item_type_display() without its per-call translation and hashing of the choices (rebuild speed)."""
    if not _item_type_labels:
        from catalog.codes import ItemType

        _item_type_labels.update({value: str(label) for value, label in ItemType.choices})
    return _item_type_labels.get(code, code or "")


def item_body(item: ServiceItem) -> str:
    return "\n".join(item_body_parts(item))


def item_body_parts(item: ServiceItem) -> list[str]:
    """body_parts() of a stored item (its children prefetched)."""
    return body_parts(item.__dict__, item.department, [m.name for m in item.materials.all()],
                      [(q.question, q.answer) for q in item.faqs.all()], [b.law for b in item.legal_bases.all()])


def body_parts(item, department, material_names, faqs, laws) -> list[str]:
    """The texts a document's body is made of, each on its own (they are segmented and cached one by one)."""
    parts = [
        department.name,
        department.short_name,
        item["acceptance_conditions"],
        item["handling_flow"],
        item["result_name"],
        item["special_procedures"],
        _item_type_label(item["item_type"]),
        *material_names,
        *(f"{question} {answer}" for question, answer in faqs),
        *laws,
    ]
    return [p for p in parts if p]


def term_weight(term: str, fields) -> float:
    """The strongest field a term occurs in, plus a little for each further field (fields: padded term strings)."""
    weight, needle = 0.0, f" {term} "
    for terms, field_weight in zip(fields, (TITLE_WEIGHT, MAIN_ITEM_WEIGHT, BODY_WEIGHT), strict=True):
        if needle in terms:
            weight = max(weight, field_weight) + min(weight, field_weight) * 0.1
    return weight


def audience(service_objects: str) -> tuple[bool, bool]:
    codes = {c.strip() for c in (service_objects or "").split(",") if c.strip()}
    return "1" in codes, bool(codes - {"1"})


# SearchDocument's columns as document_values() gives them (id and indexed_at are added when written).
DOCUMENT_FIELDS = ("item_id", "code", "title", "main_item_name", "parent_code", "department_id", "item_type",
                   "for_person", "for_legal", "handled_online", "visits", "summary", "pinyin", "initials",
                   "title_terms", "main_terms", "body_terms")
_terms_of = itemgetter(*(DOCUMENT_FIELDS.index(f) for f in ("title_terms", "main_terms", "body_terms")))


def document_values(item, department, parent_code: str, analysed: tuple) -> tuple:
    """One document's values in DOCUMENT_FIELDS order, from the item's fields by name (a model's __dict__ or an
    import's content: both give the same document) and text.analyse_document() of its texts."""
    for_person, for_legal = audience(item["service_objects"])
    summary = (item["acceptance_conditions"] or item["handling_flow"] or "").replace("\n", " ")[:200]
    title_terms, pinyin, initials, main_terms, body_terms = analysed
    return (
        item["id"] if "id" in item else item["pk"], item["implementation_code"], item["name"],
        item["main_item_name"], parent_code, department.pk, item["item_type"], for_person, for_legal,
        item["handled_online"], item["visits"], summary, pinyin, initials, title_terms, main_terms, body_terms,
    )


document_terms = text.document_terms


def _published(queryset=None):
    queryset = ServiceItem.objects.all() if queryset is None else queryset
    return (
        queryset.filter(live=True)
        .select_related("department", "parent")
        .prefetch_related("materials", "faqs", "legal_bases")
    )


# The TermFrequency row of the empty term (never a jieba term) counts the documents: idf needs it with the terms'.
DOCUMENTS = ""


def apply_frequencies(delta: Counter):
    """Add the changes to TermFrequency, one upsert per term, then drop terms no longer used.

    PostgreSQL takes them as two arrays in one statement (an import of 100,000 documents brings 100,000 terms:
    1.5 s as executemany); SQLite's executemany is fast enough (0.1 s)."""
    added = [(term, n) for term, n in delta.items() if n > 0]
    removed = [(term, n) for term, n in delta.items() if n < 0]
    table = TermFrequency._meta.db_table
    upsert = (f"INSERT INTO {table} (term, documents) {{}} ON CONFLICT (term)"
              f" DO UPDATE SET documents = {table}.documents + excluded.documents")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if added:
                cursor.execute(upsert.format("SELECT * FROM unnest(%s::varchar[], %s::integer[])"),
                               [list(t) for t in zip(*added, strict=True)])
            if removed:
                cursor.execute(
                    f"UPDATE {table} t SET documents = GREATEST(t.documents + d.n, 0)"
                    " FROM unnest(%s::varchar[], %s::integer[]) AS d(term, n) WHERE t.term = d.term",
                    [list(t) for t in zip(*removed, strict=True)])
        else:
            if added:
                cursor.executemany(upsert.format("VALUES (%s, %s)"), added)
            if removed:
                cursor.executemany(
                    f"UPDATE {table} SET documents = MAX(documents + %s, 0) WHERE term = %s",
                    [(n, term) for term, n in removed])
        if removed:
            cursor.execute(f"DELETE FROM {table} WHERE documents = 0")


@transaction.atomic
def index_items(items, frequencies: Counter | None = None) -> int:
    """(Re)index the given items: published ones are written, others removed. Returns documents written.

    Document frequencies are updated in TermFrequency, or added to `frequencies` when given (rebuild)."""
    items = list(items)
    documents = [document_values_of(item) for item in items if item.live]
    return store_documents([item.pk for item in items], documents, frequencies)


def document_values_of(item: ServiceItem) -> tuple:
    parent_code = item.parent.implementation_code if item.parent_id and item.parent else ""
    return document_values(item.__dict__, item.department, parent_code,
                           text.analyse_document(item.name, item.main_item_name, item_body_parts(item)))


def store_documents(item_ids, documents: list[tuple], frequencies: Counter | None = None, changed=True,
                    statements: Statements | None = None, ids: IdPool | None = None,
                    term_counts: Counter | None = None, vectors: list[str] | None = None) -> int:
    """Replace the documents of these items with the given ones (document_values() tuples) and keep the term
    frequencies in step: at once, or by adding the changes to `frequencies` for apply_frequencies() later.
    Plain SQL: the import writes 100,000 documents this way, handing its BackgroundWriter, reserved ids and the
    new documents' term counts and tsvectors (text.analyse_and_count(), done in its analysing process).
    This is the one function that writes documents: on PostgreSQL it writes their tsvector too."""
    statements = statements or Statements()
    delta = Counter()
    if len(item_ids):
        statements.wait()  # the old documents are read and deleted in this thread
    for start in range(0, len(item_ids), 5000):
        old = SearchDocument.objects.filter(item_id__in=item_ids[start : start + 5000])
        for row in old.values_list("title_terms", "main_terms", "body_terms"):
            delta.subtract(document_terms(*row))
            delta[DOCUMENTS] -= 1
        old.delete()
    if term_counts is None:
        term_counts = Counter()
        for document in documents:
            term_counts.update(document_terms(*_terms_of(document)))
    delta.update(term_counts)
    delta[DOCUMENTS] += len(documents)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    document_ids = (ids or IdPool(statements)).take(SearchDocument, len(documents))
    columns = ["id", *DOCUMENT_FIELDS, "indexed_at"]
    rows = [(pk, *document, now) for pk, document in zip(document_ids, documents, strict=True)]
    if fulltext.vector_written():
        if vectors is None:
            vectors = [text.tsvector_binary(*_terms_of(document)) for document in documents]
        columns.append(fulltext.VECTOR)
        rows = [(*row, vector) for row, vector in zip(rows, vectors, strict=True)]
    statements.insert(SearchDocument._meta.db_table, columns, rows)
    index_new = fulltext.index_new_documents()
    if index_new and documents:
        statements.call(_execute, index_new, [json.dumps(document_ids)])
    if frequencies is None:
        statements.wait()
        apply_frequencies(delta)
        if changed:
            _changed()
    else:
        frequencies.update(delta)
    return len(documents)


def _execute(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def index_item(item_id: int) -> bool:
    """Bring one item's index entry in line with its published state. True when it is now searchable."""
    items = list(_published(ServiceItem.objects.filter(pk=item_id)))
    if not items:
        remove_item(item_id)
        return False
    index_items(items)
    if settings.ELASTICSEARCH_URL:
        from . import elastic

        elastic.index_items(items)
    return True


def remove_item(item_id: int):
    index_items([ServiceItem(pk=item_id, live=False)])
    if settings.ELASTICSEARCH_URL:
        from . import elastic

        elastic.remove_item(item_id)


def rebuild(batch_size=500, progress=None) -> int:
    """Rebuild the database index from every published item. progress(done, total) is called per batch."""
    SearchDocument.objects.all().delete()
    ids = list(ServiceItem.objects.filter(live=True).order_by("pk").values_list("pk", flat=True))
    frequencies = Counter()
    done = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        done += index_items(_published(ServiceItem.objects.filter(pk__in=chunk)), frequencies)
        if progress:
            progress(done, len(ids))
    frequencies[DOCUMENTS] = done
    with transaction.atomic():
        TermFrequency.objects.all().delete()
        TermFrequency.objects.bulk_create(
            [TermFrequency(term=term, documents=n) for term, n in frequencies.items() if n > 0], batch_size=2000
        )
    _changed()
    return done


# --- caching -----------------------------------------------------------------------------------------------
def _cache_prefix() -> str:
    """Keys of cached search data: the publication generation (bumped by every index change and synonym edit),
    and an epoch that a cache clear renews (the generation restarts with a new database)."""
    epoch = cache.get("publish:search:epoch")
    if epoch is None:
        epoch = uuid.uuid4().hex[:12]
        cache.add("publish:search:epoch", epoch, None)
        epoch = cache.get("publish:search:epoch", epoch)
    return f"publish:search:{epoch}:{state.generation()}"


def index_changed():
    """Call after the index changed outside index_items (the import's bulk write), once it has committed."""
    _changed()


def _changed():
    """The index changed: bump the publication generation (every process) and renew this cache's epoch (a test
    database restarts the generation, so it alone could meet results cached before)."""
    state.bump()
    cache.set("publish:search:epoch", uuid.uuid4().hex[:12], None)


def _cached(prefix: str, name: str, compute):
    key = f"{prefix}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


# --- querying --------------------------------------------------------------------------------------------
@dataclass
class Filters:
    department: int | None = None
    item_type: str | None = None
    audience: str | None = None  # "person" | "legal"
    online: bool | None = None
    max_visits: int | None = None

    def apply(self, documents):
        if self.department:
            documents = documents.filter(department_id=self.department)
        if self.item_type:
            documents = documents.filter(item_type=self.item_type)
        if self.audience == "person":
            documents = documents.filter(for_person=True)
        elif self.audience == "legal":
            documents = documents.filter(for_legal=True)
        if self.online is not None:
            documents = documents.filter(handled_online=self.online)
        if self.max_visits is not None:
            documents = documents.filter(visits__lte=self.max_visits)
        return documents


@dataclass
class Hit:
    document: SearchDocument
    score: float

    @property
    def code(self):
        return self.document.code

    @property
    def title(self):
        return self.document.title


class LazyFacets(Mapping):
    """Facets computed on first use: the API never shows them, the results page does (cached like the rest)."""

    def __init__(self, load):
        self._load, self._data = load, None

    def _loaded(self) -> dict:
        if self._data is None:
            self._data = self._load()
        return self._data

    def __getitem__(self, key):
        return self._loaded()[key]

    def __iter__(self):
        return iter(self._loaded())

    def __len__(self):
        return len(self._loaded())


@dataclass
class SearchResult:
    query: str
    terms: list[str]
    hits: list[Hit]
    total: int
    page: int
    page_size: int
    facets: Mapping = field(default_factory=dict)
    did_you_mean: str = ""

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_next(self):
        return self.page < self.pages

    def highlight(self, value: str):
        return highlight(value, self.terms)


def _load_synonym_table() -> list[tuple[str, list[str]]]:
    pairs = []
    for synonym in Synonym.objects.all():
        words = synonym.expansion_list
        pairs.append((text.normalise(synonym.term), words))
        if synonym.two_way:
            for word in words:
                pairs.append((text.normalise(word), [synonym.term]))
    return pairs


def synonym_table(prefix: str | None = None) -> list[tuple[str, list[str]]]:
    return _cached(prefix or _cache_prefix(), "synonyms", _load_synonym_table)


def weighted_query_terms(query: str, prefix: str | None = None) -> dict[str, float]:
    """The query's terms with weight 1, plus the terms of any synonym whose word occurs in the query."""
    weights = {term: 1.0 for term in text.query_terms(query)}
    normalised = text.normalise(query)
    for word, expansions in synonym_table(prefix):
        if word and word in normalised:
            for expansion in expansions:
                for term in text.query_terms(expansion):
                    weights.setdefault(term, SYNONYM_FACTOR)
    return weights


# A term in more than this share of documents (许可, 办理, 证明 …) does not select documents by itself: it only
# adds to the score of documents that a more specific term selected (like Elasticsearch's common-terms query).
COMMON_TERM_SHARE = 0.05


# The selective terms that select candidates are the rarest, until together they occur in about this many
# documents (at least one term): the others, which would flood the candidates with documents matching only a
# by-word of a synonym (社会, 卡 …), still score. Below this size every selective term selects.
SELECT_POOL = 4000


def _idf(query_weights: dict[str, float], prefix: str = "") -> tuple[dict[str, float], list[str]]:
    """idf of the query's indexed terms, and the terms that select candidates, rarest first."""
    frequencies = dict(
        TermFrequency.objects.filter(term__in=[DOCUMENTS, *query_weights], documents__gt=0).values_list(
            "term", "documents"
        )
    )
    total = frequencies.pop(DOCUMENTS, 0) or SearchDocument.objects.count() or 1
    idf = {term: math.log(1 + total / frequencies[term]) for term in query_weights if term in frequencies}
    selective = sorted((t for t in idf if frequencies[t] <= max(50, total * COMMON_TERM_SHARE)),
                       key=lambda t: (frequencies[t], t))
    if not selective and idf:
        selective = [min(idf, key=lambda t: frequencies[t])]
    selecting, pool = [], 0
    for term in selective:
        if selecting and pool + frequencies[term] > SELECT_POOL:
            break
        selecting.append(term)
        pool += frequencies[term]
    return idf, selecting


@dataclass
class _Ranking:
    """What a query and its filters yield, independent of the page: cached per publication generation."""

    terms: list[str]
    weights: dict[str, float]
    idf: dict[str, float]
    selective: list[str]
    scored: list[tuple[int, float]]  # the best RERANK_DEPTH (document id, score), best first
    total: int
    did_you_mean: str = ""


def _score_rows(rows, query: str, weights: dict[str, float], idf: dict[str, float]) -> list[tuple[int, float]]:
    """Exact scores of (id, title, title_terms, main_terms, body_terms) rows, best first.

    Σ idf × query weight × field weight, times the squared coverage: the share of the query's own terms (by idf)
    a document matches, so a title that has all of 营业 执照 营业执照 in its body outranks one that merely has
    营业 in its title. Synonyms count towards it. Then the phrase bonus (_rerank)."""
    original = sum(idf[t] for t, w in weights.items() if t in idf and w == 1.0) or sum(idf.values())
    scored = []
    for pk, title, title_terms, main_terms, body_terms in rows:
        fields = (f" {title_terms} ", f" {main_terms} ", f" {body_terms} ")
        raw = covered = 0.0
        for term, term_idf in idf.items():
            weight = term_weight(term, fields)
            if weight:
                raw += term_idf * weights[term] * weight
                covered += term_idf * weights[term] / original
        score = raw * min(covered, 1.0) ** 2
        scored.append((_rerank(title, score, query), len(title), pk))
    scored.sort(key=lambda row: (-row[0], row[1], row[2]))
    return [(pk, score) for score, _length, pk in scored]


def _candidate_rows(ids: list[int]):
    rows = SearchDocument.objects.filter(id__in=ids).values_list(
        "id", "title", "title_terms", "main_terms", "body_terms"
    )
    return list(rows)


def _rank(query: str, filters: Filters, prefix: str) -> _Ranking:
    weights = weighted_query_terms(query, prefix)
    idf, selective = _idf(weights, prefix)
    if not idf:
        return _Ranking(list(weights), weights, idf, selective, [], 0, did_you_mean(query))
    ids, total = fulltext.rank(selective, filters, RERANK_DEPTH)
    scored = _score_rows(_candidate_rows(ids), query, weights, idf)
    ranking = _Ranking(list(weights), weights, idf, selective, scored, total)
    near_miss = any(term not in idf for term, weight in weights.items() if weight == 1.0)
    # Only worth a scan of the titles' pinyin when the results are few: a typo rather than a rare word.
    if total == 0 or (near_miss and total < DID_YOU_MEAN_BELOW):
        ranking.did_you_mean = did_you_mean(query)
    return ranking


def search(query: str = "", filters: Filters | None = None, page: int = 1, page_size: int = PAGE_SIZE,
           record=True) -> SearchResult:
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    filters = filters or Filters()
    if settings.ELASTICSEARCH_URL:
        from . import elastic

        return elastic.search(query, filters, page, page_size)
    if not query:
        return _browse(filters, page, page_size)

    prefix = _cache_prefix()
    digest = hashlib.sha1(f"{query}|{filters!r}".encode()).hexdigest()
    ranking = _cached(prefix, f"q:{digest}", lambda: _rank(query, filters, prefix))
    if ranking.total == 0 and record:
        ZeroResultQuery.record(query)
    start = (page - 1) * page_size
    if start < RERANK_DEPTH or not ranking.idf:
        page_scores = ranking.scored[start : start + page_size]
    else:
        ids = fulltext.ranked_ids(ranking.selective, filters, page_size, start)
        scores = dict(_score_rows(_candidate_rows(ids), query, ranking.weights, ranking.idf))
        page_scores = [(pk, scores.get(pk, 0.0)) for pk in ids]
    documents = SearchDocument.objects.select_related("department").in_bulk([pk for pk, _s in page_scores])
    hits = [Hit(documents[pk], score) for pk, score in page_scores if pk in documents]
    facets = LazyFacets(lambda: _match_facets(ranking.selective, prefix))
    return SearchResult(
        query=query,
        terms=ranking.terms,
        hits=hits,
        total=ranking.total,
        page=page,
        page_size=page_size,
        facets=facets,
        did_you_mean=ranking.did_you_mean,
    )


def _match_facets(selective: list[str], prefix: str) -> dict:
    if not selective:
        return _facets_from_rows([])
    key = "f:" + hashlib.sha1(" ".join(selective).encode()).hexdigest()
    return _cached(prefix, key, lambda: _facets_from_rows(fulltext.facet_rows(selective)))


# A citizen who names a licence without saying which step usually wants the first application, not its
# renewal, change or cancellation: a light nudge among titles that match equally well otherwise.
FIRST_STEP_WORDS = ("核发", "新办", "设立", "申领", "首次", "认定", "成立", "审批", "办理")
LATER_STEP_WORDS = ("延续", "变更", "注销", "换发", "补办", "补领", "补发", "迁移", "作废", "年检", "信息变更")


def _rerank(title: str, score: float, query: str) -> float:
    title = text.normalise(title)
    q = text.normalise(query)
    if title == q:
        score *= 3
    elif q in title:
        score *= 2
    if not any(word in q for word in LATER_STEP_WORDS):
        if any(word in title for word in LATER_STEP_WORDS):
            score *= 0.9
        elif any(word in title for word in FIRST_STEP_WORDS):
            score *= 1.05
    return score


def _browse(filters: Filters, page: int, page_size: int) -> SearchResult:
    documents = filters.apply(SearchDocument.objects.all())
    total = documents.count()
    start = (page - 1) * page_size
    rows = list(documents.select_related("department").order_by("department__name", "title")[start : start + page_size])
    hits = [Hit(doc, 0.0) for doc in rows]
    return SearchResult("", [], hits, total, page, page_size, facets=all_facets())


def all_facets() -> dict:
    """Facets of every published item (home page, browsing), cached per publication generation."""
    return _cached(_cache_prefix(), "facets", lambda: facets(SearchDocument.objects.all()))


def facets(documents) -> dict:
    """Counts by department, type, audience, online handling and visits ≤ 1, from one GROUP BY."""
    rows = (
        documents.values_list("department_id", "item_type")
        .annotate(
            n=Count("id"),
            person=Count("id", filter=Q(for_person=True)),
            legal=Count("id", filter=Q(for_legal=True)),
            online=Count("id", filter=Q(handled_online=True)),
            one_visit=Count("id", filter=Q(visits__lte=1)),
        )
        .order_by()
    )
    return _facets_from_rows(rows)


def _facets_from_rows(rows) -> dict:
    from catalog.codes import ItemType
    from catalog.models import Department

    by_department, types = {}, {}
    totals = {"person": 0, "legal": 0, "online": 0, "one_visit": 0}
    for department_id, item_type, n, person, legal, online, one_visit, *_rest in rows:
        by_department[department_id] = by_department.get(department_id, 0) + n
        types[item_type] = types.get(item_type, 0) + n
        for key, value in zip(totals, (person, legal, online, one_visit), strict=True):
            totals[key] += value or 0
    names = Department.objects.in_bulk(list(by_department))
    labels = dict(ItemType.choices)
    return {
        "department": sorted(
            [{"value": pk, "label": str(names[pk]), "count": n} for pk, n in by_department.items() if pk in names],
            key=lambda row: (-row["count"], row["label"]),
        ),
        "item_type": [
            {"value": code, "label": str(labels.get(code, code)), "count": types[code]} for code in sorted(types)
        ],
        "audience": [
            {"value": "person", "label": "个人办事", "count": totals["person"]},
            {"value": "legal", "label": "法人办事", "count": totals["legal"]},
        ],
        "online": totals["online"],
        "one_visit": totals["one_visit"],
    }


def highlight(value: str, terms: list[str]):
    """value with each occurrence of the query's terms wrapped in <mark>; everything else escaped."""
    if not value:
        return ""
    lowered = text.normalise(value)
    marks = [False] * len(value)
    # NFKC may change lengths for a few characters; only highlight when positions line up.
    if len(lowered) == len(value):
        for term in sorted({t for t in terms if t}, key=len, reverse=True):
            start = lowered.find(term)
            while start != -1:
                for i in range(start, start + len(term)):
                    marks[i] = True
                start = lowered.find(term, start + len(term))
    out, open_ = [], False
    for char, marked in zip(value, marks, strict=True):
        if marked and not open_:
            out.append("<mark>")
            open_ = True
        elif not marked and open_:
            out.append("</mark>")
            open_ = False
        out.append(escape(char))
    if open_:
        out.append("</mark>")
    return mark_safe("".join(out))


# --- suggestions -----------------------------------------------------------------------------------------
class _Titles:
    """Every indexed title with its pinyin and initials, each field joined into one string, so a substring is
    found by str.find at C speed instead of a LIKE '%…%' scan of the table per keystroke."""

    FIELDS = ("title", "pinyin", "initials")

    def __init__(self, rows):
        self.rows = rows  # (title, code, pinyin, initials)
        self.text, self.offsets = {}, {}
        for index, name in ((0, "title"), (2, "pinyin"), (3, "initials")):
            values = [text.normalise(row[index]).replace("\n", " ") for row in rows]
            offsets, position = [], 0
            for value in values:
                offsets.append(position)  # the "\n" before the row's value
                position += len(value) + 1
            offsets.append(position)
            self.text[name] = "\n" + "\n".join(values) + "\n"
            self.offsets[name] = offsets

    def find(self, name: str, needle: str, at_start: bool, found: dict, limit: int):
        """Add to found (row index → at_start) the rows whose field contains (at_start: starts with) needle."""
        haystack, offsets = self.text[name], self.offsets[name]
        needle = needle.replace("\n", " ")
        if not needle:
            return
        if at_start:
            needle = "\n" + needle
        position = haystack.find(needle)
        while position != -1 and len(found) < limit:
            row = bisect.bisect_right(offsets, position) - 1
            found.setdefault(row, at_start)
            position = haystack.find(needle, offsets[row + 1])


_titles_lock = threading.Lock()
_titles: dict = {}


def titles() -> _Titles:
    """The titles of the index, loaded once per process and publication generation."""
    key = _cache_prefix()
    current = _titles.get(key)
    if current is None:
        with _titles_lock:
            current = _titles.get(key)
            if current is None:
                rows = list(SearchDocument.objects.order_by("id").values_list("title", "code", "pinyin", "initials"))
                current = _Titles(rows)
                _titles.clear()
                _titles[key] = current
    return current


def suggest(prefix: str, limit: int = 8) -> list[dict]:
    """Top titles for what the user has typed so far: Chinese by title, latin letters by pinyin or initials."""
    prefix = text.normalise(prefix).strip()[:50]
    if not prefix:
        return []
    corpus = titles()
    found: dict[int, bool] = {}
    cap = limit * 20
    if text.looks_like_pinyin(prefix):
        compact = prefix.replace(" ", "")
        for at_start in (True, False):
            for name in ("initials", "pinyin"):
                corpus.find(name, compact, at_start, found, cap)
    else:
        for at_start in (True, False):
            corpus.find("title", prefix, at_start, found, cap)
    rows = [corpus.rows[index] for index in found]

    def rank(row):
        starts = row[0].startswith(prefix) or row[3].startswith(prefix) or row[2].startswith(prefix)
        return (not starts, len(row[0]), row[0])

    rows.sort(key=rank)
    seen, out = set(), []
    for row in rows:
        if row[0] in seen:
            continue
        seen.add(row[0])
        out.append({"title": row[0], "code": row[1]})
        if len(out) == limit:
            break
    return out


def did_you_mean(query: str) -> str:
    """On a near miss, a title that sounds like the query (same pinyin), e.g. 身份正 → 居民身份证…"""
    if text.looks_like_pinyin(query):
        found = suggest(query, limit=1)
        return found[0]["title"] if found else ""
    sound = text.pinyin(query)
    if len(sound) < 4:
        return ""
    corpus = titles()
    found: dict[int, bool] = {}
    corpus.find("pinyin", sound, False, found, 1000)
    if found:
        return min(corpus.rows[index][0] for index in found)
    # Else the longest indexed term that sounds like one of the query's terms.
    for term in sorted(text.query_terms(query), key=len, reverse=True):
        if len(term) < 2:
            continue
        corpus.find("pinyin", text.pinyin(term), False, found, 1)
        if found:
            return corpus.rows[next(iter(found))][0]
    return ""


def popular_departments(limit=5):
    """Departments with the most published items: offered on the empty-result page with their phone."""
    from catalog.models import Department

    return Department.objects.filter(
        id__in=SearchDocument.objects.values("department_id")
    ).annotate(n=Count("items", filter=Q(items__live=True))).order_by("-n")[:limit]
