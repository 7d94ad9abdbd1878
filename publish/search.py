"""The one search function of the public site and the open-data API.

search() takes the citizen's words and filters and returns ranked, faceted, paged hits. The database index
(publish.models.SearchDocument/Posting) is the embedded default; with ELASTICSEARCH_URL set the same function asks
Elasticsearch (publish.elastic) instead. Indexing: index_item(), remove_item(), rebuild().
"""

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, F, FloatField, Q, Sum, Value, When
from django.db.models.functions import Least
from django.utils.html import escape
from django.utils.safestring import mark_safe

from catalog.models import ServiceItem

from . import text
from .models import Posting, SearchDocument, Synonym, ZeroResultQuery

TITLE_WEIGHT = 10.0
MAIN_ITEM_WEIGHT = 4.0
BODY_WEIGHT = 1.0
SYNONYM_FACTOR = 0.9
# Candidates re-ranked in Python (phrase bonus) before paging; deeper pages keep the SQL order.
RERANK_DEPTH = 200
PAGE_SIZE = 10
DID_YOU_MEAN_BELOW = 5
MAX_QUERY_LENGTH = 100

FACET_FIELDS = ("department", "item_type", "audience", "online", "visits")


# --- indexing --------------------------------------------------------------------------------------------
def item_body(item: ServiceItem) -> str:
    parts = [
        item.department.name,
        item.department.short_name,
        item.acceptance_conditions,
        item.handling_flow,
        item.result_name,
        item.special_procedures,
        item.get_item_type_display(),
    ]
    parts += [m.name for m in item.materials.all()]
    parts += [f"{q.question} {q.answer}" for q in item.faqs.all()]
    parts += [b.law for b in item.legal_bases.all()]
    return "\n".join(p for p in parts if p)


def item_postings(item: ServiceItem) -> dict[str, float]:
    """term → weight: the strongest field a term occurs in, plus a little for each further field."""
    weights: dict[str, float] = {}
    for field_text, weight in (
        (item.name, TITLE_WEIGHT),
        (item.main_item_name, MAIN_ITEM_WEIGHT),
        (item_body(item), BODY_WEIGHT),
    ):
        for term in set(text.terms(field_text)):
            current = weights.get(term, 0.0)
            weights[term] = max(current, weight) + min(current, weight) * 0.1
    return weights


def audience(service_objects: str) -> tuple[bool, bool]:
    codes = {c.strip() for c in (service_objects or "").split(",") if c.strip()}
    return "1" in codes, bool(codes - {"1"})


def build_document(item: ServiceItem) -> SearchDocument:
    for_person, for_legal = audience(item.service_objects)
    summary = (item.acceptance_conditions or item.handling_flow or "").replace("\n", " ")[:200]
    return SearchDocument(
        item=item,
        code=item.implementation_code,
        title=item.name,
        main_item_name=item.main_item_name,
        parent_code=item.parent.implementation_code if item.parent_id and item.parent else "",
        department=item.department,
        item_type=item.item_type,
        for_person=for_person,
        for_legal=for_legal,
        handled_online=item.handled_online,
        visits=item.visits,
        summary=summary,
        pinyin=text.pinyin(item.name)[:1000],
        initials=text.initials(item.name)[:200],
    )


def _published(queryset=None):
    queryset = ServiceItem.objects.all() if queryset is None else queryset
    return (
        queryset.filter(live=True)
        .select_related("department", "parent")
        .prefetch_related("materials", "faqs", "legal_bases")
    )


@transaction.atomic
def index_items(items) -> int:
    """(Re)index the given items: published ones are written, others removed. Returns documents written."""
    items = list(items)
    ids = [item.pk for item in items]
    SearchDocument.objects.filter(item_id__in=ids).delete()
    live = [item for item in items if item.live]
    documents = SearchDocument.objects.bulk_create([build_document(item) for item in live], batch_size=500)
    postings = [
        Posting(term=term, document=document, weight=weight)
        for item, document in zip(live, documents, strict=True)
        for term, weight in item_postings(item).items()
    ]
    Posting.objects.bulk_create(postings, batch_size=2000)
    return len(documents)


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
    SearchDocument.objects.filter(item_id=item_id).delete()
    if settings.ELASTICSEARCH_URL:
        from . import elastic

        elastic.remove_item(item_id)


def rebuild(batch_size=500, progress=None) -> int:
    """Rebuild the database index from every published item. progress(done, total) is called per batch."""
    SearchDocument.objects.all().delete()
    ids = list(ServiceItem.objects.filter(live=True).order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        done += index_items(_published(ServiceItem.objects.filter(pk__in=chunk)))
        if progress:
            progress(done, len(ids))
    return done


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


@dataclass
class SearchResult:
    query: str
    terms: list[str]
    hits: list[Hit]
    total: int
    page: int
    page_size: int
    facets: dict = field(default_factory=dict)
    did_you_mean: str = ""

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_next(self):
        return self.page < self.pages

    def highlight(self, value: str):
        return highlight(value, self.terms)


def synonym_table() -> list[tuple[str, list[str]]]:
    pairs = []
    for synonym in Synonym.objects.all():
        words = synonym.expansion_list
        pairs.append((text.normalise(synonym.term), words))
        if synonym.two_way:
            for word in words:
                pairs.append((text.normalise(word), [synonym.term]))
    return pairs


def weighted_query_terms(query: str) -> dict[str, float]:
    """The query's terms with weight 1, plus the terms of any synonym whose word occurs in the query."""
    weights = {term: 1.0 for term in text.query_terms(query)}
    normalised = text.normalise(query)
    for word, expansions in synonym_table():
        if word and word in normalised:
            for expansion in expansions:
                for term in text.query_terms(expansion):
                    weights.setdefault(term, SYNONYM_FACTOR)
    return weights


# A term in more than this share of documents (许可, 办理, 证明 …) does not select documents by itself: it only
# adds to the score of documents that a more specific term selected (like Elasticsearch's common-terms query).
COMMON_TERM_SHARE = 0.05


def _idf(query_weights: dict[str, float]) -> tuple[dict[str, float], list[str]]:
    """idf of the query's indexed terms, and the terms that select candidates."""
    total = SearchDocument.objects.count() or 1
    frequencies = dict(
        Posting.objects.filter(term__in=query_weights).values_list("term").annotate(n=Count("id")).order_by()
    )
    idf = {term: math.log(1 + total / frequencies[term]) for term in query_weights if term in frequencies}
    selective = [t for t in idf if frequencies[t] <= max(50, total * COMMON_TERM_SHARE)]
    if not selective and idf:
        selective = [min(idf, key=lambda t: frequencies[t])]
    return idf, selective


def search(query: str = "", filters: Filters | None = None, page: int = 1, page_size: int = PAGE_SIZE,
           record=True) -> SearchResult:
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    filters = filters or Filters()
    if settings.ELASTICSEARCH_URL:
        from . import elastic

        return elastic.search(query, filters, page, page_size)
    if not query:
        return _browse(filters, page, page_size)

    query_weights = weighted_query_terms(query)
    idf, selective = _idf(query_weights)
    if not idf:
        result = SearchResult(query, list(query_weights), [], 0, page, page_size, did_you_mean=did_you_mean(query))
        if record:
            ZeroResultQuery.objects.create(query=query, result_count=0)
        return result

    score = Sum(
        Case(
            *[When(term=term, then=Value(idf[term] * query_weights[term]) * F("weight")) for term in idf],
            default=Value(0.0),
            output_field=FloatField(),
        )
    )
    # Coverage: the share of the query's own terms (by idf) a document matches, so a title that has all of
    # 营业 执照 营业执照 in its body outranks one that merely has 营业 in its title. Synonyms count towards it.
    original = sum(idf[t] for t, w in query_weights.items() if t in idf and w == 1.0) or sum(idf.values())
    covered = Sum(
        Case(
            *[When(term=term, then=Value(idf[term] * query_weights[term] / original)) for term in idf],
            default=Value(0.0),
            output_field=FloatField(),
        )
    )
    matched_ids = Posting.objects.filter(term__in=selective).values("document_id")
    filtered = filters.apply(SearchDocument.objects.filter(id__in=matched_ids))
    ranked = (
        Posting.objects.filter(term__in=list(idf), document__in=filtered)
        .values("document_id")
        .annotate(raw=score, covered=covered)
        .annotate(score=F("raw") * Least(F("covered"), Value(1.0)) * Least(F("covered"), Value(1.0)))
        .order_by("-score", "document_id")
    )
    total = filtered.count()
    start = (page - 1) * page_size
    if start < RERANK_DEPTH:
        candidates = list(ranked[:RERANK_DEPTH])
        documents = SearchDocument.objects.in_bulk([c["document_id"] for c in candidates])
        scored = [(_rerank(documents[c["document_id"]], c["score"], query), documents[c["document_id"]])
                  for c in candidates]
        scored.sort(key=lambda pair: (-pair[0], len(pair[1].title), pair[1].id))
        page_hits = [Hit(doc, s) for s, doc in scored[start : start + page_size]]
    else:
        rows = list(ranked[start : start + page_size])
        documents = SearchDocument.objects.in_bulk([r["document_id"] for r in rows])
        page_hits = [Hit(documents[r["document_id"]], r["score"]) for r in rows]
    _attach(page_hits)
    result = SearchResult(
        query=query,
        terms=list(query_weights),
        hits=page_hits,
        total=total,
        page=page,
        page_size=page_size,
        facets=facets(SearchDocument.objects.filter(id__in=matched_ids)),
    )
    near_miss = any(term not in idf for term, weight in query_weights.items() if weight == 1.0)
    # Only worth a scan of the titles' pinyin when the results are few: a typo rather than a rare word.
    if total == 0 or (near_miss and total < DID_YOU_MEAN_BELOW):
        result.did_you_mean = did_you_mean(query)
    if total == 0:
        if record:
            ZeroResultQuery.objects.create(query=query, result_count=0)
    return result


# A citizen who names a licence without saying which step usually wants the first application, not its
# renewal, change or cancellation: a light nudge among titles that match equally well otherwise.
FIRST_STEP_WORDS = ("核发", "新办", "设立", "申领", "首次", "认定", "成立", "审批", "办理")
LATER_STEP_WORDS = ("延续", "变更", "注销", "换发", "补办", "补领", "补发", "迁移", "作废", "年检", "信息变更")


def _rerank(document: SearchDocument, score: float, query: str) -> float:
    title = text.normalise(document.title)
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
    return SearchResult("", [], hits, total, page, page_size, facets=facets(SearchDocument.objects.all()))


def _attach(hits: list[Hit]):
    from catalog.models import Department

    departments = Department.objects.in_bulk({hit.document.department_id for hit in hits})
    for hit in hits:
        hit.document.department = departments[hit.document.department_id]


def facets(documents) -> dict:
    """Counts by department, type, audience, online handling and visits ≤ 1, from one GROUP BY."""
    from catalog.codes import ItemType
    from catalog.models import Department

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
    by_department, types = {}, {}
    totals = {"person": 0, "legal": 0, "online": 0, "one_visit": 0}
    for department_id, item_type, n, person, legal, online, one_visit in rows:
        by_department[department_id] = by_department.get(department_id, 0) + n
        types[item_type] = types.get(item_type, 0) + n
        for key, value in zip(totals, (person, legal, online, one_visit), strict=True):
            totals[key] += value
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
def suggest(prefix: str, limit: int = 8) -> list[dict]:
    """Top titles for what the user has typed so far: Chinese by title, latin letters by pinyin or initials."""
    prefix = text.normalise(prefix).strip()[:50]
    if not prefix:
        return []
    documents = SearchDocument.objects.all()
    if text.looks_like_pinyin(prefix):
        compact = prefix.replace(" ", "")
        condition = (
            Q(initials__startswith=compact) | Q(pinyin__startswith=compact)
            | Q(initials__contains=compact) | Q(pinyin__contains=compact)
        )
    else:
        condition = Q(title__contains=prefix)
    rows = list(documents.filter(condition).values("title", "code", "initials", "pinyin")[: limit * 20])

    def rank(row):
        starts = row["title"].startswith(prefix) or row["initials"].startswith(prefix) or row["pinyin"].startswith(
            prefix)
        return (not starts, len(row["title"]), row["title"])

    rows.sort(key=rank)
    seen, out = set(), []
    for row in rows:
        if row["title"] in seen:
            continue
        seen.add(row["title"])
        out.append({"title": row["title"], "code": row["code"]})
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
    row = (
        SearchDocument.objects.filter(pinyin__contains=sound)
        .order_by("title")
        .values_list("title", flat=True)
        .first()
    )
    if row:
        return row
    # Else the longest indexed term that sounds like one of the query's terms.
    for term in sorted(text.query_terms(query), key=len, reverse=True):
        if len(term) < 2:
            continue
        candidate = (
            SearchDocument.objects.filter(pinyin__contains=text.pinyin(term)).values_list("title", flat=True).first()
        )
        if candidate:
            return candidate
    return ""


def popular_departments(limit=5):
    """Departments with the most published items: offered on the empty-result page with their phone."""
    from catalog.models import Department

    return Department.objects.filter(
        id__in=SearchDocument.objects.values("department_id")
    ).annotate(n=Count("items", filter=Q(items__live=True))).order_by("-n")[:limit]
