"""Forms exported and imported as JSON and copied to other items: checked against the blocks and compiled with the
target's questions and materials, saved as a draft revision or not at all, only for items the user may change."""

import copy
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Material, ServiceItem
from formbuilder.models import FormDefinition
from formbuilder.transfer import FormImportError, _without_ids, copy_form, export_form, import_form
from rules.models import SituationQuestion
from tests.formbuilder.conftest import give_form
from tests.formbuilder.samples import agent_form

pytestmark = pytest.mark.django_db


def _draft_form(item):
    item = ServiceItem.objects.get(pk=item.pk)
    return next(iter(item.latest_revision.as_object().form_definitions.all()), None)


def _normal(steps):
    """The steps as the blocks store them (the samples leave out the children a saved form has)."""
    block = FormDefinition._meta.get_field("steps").stream_block
    return _without_ids(block.get_prep_value(block.clean(block.to_python(steps))))


def _same_questions_and_materials(source, target, materials=None):
    source = ServiceItem.objects.get(pk=source.pk)
    for question in source.situation_questions.all():
        SituationQuestion.objects.create(item=target, key=question.key, text=question.text, kind=question.kind,
                                         options=question.options, sort_order=question.sort_order)
    for material in source.materials.all():
        if materials is None or material.name in materials:
            Material.objects.create(item=target, name=material.name, required_when=material.required_when,
                                    necessity=material.necessity, sort_order=material.sort_order)
    ServiceItem.objects.get(pk=target.pk).save_revision().publish()  # (published: its rows are its content)


@pytest.fixture
def source(world):
    return give_form(world.item_a, agent_form())


def test_an_exported_form_imports_into_the_same_form(world, source):
    document = json.loads(json.dumps(export_form(source)))  # through its JSON text
    target = world.item_a_sub
    _same_questions_and_materials(source, target)
    import_form(target, document, world.dept_admin)
    definition = _draft_form(target)
    assert definition.title == document["title"] == "测试表单"
    assert len(document["steps"]) == 2 and document["checks"]
    assert [b.block_type for b in definition.steps[0].value["fields"]][:3] == ["person_name", "id_number", "mobile"]
    assert export_form(target)["steps"] == _normal(document["steps"])
    assert document["steps"] != export_form(world.item_b)["steps"]  # (the comparison can fail)


def _document(source):
    return json.loads(json.dumps(export_form(source)))


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["steps"][0]["value"]["fields"].append({"type": "nonsense", "value": {}}), "类型“nonsense”不存在"),
    (lambda d: d["steps"][0]["value"]["fields"][0]["value"].update(colour="red"), "没有“colour”这一项"),
    (lambda d: d["steps"][0]["value"]["fields"][0]["value"].update(key="Bad Key"), "小写字母开头"),
    (lambda d: d["steps"][0]["value"]["fields"][4]["value"].update(required_when="没有的问题=是"), "没有的问题"),
    (lambda d: d.update(format="other"), "不是导出的在线表单"),
])
def test_a_bad_document_is_refused_in_chinese_and_nothing_is_saved(world, source, change, message):
    document = _document(source)
    change(document)
    target = world.item_a_sub
    _same_questions_and_materials(source, target)
    revisions = target.revisions.count()
    with pytest.raises(FormImportError) as raised:
        import_form(target, document, world.dept_admin)
    assert any(message in m for m in raised.value.messages), raised.value.messages
    assert target.revisions.count() == revisions
    assert not target.form_definitions.exists()


def test_importing_into_another_departments_item_is_refused(world, source):
    revisions = world.item_b.revisions.count()
    with pytest.raises(PermissionDenied):
        import_form(world.item_b, _document(source), world.dept_admin)
    assert world.item_b.revisions.count() == revisions


def test_a_copy_reports_the_upload_slots_whose_material_the_target_lacks(world, source):
    target = world.item_a_sub
    _same_questions_and_materials(source, target, materials={"委托书"})
    (result,) = copy_form(source, [target], world.dept_admin)
    assert result.copied
    assert result.messages == ["材料上传“身份证扫描件”对应的材料“居民身份证”在本事项中不存在，未复制"]
    uploads = [b.value["material"] for b in _draft_form(target).steps[1].value["fields"] if b.block_type == "upload"]
    assert uploads == ["委托书"]


def test_a_copy_is_refused_for_another_departments_item_and_one_that_does_not_compile(world, source):
    lacking = world.item_a_sub  # no 委托 question: the form's rules do not read there
    before = [lacking.revisions.count(), world.item_b.revisions.count()]
    results = copy_form(source, [world.item_b, lacking], world.dept_admin)
    assert [(r.item, r.copied) for r in results] == [(world.item_b, False), (lacking, False)]
    assert results[0].messages == ["无权修改这个事项"]
    assert any("是否委托他人代办" in m for m in results[1].messages)
    assert [lacking.revisions.count(), world.item_b.revisions.count()] == before


def test_copying_forty_similar_items_gives_each_a_draft(world, source):
    from tests.catalog.factories import ServiceItemFactory

    targets = [ServiceItemFactory(name=f"同类事项{n}", department=world.dept_a) for n in range(3)]
    for target in targets:
        _same_questions_and_materials(source, target)
    results = copy_form(source, targets, world.dept_admin)
    assert all(r.copied and not r.messages for r in results)
    for target in targets:
        assert _draft_form(target) is not None
        assert export_form(target)["steps"] == _normal(export_form(source)["steps"])


# --- the admin views ------------------------------------------------------------------------------------------
def test_the_admin_exports_and_imports_a_json_file(client, world, source):
    client.force_login(world.dept_admin)
    response = client.get(reverse("formbuilder_export", args=[source.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    target = world.item_a_sub
    _same_questions_and_materials(source, target)
    upload = SimpleUploadedFile("form.json", response.content, content_type="application/json")
    response = client.post(reverse("formbuilder_import", args=[target.pk]), {"file": upload})
    assert response.status_code == 302
    assert json.loads(_body(client, target))["steps"] == _normal(json.loads(_body(client, source))["steps"])


def _body(client, item):
    return client.get(reverse("formbuilder_export", args=[item.pk])).content.decode()


def test_the_admin_shows_why_an_import_is_refused(client, world, source):
    client.force_login(world.dept_admin)
    document = _document(source)
    document["steps"][0]["value"]["fields"].append({"type": "nonsense", "value": {}})
    upload = SimpleUploadedFile("form.json", json.dumps(document).encode(), content_type="application/json")
    response = client.post(reverse("formbuilder_import", args=[world.item_a_sub.pk]), {"file": upload})
    assert response.status_code == 200 and "类型“nonsense”不存在" in response.content.decode()
    upload = SimpleUploadedFile("form.json", b"{not json", content_type="application/json")
    response = client.post(reverse("formbuilder_import", args=[world.item_a_sub.pk]), {"file": upload})
    assert "不是有效的 JSON" in response.content.decode()
    assert _draft_form(world.item_a_sub) is None


def test_the_admin_refuses_another_departments_item(client, world, source):
    client.force_login(world.other_admin)
    assert client.get(reverse("formbuilder_export", args=[source.pk])).status_code == 404
    upload = SimpleUploadedFile("form.json", _document_bytes(source), content_type="application/json")
    assert client.post(reverse("formbuilder_import", args=[source.pk]), {"file": upload}).status_code == 404
    assert client.get(reverse("formbuilder_copy", args=[source.pk])).status_code == 404


def _document_bytes(item):
    return json.dumps(export_form(item)).encode()


def test_the_copy_screen_offers_and_accepts_only_editable_items(client, world, source):
    client.force_login(world.dept_admin)
    url = reverse("formbuilder_copy", args=[source.pk])
    page = client.get(url).content.decode()
    assert world.item_a_sub.name in page and world.item_b.name not in page
    revisions = world.item_b.revisions.count()
    response = client.post(url, {"targets": [world.item_b.pk]})
    assert response.status_code == 200 and "targets" in response.context["form"].errors
    assert world.item_b.revisions.count() == revisions
    _same_questions_and_materials(source, world.item_a_sub)
    response = client.post(url, {"targets": [world.item_a_sub.pk]})
    assert "已复制" in response.content.decode()
    assert _draft_form(world.item_a_sub) is not None


def test_the_listing_offers_the_actions_on_editable_items_only(world, source):
    from formbuilder.wagtail_hooks import form_transfer_buttons

    assert [b.label for b in form_transfer_buttons(source, world.dept_admin)] == [
        "导出表单", "导入表单", "复制表单到其他事项"]
    assert form_transfer_buttons(source, world.other_admin) == []


def test_the_document_is_not_changed_by_an_import(world, source):
    document = _document(source)
    kept = copy.deepcopy(document)
    _same_questions_and_materials(source, world.item_a_sub)
    import_form(world.item_a_sub, document, world.dept_admin)
    assert document == kept


def test_the_item_listing_shows_the_actions(client, world, source):
    client.force_login(world.dept_admin)
    page = client.get(reverse("wagtailsnippets_catalog_serviceitem:list")).content.decode()
    assert reverse("formbuilder_copy", args=[source.pk]) in page
    assert reverse("formbuilder_copy", args=[world.item_b.pk]) not in page
