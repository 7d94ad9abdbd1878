"""The backends find the same documents for the same filters and count the same facets: publish.search.fields
defines them once, the database backend of this test run (SQLite or PostgreSQL) reads them into SQL, and the
Elasticsearch backend writes them into its request bodies.

No Elasticsearch server runs here: a stand-in answers the backend's requests by evaluating the clauses of the
body it is sent (term, range, bool filter; a query's term clauses) over the documents the backend indexes.
"""

import dataclasses
from collections import Counter

import pytest
from django.db import connection

from catalog.codes import ItemType
from publish import search
from publish.models import SearchDocument, TermFrequency, ZeroResultQuery
from publish.search import Filters
from publish.search.backends import elastic
from publish.search.documents import DOCUMENTS, audience, indexable
from publish.search.fields import TERM_FIELDS
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db


def meets(clause: dict, document: dict) -> bool:
    ((kind, spec),) = clause.items()
    if kind == "bool":
        return all(meets(inner, document) for inner in spec.get("filter", []))
    ((field, value),) = spec.items()
    if kind == "term":
        return document[field] == value
    if kind == "range":
        return document[field] is not None and all(op == "lte" and document[field] <= bound
                                                   for op, bound in value.items())
    raise AssertionError(f"a clause the stand-in does not know: {clause}")


def matches(bool_query: dict, document: dict) -> bool:
    """A bool query: its filters, and its term clauses against the whitespace-analysed term fields (the clauses on
    the analysed fields are left out)."""
    if not all(meets(clause, document) for clause in bool_query.get("filter", [])):
        return False
    should = bool_query.get("should")
    if not should:
        return True
    return any(term in document[field].split() for clause in should if "term" in clause
               for field, term in ((f, v["value"]) for f, v in clause["term"].items()))


class Cluster:
    """Answers ElasticsearchBackend.search() as a cluster holding these documents would."""

    def __init__(self, documents: dict[int, dict]):
        self.documents = documents
        self.bodies = []

    def search(self, index, **body):
        self.bodies.append(body)
        query = body["query"]["bool"]
        matched = [(pk, document) for pk, document in self.documents.items() if matches(query, document)]
        hits = [pk for pk, document in matched if meets(body["post_filter"], document)]
        aggregations = {}
        for name, aggregation in body["aggs"].items():
            if "terms" in aggregation:
                counts = Counter(document[aggregation["terms"]["field"]] for _pk, document in matched)
                aggregations[name] = {"buckets": [{"key": key, "doc_count": n}
                                                  for key, n in counts.most_common(aggregation["terms"]["size"])]}
            else:
                aggregations[name] = {"doc_count": sum(meets(aggregation["filter"], d) for _pk, d in matched)}
        page = hits[body["from"] : body["from"] + body["size"]]
        return {"hits": {"hits": [{"_id": str(pk), "_score": 1.0} for pk in page], "total": {"value": len(hits)}},
                "aggregations": aggregations}


@pytest.fixture
def catalogue(items, department, django_capture_on_commit_callbacks):
    """The five items of conftest, and two public services of another department (one without a visit count)."""
    other = DepartmentFactory(name="区人力资源和社会保障局", short_name="区人社局")
    with django_capture_on_commit_callbacks(execute=True):
        card = ServiceItemFactory(name="社会保障卡申领", department=other, item_type=ItemType.PUBLIC_SERVICE,
                                  service_objects="1,2", handled_online=True, visits=3,
                                  acceptance_conditions="营业执照或居民身份证。")
        jobless = ServiceItemFactory(name="失业登记", department=other, item_type=ItemType.PUBLIC_SERVICE,
                                     service_objects="1")
    return {**items, "card": card, "jobless": jobless, "department": department, "other": other}


@pytest.fixture
def cluster(catalogue, settings):
    """The Elasticsearch backend, chosen from the settings as in production, talking to the stand-in."""
    database = search.backend()
    settings.ELASTICSEARCH_URL = "http://elasticsearch.invalid:9200"
    backend = search.backend()
    assert backend.name == "elasticsearch" and backend.documents.name == database.name == connection.vendor
    backend._client = Cluster({item.pk: elastic.document(item) for item in indexable()})
    return backend


def filter_cases(catalogue):
    department, other = catalogue["department"].pk, catalogue["other"].pk
    return [
        Filters(), Filters(department=department), Filters(department=other), Filters(item_type="01"),
        Filters(item_type="20"), Filters(audience="person"), Filters(audience="legal"), Filters(online=True),
        Filters(online=False), Filters(max_visits=0), Filters(max_visits=1), Filters(max_visits=2),
        Filters(department=other, audience="legal", online=True, max_visits=3),
    ]


def meant(filters: Filters, item) -> bool:
    """What the filters mean, said once more in plain Python over the item."""
    for_person, for_legal = audience(item.service_objects)
    return ((not filters.department or item.department_id == filters.department)
            and (not filters.item_type or item.item_type == filters.item_type)
            and (filters.audience != "person" or for_person) and (filters.audience != "legal" or for_legal)
            and (filters.online is None or item.handled_online == filters.online)
            and (filters.max_visits is None or (item.visits is not None and item.visits <= filters.max_visits)))


def found(result) -> set[int]:
    return {hit.document.item_id for hit in result.hits}


def test_every_filter_is_tried(catalogue):
    tried = {name for case in filter_cases(catalogue) for name, value in dataclasses.asdict(case).items()
             if value is not None}
    assert tried == {field.name for field in dataclasses.fields(Filters)}


def test_every_backend_applies_the_same_filters(catalogue, cluster):
    database = cluster.documents
    every_term = list(TermFrequency.objects.exclude(term=DOCUMENTS).values_list("term", flat=True))
    by_document = dict(SearchDocument.objects.values_list("id", "item_id"))
    documents = cluster._client.documents
    query_terms = set(search.search("营业执照", record=False).terms)  # with its synonyms' terms
    for filters in filter_cases(catalogue):
        expected = {item.pk for item in indexable() if meant(filters, item)}
        # Browsing: the database backend's ORM query, and the Elasticsearch body's post_filter.
        assert found(database.search("", filters, 1, 100)) == expected, filters
        assert found(cluster.search("", filters, 1, 100)) == expected, filters
        assert cluster._client.bodies[-1]["post_filter"]["bool"]["filter"] == elastic.filter_clauses(filters)
        # The database's full-text query with the filters as SQL: every document has one of the terms.
        ids, total = database.rank(every_term, filters, 100)
        assert {by_document[pk] for pk in ids} == expected and total == len(expected), filters
        # A query: the filtered documents that have one of its terms, from both.
        having = {pk for pk in expected
                  if query_terms & {t for name in TERM_FIELDS for t in documents[pk][name].split()}}
        assert found(database.search("营业执照", filters, 1, 100)) == having, filters
        assert found(cluster.search("营业执照", filters, 1, 100)) == having, filters
    assert found(database.search("营业执照", Filters(), 1, 100))  # (the query finds something)


def test_every_backend_counts_the_same_facets_whatever_the_filters(catalogue, cluster):
    database = cluster.documents
    assert dict(database.search("", Filters(), 1, 10).facets) == database.all_facets()
    for filters in (Filters(), Filters(audience="legal", online=True)):
        for query in ("", "营业执照", "身份证"):
            from_database = dict(database.search(query, filters, 1, 10).facets)
            assert dict(cluster.search(query, filters, 1, 10).facets) == from_database, (query, filters)
    everything = database.all_facets()
    assert everything["audience"] == [{"value": "person", "label": "个人办事", "count": 3},
                                      {"value": "legal", "label": "法人办事", "count": 5}]
    assert (everything["online"], everything["one_visit"]) == (2, 2)
    assert [row["count"] for row in everything["department"]] == [5, 2]


def test_a_search_that_finds_nothing_is_recorded_only_when_asked_whichever_backend(catalogue, cluster, settings):
    for backend in ("elasticsearch", connection.vendor):
        assert search.backend().name == backend
        ZeroResultQuery.objects.all().delete()
        assert search.search("量子纠缠", record=False).total == 0
        assert not ZeroResultQuery.objects.exists()
        search.search("量子纠缠")
        assert ZeroResultQuery.objects.get().query == "量子纠缠"
        settings.ELASTICSEARCH_URL = ""  # the database backend, for the second round


def test_the_backend_is_chosen_once_from_the_settings(settings):
    assert search.backend() is search.backend()
    assert search.backend().name == connection.vendor
    settings.ELASTICSEARCH_URL = "http://elasticsearch.invalid:9200"
    assert search.backend().name == "elasticsearch" and search.backend() is search.backend()
    settings.ELASTICSEARCH_URL = ""
    assert search.backend().name == connection.vendor
