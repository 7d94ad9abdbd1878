"""Elasticsearch request bodies, tested as data. A live cluster is used only when ELASTICSEARCH_URL is set in the
environment (tests/publish/test_backends_agree.py runs the backend against an in-memory stand-in)."""

import os

import pytest

from publish import search
from publish.search import Filters
from publish.search.backends import elastic


def test_index_settings_use_ik_when_available_else_cjk():
    with_ik = elastic.index_settings(has_ik=True)["settings"]["analysis"]["analyzer"]
    assert with_ik["zh_index"]["tokenizer"] == "ik_max_word" and with_ik["zh_search"]["tokenizer"] == "ik_smart"
    without = elastic.index_settings(has_ik=False)["settings"]["analysis"]["analyzer"]
    assert without["zh_index"] == {"type": "cjk"}


def test_mapping_is_strict_and_has_facet_fields():
    mapping = elastic.index_settings()["mappings"]
    assert mapping["dynamic"] == "strict"
    props = mapping["properties"]
    assert props["title"]["analyzer"] == "zh_index" and props["title"]["fields"]["raw"]["type"] == "keyword"
    assert props["title_terms"]["analyzer"] == "whitespace"
    assert {props[f]["type"] for f in ("for_person", "for_legal", "handled_online")} == {"boolean"}
    assert props["department"]["type"] == "long" and props["item_type"]["type"] == "keyword"


@pytest.mark.django_db
def test_document_carries_jieba_terms_and_pinyin(items):
    doc = elastic.document(items["licence"])
    assert set(doc) == set(elastic.index_settings()["mappings"]["properties"])  # strict mapping accepts it
    assert {"营业", "执照", "营业执照"} <= set(doc["title_terms"].split())
    assert doc["initials"].startswith("qyyyzz") and doc["for_legal"] is True and doc["for_person"] is False


def test_query_body_boosts_titles_and_filters_without_scoring():
    body = elastic.query_body("营业执照", {"营业执照": 1.0, "执照": 1.0, "证照": 0.9},
                              Filters(department=7, audience="person", online=True, max_visits=1), page=3,
                              page_size=10)
    bool_query = body["query"]["bool"]
    assert bool_query["minimum_should_match"] == 1
    boosts = {(next(iter(c["term"])), next(iter(c["term"].values()))["value"]): next(iter(c["term"].values()))[
        "boost"] for c in bool_query["should"] if "term" in c}
    assert boosts[("title_terms", "营业执照")] == 10 and boosts[("body_terms", "营业执照")] == 1
    assert boosts[("main_terms", "营业执照")] == 4
    assert boosts[("title_terms", "证照")] == pytest.approx(9.0)
    assert {"match_phrase": {"title": {"query": "营业执照", "boost": 20}}} in bool_query["should"]
    assert "filter" not in bool_query  # the filters apply after the aggregations: facets count whatever them
    assert body["post_filter"]["bool"]["filter"] == [
        {"term": {"department": 7}},
        {"term": {"for_person": True}},
        {"term": {"handled_online": True}},
        {"range": {"visits": {"lte": 1}}},
    ]
    assert body["from"] == 20 and body["size"] == 10 and body["track_total_hits"] is True
    assert set(body["aggs"]) == {"department", "item_type", "person", "legal", "online", "one_visit"}


def test_browse_without_query_sorts_by_department_and_title():
    body = elastic.query_body("", {}, Filters(item_type="01"), page=1, page_size=10)
    assert "should" not in body["query"]["bool"]
    assert body["sort"] == [{"department": "asc"}, {"title.raw": "asc"}]


@pytest.mark.skipif(not os.environ.get("ELASTICSEARCH_URL"), reason="needs ELASTICSEARCH_URL")
@pytest.mark.django_db
def test_against_a_live_cluster(items, settings):
    settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
    settings.ELASTICSEARCH_INDEX = "tongban-test-items"
    backend = search.backend()
    assert backend.name == "elasticsearch"
    backend.rebuild_index()
    assert search.search("营业执照").hits[0].title == "企业营业执照申请办理"
    assert backend.check()["documents"] == 5
