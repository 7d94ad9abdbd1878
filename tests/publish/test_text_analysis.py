"""The indexing path of publish.text (word-level caches) gives the same terms as the query path (jieba's
cut_for_search), on the real list's titles and department names."""

import csv

import pytest
from django.conf import settings

from publish import text


def real_texts():
    with open(settings.DATA_DIR / "catalog" / "guangan_items.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["name"] for r in rows] + sorted({r["department"] for r in rows}) + [
        "申请人符合《某条例》第三条规定的条件 ABC-12 （临时）", "广安市广安区政务服务中心二楼 0826-2345678", "",
    ]


def test_index_terms_equal_query_terms_on_the_real_list():
    for value in real_texts():
        assert text.analyse_title(value)[0] == text.terms(value), value
        assert list(text.part_terms(value)) == text.terms(value), value


def test_pinyin_follows_the_words():
    # Word by word, 的确定 reads de queding (pypinyin on the whole title took 的确 as one word: dique ding).
    title = "林木种子采种林的确定（县级）"
    _terms, pinyin, initials = text.analyse_title(title)
    assert pinyin == "linmuzhongzicaizhonglindequeding(xianji)" and initials == "lmzzczldqd(xj)"
    # A query is read the same way (did-you-mean, Elasticsearch documents).
    assert text.pinyin(title) == pinyin and text.initials(title) == initials
    assert text.analyse_title("身份证") == (["身份", "身份证"], "shenfenzheng", "sfz")


def test_document_fields_are_deduplicated_and_joined():
    title, pinyin, initials, main, body = text.analyse_document(
        "居民身份证办理", "身份证", ["区公安分局", "身份证", "区公安分局"])
    assert title == "居民 身份 身份证 居民身份证 办理" and main == "身份 身份证"
    assert body == "区 公安 安分 分局 公安分局 身份 身份证"  # each term once, whichever part it came from
    assert (pinyin, initials) == ("juminshenfenzhengbanli", "jmsfzbl")


def test_tsvector_text_numbers_each_term_through_the_fields_with_its_weight():
    assert text.tsvector_text("居民 身份证", "", "it's a\\b") == "'居民':1A '身份证':2A 'it''s':3C 'a\\\\b':4C"
    assert text.tsvector_text("", "", "") == ""
    long_word = "长" * 700  # 2,100 bytes: longer than a lexeme may be, left out but counted
    assert text.tsvector_text(f"{long_word} 证", "主项", "") == "'证':2A '主项':3B"


@pytest.mark.services
@pytest.mark.django_db
def test_postgresql_builds_the_same_vector_in_sql_as_python_does():
    # Documents are written with tsvector_text(); a document updated in place gets publish_search_vector() from
    # a trigger (migration 0009). Both must give the same vector, on the real list's terms and on odd ones.
    from django.db import connection

    from bulk import write_rows

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's vector (CI runs this on PostgreSQL)")
    cases = [(" ".join(text.terms(value)), "", " ".join(text.terms(value + " 申请材料"))) for value in real_texts()]
    cases += [("it's a\\b 7.5%", "", ""), ("", "", ""), ("长" * 700 + " 证", "主项", "x " * 17000),
              ("证 身份证", "身份证", "办理 身份证 证"),  # a term in several fields: its positions merged
              ("证", "", " ".join(f"词{n}" for n in range(16390)) + " 证 词1 词16389"),  # past the last position
              ("", "", "y " * 300), ("a  b", "", "")]  # more than 256 positions; an empty word
    with connection.cursor() as cursor:
        for title, main, body in cases:
            cursor.execute("SELECT %s::tsvector = publish_search_vector(%s, %s, %s)",
                           [text.tsvector_text(title, main, body), title, main, body])
            assert cursor.fetchone()[0], (title, main, body[:50])
        # The import writes the binary form (text.tsvector_binary) with its binary COPY: the same vectors.
        cursor.execute("CREATE TEMP TABLE written_vectors (n integer, vector tsvector)")
        write_rows("written_vectors", ["n", "vector"],
                   [(n, text.tsvector_binary(*case)) for n, case in enumerate(cases)])
        cursor.execute("SELECT n FROM written_vectors JOIN unnest(%s::text[]) WITH ORDINALITY AS t(vector, k)"
                       " ON k = n + 1 WHERE written_vectors.vector = t.vector::tsvector",
                       [[text.tsvector_text(*case) for case in cases]])
        assert sorted(n for (n,) in cursor.fetchall()) == list(range(len(cases)))


@pytest.mark.services
@pytest.mark.django_db
def test_postgresql_refuses_a_search_document_written_without_its_vector():
    from django.db import IntegrityError, connection

    from catalog.models import Department
    from publish.models import SearchDocument

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's vector (CI runs this on PostgreSQL)")
    department = Department.objects.create(name="区经信局", credit_code="11511301008778183N")
    with pytest.raises(IntegrityError, match="search_vector"):
        SearchDocument.objects.create(code="X-1", title="企业投资项目备案", department=department,
                                      item_type="01", item_id=1)


# The Analyser starts its second process only where os.cpu_count() says there is a second core: each test below
# says how many cores there are, so that none depends on the machine it runs on.


def cores(monkeypatch, count):
    monkeypatch.setattr(text.os, "cpu_count", lambda: count)


def attempts_to_start_a_process(monkeypatch):
    """The calls to ProcessPoolExecutor from here on (each refused, so that none starts a process)."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("no process here")

    monkeypatch.setattr(text, "ProcessPoolExecutor", refuse)
    return attempts


DOCUMENTS = [("居民身份证办理", "", ["区公安分局", "身份证"]), ("企业投资项目备案", "企业投资项目", ["区发展改革局"])]


def test_with_a_second_core_large_batches_are_analysed_in_a_second_process(monkeypatch):
    cores(monkeypatch, 2)
    expected = text.analyse_and_count(DOCUMENTS, vectors=True)
    analyser = text.Analyser(text.Analyser.MIN_DOCUMENTS)
    try:
        assert analyser.pool is not None
        assert analyser.pool.submit(text.os.getpid).result() != text.os.getpid()  # another process indeed
        assert analyser.submit(DOCUMENTS, vectors=True)() == expected
    finally:
        analyser.close()
    assert analyser.pool is None
    analyser.close()  # again: nothing left to end


@pytest.mark.parametrize("count", [1, None])  # None: the number of cores is unknown
def test_with_one_core_everything_is_analysed_in_this_process(monkeypatch, count):
    cores(monkeypatch, count)
    attempts = attempts_to_start_a_process(monkeypatch)
    expected = text.analyse_and_count(DOCUMENTS, vectors=True)
    analyser = text.Analyser(text.Analyser.MIN_DOCUMENTS * 10)
    assert analyser.pool is None
    analyser.segment_ahead([f"第{n}号事项" for n in range(100)], give_way=True, chunk=10)
    assert analyser.ahead == []  # nothing to segment ahead in the same process: the work would be the same
    assert analyser.submit(DOCUMENTS, vectors=True)() == expected
    assert analyser.submit(DOCUMENTS)() == (expected[0], expected[1], None)
    analyser.close()
    assert attempts == []  # not even tried


def test_small_batches_are_analysed_in_this_process_even_with_cores_to_spare(monkeypatch):
    cores(monkeypatch, 64)
    attempts = attempts_to_start_a_process(monkeypatch)
    analyser = text.Analyser(text.Analyser.MIN_DOCUMENTS - 1)
    assert analyser.pool is None
    assert analyser.submit(DOCUMENTS)() == text.analyse_and_count(DOCUMENTS)
    assert attempts == []


def test_where_no_process_can_start_the_analysis_runs_in_this_process(monkeypatch):
    cores(monkeypatch, 2)
    attempts = attempts_to_start_a_process(monkeypatch)  # as in a daemonic worker, which may have no children
    analyser = text.Analyser(text.Analyser.MIN_DOCUMENTS)
    assert len(attempts) == 1 and analyser.pool is None
    assert analyser.submit(DOCUMENTS, vectors=True)() == text.analyse_and_count(DOCUMENTS, vectors=True)


def test_titles_segmented_ahead_give_way_to_the_documents_when_asked(monkeypatch):
    cores(monkeypatch, 2)
    documents = [("居民身份证办理", "", ["区公安分局", "身份证"])]
    expected = text.analyse_and_count(documents, vectors=True)
    for give_way in (True, False):
        analyser = text.Analyser(text.Analyser.MIN_DOCUMENTS)
        try:
            assert analyser.pool is not None
            analyser.segment_ahead([f"第{n}号事项：企业投资项目备案" for n in range(20000)], give_way=give_way,
                                   chunk=1000)
            chunks = list(analyser.ahead)
            assert analyser.submit(documents, vectors=True)() == expected
            # Giving way, the chunks not yet started were dropped for the documents; else none was.
            assert bool(chunks) == give_way and analyser.ahead == []
            assert any(chunk.cancelled() for chunk in chunks) == give_way
        finally:
            analyser.close()
