"""The import's fast write paths leave what Wagtail's own save_revision() would: same revision content, rows the
admin can open, revisions that restore the item with its children."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from wagtail.models import Revision

from catalog.bulk import serializable_data
from catalog.models import Material, ServiceItem
from imports.service import import_file

from .conftest import xlsx

pytestmark = pytest.mark.django_db
POINTERS = ("updated_at", "latest_revision", "live_revision", "first_published_at", "last_published_at", "live",
            "has_unpublished_changes")
CODE = "511A0001-511602000000-000-11511301008778183N-1-00"


def workbook(name="企业投资项目备案"):
    return xlsx(
        ("事项", [["实施编码", "事项名称", "事项类型", "实施主体", "实施主体编码", "承诺办结时限", "设定依据"],
                  [CODE, name, "许可", "区经信局", "11511301008778183N", 5, "《行政许可法》第十二条：内容"]]),
        ("申请材料", [["实施编码", "材料名称", "材料类型", "必要性"],
                      [CODE, "申请表", "申请表格文书", "必要"], [CODE, "营业执照", "证件证书证明", "非必要"]]),
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
    started = []
    original = text.Analyser.__init__

    def spy(self, expected):
        original(self, expected)
        started.append(self.pool is not None)

    monkeypatch.setattr(text.Analyser, "__init__", spy)
    import_file(workbook(), "x.xlsx", publish=True)
    assert started == [True]  # the machine has a second core: the analysis ran in another process
    assert list(SearchDocument.objects.values_list("title_terms", "pinyin", "initials", "body_terms")) == in_process
    assert [hit.title for hit in search.search("投资项目", record=False).hits] == ["企业投资项目备案"]


def test_the_writer_names_every_column_of_wagtails_revision_and_log_tables():
    # catalog.writer writes these tables with plain SQL: a column Wagtail adds must not go unnoticed.
    from wagtail.models import ModelLogEntry

    from catalog.writer import LOG_ENTRY_COLUMNS, REVISION_COLUMNS

    assert REVISION_COLUMNS == [f.column for f in Revision._meta.concrete_fields]
    assert LOG_ENTRY_COLUMNS == [f.column for f in ModelLogEntry._meta.concrete_fields if not f.primary_key]
