"""Elasticsearch 9 behind the same search() when ELASTICSEARCH_URL is set (DESIGN decision 3).

The request bodies are built by plain functions (index_settings, document, query_body) so they are tested as
data without a server. Chinese analysis: IK (ik_max_word / ik_smart) when the cluster has the plugin, else the
built-in `cjk` bigram analyzer. We also send jieba's search-mode terms in `title_terms`/`body_terms`
(whitespace-analysed), so ranking matches the database backend whichever analyzer the cluster offers.
Zero-downtime rebuild: write a new timestamped index, then swap the alias in one atomic request.
"""

import time

from django.conf import settings

from . import text

TITLE_BOOST = 10
MAIN_ITEM_BOOST = 4


def analyzer_settings(has_ik: bool) -> dict:
    if has_ik:
        return {"analyzer": {"zh_index": {"type": "custom", "tokenizer": "ik_max_word"},
                             "zh_search": {"type": "custom", "tokenizer": "ik_smart"}}}
    return {"analyzer": {"zh_index": {"type": "cjk"}, "zh_search": {"type": "cjk"}}}


def index_settings(has_ik: bool = False) -> dict:
    text_field = {"type": "text", "analyzer": "zh_index", "search_analyzer": "zh_search"}
    terms_field = {"type": "text", "analyzer": "whitespace"}
    return {
        "settings": {"number_of_shards": 1, "analysis": analyzer_settings(has_ik)},
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "code": {"type": "keyword"},
                "title": {**text_field, "fields": {"raw": {"type": "keyword"}}},
                "title_terms": terms_field,
                "main_item_name": text_field,
                "main_item_terms": terms_field,
                "body": text_field,
                "body_terms": terms_field,
                "department": {"type": "long"},
                "item_type": {"type": "keyword"},
                "for_person": {"type": "boolean"},
                "for_legal": {"type": "boolean"},
                "handled_online": {"type": "boolean"},
                "visits": {"type": "integer"},
                "pinyin": {"type": "keyword"},
                "initials": {"type": "keyword"},
            },
        },
    }


def document(item) -> dict:
    from .search import audience, item_body

    for_person, for_legal = audience(item.service_objects)
    body = item_body(item)
    return {
        "code": item.implementation_code,
        "title": item.name,
        "title_terms": " ".join(text.terms(item.name)),
        "main_item_name": item.main_item_name,
        "main_item_terms": " ".join(text.terms(item.main_item_name)),
        "body": body,
        "body_terms": " ".join(text.terms(body)),
        "department": item.department_id,
        "item_type": item.item_type,
        "for_person": for_person,
        "for_legal": for_legal,
        "handled_online": item.handled_online,
        "visits": item.visits,
        "pinyin": text.pinyin(item.name),
        "initials": text.initials(item.name),
    }


def filter_clauses(filters) -> list[dict]:
    clauses = []
    if filters.department:
        clauses.append({"term": {"department": filters.department}})
    if filters.item_type:
        clauses.append({"term": {"item_type": filters.item_type}})
    if filters.audience == "person":
        clauses.append({"term": {"for_person": True}})
    elif filters.audience == "legal":
        clauses.append({"term": {"for_legal": True}})
    if filters.online is not None:
        clauses.append({"term": {"handled_online": filters.online}})
    if filters.max_visits is not None:
        clauses.append({"range": {"visits": {"lte": filters.max_visits}}})
    return clauses


def query_body(query: str, weighted_terms: dict[str, float], filters, page: int, page_size: int) -> dict:
    """One bool query: each jieba term (synonyms at their lower weight) against the term fields, title boosted;
    the analysed fields as a phrase-ish fallback; filters never score; facets as aggregations."""
    should = []
    for term, weight in weighted_terms.items():
        should.append({"term": {"title_terms": {"value": term, "boost": TITLE_BOOST * weight}}})
        should.append({"term": {"main_item_terms": {"value": term, "boost": MAIN_ITEM_BOOST * weight}}})
        should.append({"term": {"body_terms": {"value": term, "boost": weight}}})
    if query:
        should.append({"match_phrase": {"title": {"query": query, "boost": TITLE_BOOST * 2}}})
        should.append({"match": {"body": {"query": query}}})
    bool_query = {"filter": filter_clauses(filters)}
    if should:
        bool_query.update({"should": should, "minimum_should_match": 1})
    return {
        "query": {"bool": bool_query},
        "from": (page - 1) * page_size,
        "size": page_size,
        "track_total_hits": True,
        "sort": ["_score", {"title.raw": "asc"}] if query else [{"department": "asc"}, {"title.raw": "asc"}],
        "highlight": {"fields": {"title": {"number_of_fragments": 0}}, "pre_tags": ["<mark>"],
                      "post_tags": ["</mark>"]},
        "aggs": {
            "department": {"terms": {"field": "department", "size": 50}},
            "item_type": {"terms": {"field": "item_type", "size": 20}},
            "person": {"filter": {"term": {"for_person": True}}},
            "legal": {"filter": {"term": {"for_legal": True}}},
            "online": {"filter": {"term": {"handled_online": True}}},
            "one_visit": {"filter": {"range": {"visits": {"lte": 1}}}},
        },
    }


# --- talking to the cluster (only with ELASTICSEARCH_URL) ----------------------------------------------------
def client():
    from elasticsearch import Elasticsearch

    return Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=10)


def alias() -> str:
    return settings.ELASTICSEARCH_INDEX


def has_ik(es) -> bool:
    plugins = es.cat.plugins(format="json")
    return any(p.get("component") == "analysis-ik" for p in plugins)


def _bulk_actions(index, items):
    for item in items:
        yield {"_op_type": "index", "_index": index, "_id": item.pk, "_source": document(item)}


def index_items(items):
    from elasticsearch.helpers import bulk

    bulk(client(), _bulk_actions(alias(), items), refresh="wait_for")


def remove_item(item_id: int):
    client().delete(index=alias(), id=item_id, ignore_status=404, refresh="wait_for")


def rebuild(progress=None, batch_size=500) -> str:
    """Fill a new index, then point the alias at it atomically; the old index is deleted afterwards."""
    from elasticsearch.helpers import bulk

    from .search import _published

    es = client()
    new_index = f"{alias()}-{int(time.time())}"
    es.indices.create(index=new_index, **index_settings(has_ik(es)))
    items = _published()
    total = items.count()
    done = 0
    for start in range(0, total, batch_size):
        chunk = list(items.order_by("pk")[start : start + batch_size])
        bulk(es, _bulk_actions(new_index, chunk))
        done += len(chunk)
        if progress:
            progress(done, total)
    es.indices.refresh(index=new_index)
    old = list(es.indices.get_alias(name=alias(), ignore_unavailable=True) or {})
    actions = [{"remove": {"index": name, "alias": alias()}} for name in old]
    actions.append({"add": {"index": new_index, "alias": alias()}})
    es.indices.update_aliases(actions=actions)
    for name in old:
        es.indices.delete(index=name, ignore_unavailable=True)
    return new_index


def check() -> dict:
    es = client()
    count = es.count(index=alias())["count"]
    from .queries import published_items

    return {"alias": alias(), "documents": count, "published": published_items().count()}


def search(query, filters, page, page_size):
    from catalog.codes import ItemType
    from catalog.models import Department

    from .models import SearchDocument, ZeroResultQuery
    from .search import Hit, SearchResult, weighted_query_terms

    weighted = weighted_query_terms(query) if query else {}
    response = client().search(index=alias(), **query_body(query, weighted, filters, page, page_size))
    ids = [int(hit["_id"]) for hit in response["hits"]["hits"]]
    documents = {d.item_id: d for d in SearchDocument.objects.filter(item_id__in=ids).select_related("department")}
    hits = [Hit(documents[i], h["_score"] or 0.0) for i, h in zip(ids, response["hits"]["hits"], strict=True)
            if i in documents]
    aggs = response["aggregations"]
    names = Department.objects.in_bulk([b["key"] for b in aggs["department"]["buckets"]])
    labels = dict(ItemType.choices)
    facets = {
        "department": [{"value": b["key"], "label": str(names.get(b["key"], b["key"])), "count": b["doc_count"]}
                       for b in aggs["department"]["buckets"]],
        "item_type": [{"value": b["key"], "label": str(labels.get(b["key"], b["key"])), "count": b["doc_count"]}
                      for b in aggs["item_type"]["buckets"]],
        "audience": [{"value": "person", "label": "个人办事", "count": aggs["person"]["doc_count"]},
                     {"value": "legal", "label": "法人办事", "count": aggs["legal"]["doc_count"]}],
        "online": aggs["online"]["doc_count"],
        "one_visit": aggs["one_visit"]["doc_count"],
    }
    total = response["hits"]["total"]["value"]
    if query and total == 0:
        ZeroResultQuery.record(query)
    return SearchResult(query, list(weighted), hits, total, page, page_size, facets=facets)
