import pytest

from publish import search, text
from publish.models import SearchDocument, Synonym, TermFrequency, ZeroResultQuery
from publish.search import documents, ranking
from tests.catalog.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db


def titles(result):
    return [hit.title for hit in result.hits]


def test_segmentation_is_search_mode():
    assert {"营业", "执照", "营业执照"} <= set(text.terms("企业营业执照申请办理"))
    assert "了" not in text.query_terms("身份证丢了怎么办")
    assert text.terms("（临时）") == ["临时"]


def test_part_of_a_title_finds_the_item(items):
    assert titles(search.search("营业执照"))[0] == "企业营业执照申请办理"


def test_title_match_ranks_above_body_match(items):
    found = titles(search.search("营业执照"))
    # 分公司设立登记 mentions 营业执照 only in its result and materials; 营业性演出 only shares 营业.
    assert found.index("企业营业执照申请办理") < found.index("分公司设立登记") < found.index("举办营业性演出审批")


def test_question_style_query_with_synonyms(items):
    assert titles(search.search("身份证丢了怎么办"))[0] == "居民身份证补领"


def test_editor_synonym_takes_effect(items):
    assert "食品经营许可核发" not in titles(search.search("开小吃店"))
    Synonym.objects.create(term="小吃店", expansions="食品经营许可")
    assert titles(search.search("开小吃店"))[0] == "食品经营许可核发"


def test_filters_and_facets(items, department):
    result = search.search("营业执照", search.Filters(audience="legal", online=True))
    assert titles(result) == ["企业营业执照申请办理"]
    departments = result.facets["department"]
    assert departments[0]["value"] == department.pk and departments[0]["count"] == 3
    assert search.search("", search.Filters(audience="person")).total == 1
    assert titles(search.search("", search.Filters(max_visits=1))) and all(
        h.document.visits <= 1 for h in search.search("", search.Filters(max_visits=1)).hits
    )


def test_unpublished_items_are_not_found(items, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        items["idcard"].unpublish()
    assert "居民身份证补领" not in titles(search.search("身份证"))
    assert not SearchDocument.objects.filter(item=items["idcard"]).exists()


def test_draft_changes_are_not_indexed_until_published(items, django_capture_on_commit_callbacks):
    item = items["show"]
    item.name = "举办营业性演出审批（新名称草稿）"
    with django_capture_on_commit_callbacks(execute=True):
        revision = item.save_revision()
    assert search.search("新名称草稿", record=False).total == 0
    with django_capture_on_commit_callbacks(execute=True):
        revision.publish()
    assert titles(search.search("新名称草稿"))[0].startswith("举办营业性演出审批")


def test_zero_results_are_recorded(items):
    result = search.search("量子纠缠")
    assert result.total == 0 and result.hits == []
    assert ZeroResultQuery.objects.filter(query="量子纠缠", result_count=0).exists()
    search.search("营业执照")
    assert not ZeroResultQuery.objects.filter(query="营业执照").exists()


def test_did_you_mean_on_homophone(items):
    # 身份正 is a typo of 身份证: 正 is no indexed term, the pinyin of the whole query is in a title's.
    result = search.search("身份正", record=False)
    assert result.did_you_mean == "居民身份证补领"


def test_suggestions_by_pinyin_and_initials(items):
    assert search.suggest("sfz")[0]["title"] == "居民身份证补领"
    assert search.suggest("yingye")[0]["title"] in {"企业营业执照申请办理", "举办营业性演出审批"}
    assert {s["title"] for s in search.suggest("营业")} == {"企业营业执照申请办理", "举办营业性演出审批"}
    assert search.suggest("") == []


def test_highlight_escapes_and_marks():
    assert str(search.highlight("<b>营业执照</b>", ["营业执照"])) == "&lt;b&gt;<mark>营业执照</mark>&lt;/b&gt;"


def test_rebuild_indexes_only_published(items):
    ServiceItemFactory(name="草稿事项营业执照", live=False)
    TermFrequency.objects.all().delete()
    SearchDocument.objects.all().delete()
    assert search.rebuild() == 5
    assert "草稿事项营业执照" not in titles(search.search("营业执照", page_size=50))


def test_no_did_you_mean_when_every_term_is_known(items):
    assert search.search("身份证", record=False).did_you_mean == ""


def test_term_frequencies_follow_publishing(items, django_capture_on_commit_callbacks):
    def frequency(term):
        row = TermFrequency.objects.filter(term=term).first()
        return row.documents if row else 0

    assert frequency(documents.DOCUMENTS) == SearchDocument.objects.count() == 5
    before = frequency("身份证")
    with django_capture_on_commit_callbacks(execute=True):
        items["idcard"].unpublish()
    assert frequency("身份证") == before - 1 and frequency(documents.DOCUMENTS) == 4
    search.rebuild()
    assert frequency("身份证") == before - 1 and frequency(documents.DOCUMENTS) == 4


def test_full_text_index_follows_document_changes(items):
    index = search.backend().documents
    licence = SearchDocument.objects.get(item=items["licence"])
    assert licence.pk in index.ranked_ids(["营业执照"], search.Filters(), 10)
    licence.title_terms = "量子"
    licence.save()
    assert licence.pk not in index.ranked_ids(["营业执照"], search.Filters(), 10)
    assert index.ranked_ids(["量子"], search.Filters(), 10) == [licence.pk]
    assert index.count(["量子"], search.Filters(audience="person")) == 0


def test_rarest_terms_select_when_candidates_would_flood(items, monkeypatch):
    monkeypatch.setattr(ranking, "SELECT_POOL", 1)
    idf, selecting = ranking.term_statistics({"营业执照": 1.0, "营业": 1.0})
    assert set(idf) == {"营业执照", "营业"} and selecting == ["营业执照"]  # 营业 still scores
    assert titles(search.search("营业执照"))[0] == "企业营业执照申请办理"
