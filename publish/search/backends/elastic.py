"""Elasticsearch 9 (DESIGN decision 3), when ELASTICSEARCH_URL is set: the cluster ranks; the database keeps its
documents as well (`documents`: suggestions, "did you mean", the hits' details and the import's bulk write).

The request bodies are built by plain functions (index_settings, document, filter_clauses, aggregations,
query_body), so they are tested as data without a server. Chinese analysis: IK (ik_max_word / ik_smart) when the
cluster has the plugin, else the built-in `cjk` bigram analyzer. The documents also carry jieba's search-mode
terms in whitespace-analysed fields, boosted by the fields' weights, so that ranking matches the database backends
whichever analyzer the cluster offers. The filters are a post_filter: the aggregations (facets) count whatever
the filters, as the database backends' facets do. Zero-downtime rebuild: a new timestamped index, then the alias
swapped in one atomic request.
"""

import time

from catalog.models import ServiceItem

from ...models import SearchDocument
from ..documents import DOCUMENT_FIELDS, document_values_of, indexable, item_body
from ..fields import FACET_COUNTS, FACET_GROUPS, TERM_FIELDS, TEXT_FIELDS, Condition
from ..ranking import weighted_query_terms
from ..results import Hit, SearchResult, facets
from ..suggest import did_you_mean
from .base import SearchBackend

FACET_SIZES = {"department": 50, "item_type": 20}  # buckets of the group facets
PHRASE_BOOST = 2  # the whole query as a phrase of the title: twice the title's weight
# Items per bulk request of index_committed(): a worker holds one batch of items with their children in memory.
BATCH = 5000
_COPIED = (*TERM_FIELDS, "code", "title", "main_item_name", "item_type", "for_person", "for_legal",
           "handled_online", "visits", "pinyin", "initials")


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
                "main_item_name": text_field,
                "body": text_field,
                **{name: terms_field for name in TERM_FIELDS},
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
    """The cluster's document of a published item (from documents.indexable()): the database's document's
    values, with the department's id and the body's text for the analysed fields."""
    values = dict(zip(DOCUMENT_FIELDS, document_values_of(item), strict=True))
    return {**{name: values[name] for name in _COPIED}, "department": values["department_id"], "body": item_body(item)}


def clause(condition: Condition) -> dict:
    if condition.at_most:
        return {"range": {condition.field: {"lte": condition.value}}}
    return {"term": {condition.field: condition.value}}


def filter_clauses(filters) -> list[dict]:
    return [clause(condition) for condition in filters.conditions()]


def aggregations() -> dict:
    aggs = {name: {"terms": {"field": name, "size": FACET_SIZES[name]}} for name in FACET_GROUPS}
    aggs.update({name: {"filter": clause(condition)} for name, condition in FACET_COUNTS.items()})
    return aggs


def query_body(query: str, weighted_terms: dict[str, float], filters, page: int, page_size: int) -> dict:
    """One bool query: each jieba term (synonyms at their lower weight) against the term fields, boosted by the
    field's weight; the analysed fields as a phrase-ish fallback; filters after the aggregations, never scoring."""
    should = [{"term": {field.name: {"value": term, "boost": field.weight * weight}}}
              for term, weight in weighted_terms.items() for field in TEXT_FIELDS]
    if query:
        should.append({"match_phrase": {"title": {"query": query, "boost": TEXT_FIELDS[0].weight * PHRASE_BOOST}}})
        should.append({"match": {"body": {"query": query}}})
    return {
        "query": {"bool": {"should": should, "minimum_should_match": 1} if should else {}},
        "post_filter": {"bool": {"filter": filter_clauses(filters)}},
        "from": (page - 1) * page_size,
        "size": page_size,
        "track_total_hits": True,
        "sort": ["_score", {"title.raw": "asc"}] if query else [{"department": "asc"}, {"title.raw": "asc"}],
        "highlight": {"fields": {"title": {"number_of_fragments": 0}}, "pre_tags": ["<mark>"],
                      "post_tags": ["</mark>"]},
        "aggs": aggregations(),
    }


def facets_of(aggs: dict) -> dict:
    return facets({b["key"]: b["doc_count"] for b in aggs["department"]["buckets"]},
                  {b["key"]: b["doc_count"] for b in aggs["item_type"]["buckets"]},
                  {name: aggs[name]["doc_count"] for name in FACET_COUNTS})


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"
    separate_server = True

    def __init__(self, url: str, index: str, documents):
        self.url, self.index = url, index  # index: the alias the searches use
        self._documents = documents
        self._client = None

    @property
    def documents(self):
        return self._documents

    @property
    def client(self):
        if self._client is None:
            # The client library is loaded only where a cluster is configured.
            from elasticsearch import Elasticsearch

            self._client = Elasticsearch(self.url, request_timeout=10)
        return self._client

    def has_ik(self) -> bool:
        plugins = self.client.cat.plugins(format="json")
        return any(p.get("component") == "analysis-ik" for p in plugins)

    def _send(self, index: str, items, **options):
        from elasticsearch.helpers import bulk  # (loaded with the client, only where a cluster is configured)

        actions = ({"_op_type": "index", "_index": index, "_id": item.pk, "_source": document(item)}
                   for item in items)
        bulk(self.client, actions, **options)

    # --- writing --------------------------------------------------------------------------------------------
    def index_items(self, items) -> int:
        items = list(items)
        written = self.documents.index_items(items)
        published = [item for item in items if item.live]
        if published:
            self._send(self.index, published, refresh="wait_for")
        for item in items:
            if not item.live:
                self.client.delete(index=self.index, id=item.pk, ignore_status=404, refresh="wait_for")
        return written

    def remove_item(self, item_id: int):
        self.documents.remove_item(item_id)
        self.client.delete(index=self.index, id=item_id, ignore_status=404, refresh="wait_for")

    def index_committed(self, ids: list[int]):
        for start in range(0, len(ids), BATCH):
            self._send(self.index, indexable(ServiceItem.objects.filter(pk__in=ids[start : start + BATCH])),
                       refresh="wait_for")

    def rebuild(self, batch_size=500, progress=None) -> int:
        done = self.documents.rebuild(batch_size, progress)
        self.rebuild_index(batch_size, progress)
        return done

    def rebuild_index(self, batch_size=500, progress=None) -> str:
        """Fill a new index, then point the alias at it atomically; the old index is deleted afterwards."""
        es = self.client
        new_index = f"{self.index}-{int(time.time())}"
        es.indices.create(index=new_index, **index_settings(self.has_ik()))
        items = indexable()
        total = items.count()
        done = 0
        for start in range(0, total, batch_size):
            chunk = list(items.order_by("pk")[start : start + batch_size])
            self._send(new_index, chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
        es.indices.refresh(index=new_index)
        old = list(es.indices.get_alias(name=self.index, ignore_unavailable=True) or {})
        actions = [{"remove": {"index": name, "alias": self.index}} for name in old]
        actions.append({"add": {"index": new_index, "alias": self.index}})
        es.indices.update_aliases(actions=actions)
        for name in old:
            es.indices.delete(index=name, ignore_unavailable=True)
        return new_index

    def check(self) -> dict:
        return {"alias": self.index, "documents": self.client.count(index=self.index)["count"],
                "published": ServiceItem.objects.filter(live=True).count()}

    # --- searching ------------------------------------------------------------------------------------------
    def search(self, query, filters, page, page_size) -> SearchResult:
        weighted = weighted_query_terms(query) if query else {}
        response = self.client.search(index=self.index, **query_body(query, weighted, filters, page, page_size))
        found = response["hits"]["hits"]
        ids = [int(hit["_id"]) for hit in found]
        documents = {d.item_id: d for d in SearchDocument.objects.filter(item_id__in=ids).select_related("department")}
        hits = [Hit(documents[i], hit["_score"] or 0.0) for i, hit in zip(ids, found, strict=True) if i in documents]
        total = response["hits"]["total"]["value"]
        return SearchResult(query, list(weighted), hits, total, page, page_size,
                            facets=facets_of(response["aggregations"]),
                            did_you_mean=did_you_mean(query) if query and total == 0 else "")
