"""The import's fast write paths leave what Wagtail's own save_revision() would: same revision content, rows the
admin can open, revisions that restore the item with its children."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from wagtail.models import Revision

from catalog.models import LegalBasis, Material, ServiceItem
from catalog.revisions import serializable_data
from imports.service import import_file

from .conftest import xlsx

pytestmark = pytest.mark.django_db
POINTERS = ("updated_at", "latest_revision", "live_revision", "first_published_at", "last_published_at", "live",
            "has_unpublished_changes")
CODE = "511A0001-511602000000-000-11511301008778183N-1-00"


def workbook(name="企业投资项目备案", code=CODE):
    return xlsx(
        ("事项", [["实施编码", "事项名称", "事项类型", "实施主体", "实施主体编码", "承诺办结时限", "设定依据"],
                  [code, name, "许可", "区经信局", "11511301008778183N", 5, "《行政许可法》第十二条：内容"]]),
        ("申请材料", [["实施编码", "材料名称", "材料类型", "必要性"],
                      [code, "申请表", "申请表格文书", "必要"], [code, "营业执照", "证件证书证明", "非必要"]]),
    )


@pytest.mark.parametrize("publish", [True, False])
def test_revision_content_is_what_modelcluster_writes(publish):
    result = import_file(workbook(), "x.xlsx", create_departments=True, publish=publish)
    assert result.written and result.created == 1
    item = ServiceItem.objects.get(implementation_code=CODE)
    revision = item.latest_revision
    assert Revision.objects.filter(object_id=str(item.pk)).count() == 1
    # The stored content equals Wagtail's own serialisation of the stored row, but for what changes when a revision
    # is saved and published after its content was taken (as save_revision().publish() leaves it).
    expected = json.loads(json.dumps(item.serializable_data(), cls=DjangoJSONEncoder))
    stored = dict(revision.content)
    for data in (expected, stored):
        for key in POINTERS:
            data.pop(key)
    assert stored["materials"] == expected["materials"] and all(m["pk"] for m in stored["materials"])
    assert stored == expected
    # And it makes the item again, children included.
    again = revision.as_object()
    assert again.pk == item.pk and again.name == item.name and again.promised_limit == 5
    assert [m.name for m in again.materials.all()] == ["申请表", "营业执照"]
    assert [b.law for b in again.legal_bases.all()] == ["《行政许可法》"]


def test_fast_serializer_matches_modelcluster_on_an_edited_item():
    import_file(workbook(), "x.xlsx", create_departments=True, publish=True)
    item = ServiceItem.objects.get(implementation_code=CODE)
    item.visits = 2
    item.online_url = "https://example.org/a"
    expected, fast = item.serializable_data(), serializable_data(item)
    expected.pop("updated_at"), fast.pop("updated_at")
    assert fast == expected


def test_admin_edit_page_opens_an_imported_item_and_its_revision_restores(client):
    import_file(workbook(), "x.xlsx", create_departments=True, publish=True)
    import_file(workbook("企业投资项目备案（改）"), "x.xlsx", publish=True)
    item = ServiceItem.objects.get(implementation_code=CODE)
    assert item.name == "企业投资项目备案（改）" and Material.objects.filter(item=item).count() == 2
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    response = client.get(item.get_admin_url())
    assert response.status_code == 200 and "企业投资项目备案（改）" in response.content.decode()
    first = item.revisions.order_by("created_at", "pk").first()
    old = first.as_object()
    assert old.name == "企业投资项目备案" and len(old.materials.all()) == 2
    # Publishing the first revision again (a revert) restores the old name and keeps two materials.
    first.publish(user=user, skip_permission_checks=True)
    item.refresh_from_db()
    assert item.name == "企业投资项目备案" and Material.objects.filter(item=item).count() == 2


def test_ids_of_deleted_items_are_not_used_again():
    # A revision names its item by id: a new item must never take the id of a deleted one (SQLite AUTOINCREMENT,
    # PostgreSQL sequences), or the deleted item's revisions would show up in the new item's history.
    import_file(workbook(), "x.xlsx", create_departments=True, publish=True)
    old = ServiceItem.objects.get(implementation_code=CODE)
    old_pk, old_materials = old.pk, set(Material.objects.filter(item=old).values_list("pk", flat=True))
    old.delete()
    import_file(workbook(), "x.xlsx", publish=True)
    new = ServiceItem.objects.get(implementation_code=CODE)
    assert new.pk > old_pk
    assert min(Material.objects.filter(item=new).values_list("pk", flat=True)) > max(old_materials)
    assert new.latest_revision_id == new.live_revision_id and new.latest_revision.object_id == str(new.pk)
    assert new.first_published_at is not None and new.live and not new.has_unpublished_changes


def test_public_index_text_analysed_in_a_second_process_is_the_same(monkeypatch):
    from publish import search, text
    from publish.models import SearchDocument

    import_file(workbook(), "x.xlsx", create_departments=True, publish=True)
    in_process = list(SearchDocument.objects.values_list("title_terms", "pinyin", "initials", "body_terms"))
    ServiceItem.objects.all().delete()
    SearchDocument.objects.all().delete()
    monkeypatch.setattr(text.Analyser, "MIN_DOCUMENTS", 1)
    monkeypatch.setattr(text.os, "cpu_count", lambda: 2)  # a second core, whatever this machine has
    started = []
    original = text.Analyser.__init__

    def spy(self, expected):
        original(self, expected)
        started.append(self.pool is not None)

    monkeypatch.setattr(text.Analyser, "__init__", spy)
    import_file(workbook(), "x.xlsx", publish=True)
    assert started == [True]  # the analysis ran in another process
    assert list(SearchDocument.objects.values_list("title_terms", "pinyin", "initials", "body_terms")) == in_process
    assert [hit.title for hit in search.search("投资项目", record=False).hits] == ["企业投资项目备案"]


def test_the_writer_names_every_column_of_wagtails_revision_and_log_tables():
    # catalog.writer writes these tables with plain SQL: a column Wagtail adds must not go unnoticed.
    from wagtail.models import ModelLogEntry

    from catalog.writer import LOG_ENTRY_COLUMNS, REVISION_COLUMNS

    assert REVISION_COLUMNS == [f.column for f in Revision._meta.concrete_fields]
    assert LOG_ENTRY_COLUMNS == [f.column for f in ModelLogEntry._meta.concrete_fields if not f.primary_key]


def test_background_writer_runs_statements_in_order_and_its_errors_roll_the_transaction_back():
    from django.db import IntegrityError, transaction

    from bulk import BackgroundWriter, write_rows
    from catalog.models import Department

    table, columns = Department._meta.db_table, ["id", "name", "short_name", "credit_code", "division_code",
                                                 "level", "consultation_phone"]
    rows = [(9000 + i, f"部门{i}", "", f"CODE{i:014d}", "", "1", "") for i in range(1200)]  # over one statement
    writer = BackgroundWriter()
    try:
        writer.insert(table, columns, rows)
        writer.call(write_rows, table, columns, [(20000, "后写入", "", "LATER", "", "1", "")])
        writer.wait()
    finally:
        writer.close()
    assert Department.objects.filter(pk__gte=9000).count() == 1201
    assert Department.objects.get(pk=20000).name == "后写入"

    before = Department.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        writer = BackgroundWriter()
        try:
            writer.insert(table, columns, [(30000, "新部门", "", "NEW", "", "1", "")])
            writer.insert(table, columns, [(9000, "重复的主键", "", "DUPLICATE", "", "1", "")])
            # More than a batch after it: on PostgreSQL each of these fails too ("current transaction is
            # aborted"); the error raised must still be the first one.
            for i in range(2 * writer.max_pending):
                writer.insert(table, columns, [(40000 + i, f"其后{i}", "", f"AFTER{i}", "", "1", "")])
            writer.close()
        finally:
            writer.close(quietly=True)
    assert Department.objects.count() == before and not Department.objects.filter(pk=30000).exists()


def test_id_pool_hands_out_reserved_ids_then_reserves_more():
    from bulk import IdPool

    pool = IdPool()
    pool.reserve(Material, 3)
    first = pool.take(Material, 2)
    rest = pool.take(Material, 4)  # one left, three more reserved
    assert first == sorted(first) and len(set(first + rest)) == 6 and rest[0] == first[-1] + 1


def test_sqlite_checkpoint_runs_after_the_import_commits(tmp_path):
    # A file database in WAL mode (the test database is in memory): the import's connection leaves the log to a
    # thread of its own, which copies it into the database file once the import has committed.
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "import.sqlite3"
    script = (
        "import django, threading; django.setup()\n"
        "from django.core.management import call_command; call_command('migrate', verbosity=0)\n"
        "from imports.service import import_file\n"
        "from tests.imports.test_speed_paths import workbook\n"
        "from django.db import connection\n"
        "result = import_file(workbook(), 'x.xlsx', create_departments=True, publish=True)\n"
        "assert result.written, result.errors\n"
        "names = [t.name for t in threading.enumerate()]\n"
        "[t.join() for t in threading.enumerate() if t.name == 'db-upkeep-after-commit']\n"
        "cursor = connection.cursor(); cursor.execute('PRAGMA wal_autocheckpoint')\n"
        "print(names.count('db-upkeep-after-commit'), cursor.fetchone()[0])\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], cwd=root, check=True, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test",
                              "DATABASE_URL": f"sqlite:///{path}", "PYTHONPATH": str(root)}).stdout
    assert out.split() == ["1", "1000"]  # one checkpoint thread; the connection checkpoints as usual again
    import sqlite3

    with sqlite3.connect(path) as conn:
        busy, log_frames, checkpointed = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and log_frames == checkpointed  # nothing was left in the log
        assert conn.execute("SELECT COUNT(*) FROM catalog_serviceitem").fetchone()[0] == 1


def test_the_garbage_collector_is_paused_during_an_import_and_resumes_after():
    # In a process of the import's own (a worker); a web process never pauses it (tests/imports/test_jobs.py).
    import gc

    from imports.service import import_process

    seen = []
    with import_process():
        result = import_file(workbook(), "x.xlsx", create_departments=True,
                             progress=lambda done, total, stage: seen.append(gc.isenabled()))
    assert result.written and seen and not any(seen)
    assert gc.isenabled()


def test_an_import_whose_writes_fail_reports_the_databases_first_error_and_writes_nothing(monkeypatch):
    from django.db import IntegrityError

    import bulk.writer

    import_file(workbook(), "x.xlsx", create_departments=True, publish=True)
    taken = Revision.objects.get().pk
    counts = (ServiceItem.objects.count(), Material.objects.count(), Revision.objects.count())
    reserve = bulk.writer.reserve_ids
    monkeypatch.setattr(bulk.writer, "reserve_ids",
                        lambda model, count: [taken] * count if model is Revision else reserve(model, count))
    monkeypatch.setattr("imports.commit.CHUNK", 1)  # a batch per item: statements queue up after the failure
    codes = [CODE.replace("0001", f"000{n}") for n in range(2, 6)]
    data = xlsx(("事项", [["实施编码", "事项名称", "事项类型", "实施主体"],
                          *([code, f"事项{code[6]}", "许可", "区经信局"] for code in codes)]),
                ("申请材料", [["实施编码", "材料名称"], *([code, "申请表"] for code in codes)]))
    with pytest.raises(IntegrityError):  # not "current transaction is aborted" from a statement after it
        import_file(data, "x.xlsx", publish=True)
    assert (ServiceItem.objects.count(), Material.objects.count(), Revision.objects.count()) == counts


def _postgresql_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's row triggers (CI runs this on PostgreSQL)")


@pytest.mark.services
def test_key_check_takes_the_place_of_the_row_triggers_and_refuses_a_missing_key():
    from django.db import IntegrityError, connection, transaction

    from bulk import BackgroundWriter, KeyCheck, reserve_ids

    _postgresql_only()
    import_file(workbook(), "x.xlsx", create_departments=True, publish=True)
    item = ServiceItem.objects.get()
    table = LegalBasis._meta.db_table
    columns = ["id", "sort_order", "item_id", "law", "article", "text"]

    def legal_bases(*item_ids):
        return [(pk, n, item_id, f"《条例{n}》", "", "") for n, (pk, item_id) in
                enumerate(zip(reserve_ids(LegalBasis, len(item_ids)), item_ids, strict=True))]

    def insert(rows, keys):
        writer = BackgroundWriter(keys=keys)
        try:
            writer.insert(table, columns, rows)
            writer.close()
        finally:
            writer.close(quietly=True)

    before = LegalBasis.objects.count()
    with pytest.raises(IntegrityError, match=r"catalog_legalbasis\.item_id.*catalog_serviceitem"), \
            transaction.atomic():
        keys = KeyCheck.from_settings()
        assert keys is not None  # CI's role is a superuser
        insert(legal_bases(item.pk, 999999), keys)
        with connection.cursor() as cursor:
            # No trigger was queued for these rows: making the constraints immediate checks nothing …
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"  # … and later statements have their triggers again
        keys.check()  # … so this must find the missing item
    assert LegalBasis.objects.count() == before

    with transaction.atomic():
        keys = KeyCheck.from_settings()
        insert(legal_bases(item.pk, item.pk), keys)
        keys.check()
    assert LegalBasis.objects.count() == before + 2

    # Without a KeyCheck the row triggers are there as usual.
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(legal_bases(999999), None)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.services
def test_key_check_is_an_explicit_setting_that_a_role_which_may_not_turn_triggers_off_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured
    from django.db import connection, transaction

    from bulk import KeyCheck

    _postgresql_only()
    settings.BULK_KEY_CHECK = False
    assert KeyCheck.from_settings() is None  # off: the row triggers check the keys, whatever the role may do
    settings.BULK_KEY_CHECK = True
    assert KeyCheck.from_settings() is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = 'tongban_plain_role'")
        if not cursor.fetchone():
            cursor.execute("CREATE ROLE tongban_plain_role NOLOGIN")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL ROLE tongban_plain_role")
        with pytest.raises(ImproperlyConfigured, match="tongban_plain_role may not set session_replication_role"):
            KeyCheck.from_settings()
    assert KeyCheck({"catalog_material"}).takes("catalog_material") is False  # a table with triggers of its own


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_search_index_pending_entries_are_merged_after_the_import_commits():
    import threading

    from django.db import connection, transaction

    from bulk import UPKEEP_THREAD, tune_for_bulk_write

    _postgresql_only()
    with transaction.atomic(), connection.cursor() as cursor:
        tune_for_bulk_write()  # the import's transaction lets the pending list grow …
        cursor.execute("SHOW gin_pending_list_limit")
        assert cursor.fetchone()[0] == "1GB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW gin_pending_list_limit")
        assert cursor.fetchone()[0] == "4MB"  # … and only it
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = 'tongban_plain_role'")
        if not cursor.fetchone():
            cursor.execute("CREATE ROLE tongban_plain_role NOLOGIN")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL ROLE tongban_plain_role")
        tune_for_bulk_write()  # a role that could not merge the list after the commit leaves it as it is
        cursor.execute("SHOW gin_pending_list_limit")
        assert cursor.fetchone()[0] == "4MB"

    result = import_file(workbook(), "x.xlsx", create_departments=True, publish=True)
    assert result.written
    for thread in threading.enumerate():
        if thread.name == UPKEEP_THREAD:
            thread.join()
    with connection.cursor() as cursor:
        # Pages still in the pending list would be merged (and counted) now: the thread did it already.
        cursor.execute("SELECT gin_clean_pending_list('publish_searchdocument_search_vector'::regclass)")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM publish_searchdocument"
                       " WHERE search_vector @@ to_tsquery('simple', '企业 & 投资')")
        assert cursor.fetchone()[0] == 1


@pytest.mark.services
def test_binary_copy_stores_what_a_text_copy_stores():
    """PostgreSQL: write_rows() COPYs in binary where every column's type has a binary form, with jsonb taken as
    the JSON text it is given; the stored values are those of a text COPY of the same row."""
    from django.db import connection

    from bulk import binary_copy_types, write_rows
    from catalog.writer import REVISION_COLUMNS
    from publish.models import SearchDocument

    _postgresql_only()
    import_file(workbook(), "x.xlsx", create_departments=True, publish=True)
    item = ServiceItem.objects.get()
    content = json.dumps({"name": "引号\"、反斜杠\\、制表\t换行\n", "emoji": "😀", "n": 1.5, "none": None},
                         ensure_ascii=False)
    moment = item.created_at

    def row(pk):
        return (pk, item.latest_revision.content_type_id, item.latest_revision.base_content_type_id, str(item.pk),
                moment, None, "标签\\带反斜杠", content, None)

    table = Revision._meta.db_table
    with connection.cursor() as cursor:
        assert binary_copy_types(cursor.cursor, table, REVISION_COLUMNS) is not None
        assert binary_copy_types(cursor.cursor, SearchDocument._meta.db_table, ["id", "search_vector"]) is not None
        cursor.execute("CREATE TEMP TABLE queries (query tsquery)")  # (no binary dumper for tsquery here)
        assert binary_copy_types(cursor.cursor, "queries", ["query"]) is None
        write_rows(table, REVISION_COLUMNS, [row(900001)])  # binary
        with cursor.cursor.copy(f"COPY {table} ({', '.join(REVISION_COLUMNS)}) FROM STDIN") as copy:
            copy.write_row(row(900002))  # text
    binary, text = (Revision.objects.filter(pk=pk).values(*[f.attname for f in Revision._meta.concrete_fields
                                                            if not f.primary_key]).get() for pk in (900001, 900002))
    assert binary == text
    assert binary["content"]["name"] == "引号\"、反斜杠\\、制表\t换行\n" and binary["created_at"] == moment

    # Values must be of the column's type: a binary COPY does not convert the number 1 to the text "1".
    with pytest.raises(TypeError):
        write_rows(LegalBasis._meta.db_table, ["id", "sort_order", "item_id", "law", "article", "text"],
                   [(900003, 0, item.pk, 1, "", "")])


def test_contents_keep_their_keys_in_jsonb_order():
    """PostgreSQL sorts each object's keys when it stores jsonb (shorter first, then by bytes); contents made in
    that order spare it the sorting. The order changes nothing else."""
    from catalog.writer import ItemWriter, jsonb_ordered

    data = {"name": "x", "pk": 1, "materials": [{"sort_order": 0, "pk": 2, "name": "申请表"}], "不": 1, "ab": 2}
    ordered = jsonb_ordered(data)
    assert ordered == data
    assert list(ordered) == ["ab", "pk", "不", "name", "materials"]  # "不" is three bytes long
    assert list(ordered["materials"][0]) == ["pk", "name", "sort_order"]
    for template in [ItemWriter().template(), *ItemWriter.child_templates().values()]:
        keys = [key.encode() for key in template]
        assert keys == sorted(keys, key=lambda key: (len(key), key))
