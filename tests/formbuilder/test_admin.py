"""The 在线表单 tab: a form saved with the item's draft; a bad rule refused with a Chinese message at its block's
field and nothing saved; the live preview renders the form being edited, for those who may change the item."""


import pytest
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from catalog.models import ServiceItem
from tests.catalog.test_permission_matrix import edit_post_data

pytestmark = pytest.mark.django_db
EDIT = "wagtailsnippets_catalog_serviceitem:edit"


def field(kind, **value):
    return (kind, {"help_text": "", "visible_when": "", "required_when": "", **value})


def form_data(item, fields, questions=True):
    data = edit_post_data(item)
    definition = {"title": "", "situations_first": "on", "situations_title": "办理情形",
                  "steps": streamfield([("step", {"key": "applicant", "title": "申请人", "help_text": "",
                                                  "visible_when": "", "fields": streamfield(fields)})]),
                  "checks": streamfield([])}
    data.update(nested_form_data({"form_definitions": inline_formset([definition])}))
    if questions:
        data.update({"situation_questions-TOTAL_FORMS": "1", "situation_questions-0-key": "agent",
                     "situation_questions-0-text": "是否委托他人代办？", "situation_questions-0-kind": "single",
                     "situation_questions-0-options": "yes=是\nno=否", "situation_questions-0-help": "",
                     "situation_questions-0-asked_when": "", "situation_questions-0-ORDER": "1"})
    return data


AGENT_NAME = field("person_name", key="agent_name", label="代办人姓名", placeholder="", required="on", default="",
                   prefill="", visible_when="是否委托他人代办？=是")


def _draft(item):
    return ServiceItem.objects.get(pk=item.pk).latest_revision.as_object()


def test_a_form_is_saved_in_the_items_draft(client, world):
    client.force_login(world.dept_admin)
    response = client.post(reverse(EDIT, args=[world.item_a.pk]), form_data(world.item_a, [AGENT_NAME]))
    assert response.status_code == 302, response.content.decode()[:3000]
    (definition,) = _draft(world.item_a).form_definitions.all()
    step = definition.steps[0].value
    assert step["fields"][0].block_type == "person_name"
    assert step["fields"][0].value["visible_when"] == "是否委托他人代办？=是"
    assert not world.item_a.form_definitions.exists()  # a draft: the published rows are unchanged


@pytest.mark.parametrize(("rule", "message"), [
    ("没有的问题=是", "没有问题「没有的问题」"),
    ('{"==": [{"var": "situation.nobody"}, "yes"]}', "未知的变量「situation.nobody」"),
    ("是否委托他人代办？=也许", "没有选项「也许」"),
])
def test_a_bad_rule_is_refused_with_a_chinese_message_and_nothing_is_saved(client, world, rule, message):
    client.force_login(world.dept_admin)
    before = ServiceItem.objects.get(pk=world.item_a.pk).latest_revision_id
    bad = field("text", key="note", label="备注", placeholder="", required="", default="", prefill="",
                min_length="", max_length="", pattern="", pattern_message="", visible_when=rule)
    response = client.post(reverse(EDIT, args=[world.item_a.pk]), form_data(world.item_a, [AGENT_NAME, bad]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ServiceItem.objects.get(pk=world.item_a.pk).latest_revision_id == before
    # At the block's own field: the second field of the first step, its 显示条件.
    definition_form = response.context["form"].formsets["form_definitions"].forms[0]
    steps_error = definition_form.errors.as_data()["steps"][0]
    field_error = steps_error.block_errors[0].block_errors["fields"].block_errors[1]
    assert message in " ".join(field_error.block_errors["visible_when"].messages)


def test_an_upload_must_name_one_of_the_items_materials(client, world):
    client.force_login(world.dept_admin)
    upload = ("upload", {"key": "scan", "label": "扫描件", "help_text": "", "material": "营业执照", "accept": "pdf",
                         "max_size_mb": "10", "max_files": "1"})
    response = client.post(reverse(EDIT, args=[world.item_a.pk]), form_data(world.item_a, [upload]))
    assert response.status_code == 200 and "没有名为「营业执照」的申请材料" in response.content.decode()


def test_the_preview_renders_the_form_being_edited(world):
    # As the browser posts it: multipart, with the CSRF check on (which reads the stream before the view does).
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.dept_admin)
    client.get(reverse(EDIT, args=[world.item_a.pk]))
    url = reverse("formbuilder_preview", args=[world.item_a.pk])
    response = client.post(url, {**form_data(world.item_a, [AGENT_NAME]),
                                 "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    page = response.content.decode()
    assert response.status_code == 200
    # Drawn by the public wizard's templates and styles (applications' render_form_preview hook), every field
    # there, a conditional one saying when it is needed.
    assert "css/apply.css" in page and 'data-path="form.agent_name"' in page
    assert "是否委托他人代办？" in page and "代办人姓名" in page
    assert "“是否委托他人代办？”选“是”时填写" in page


def test_the_preview_of_another_departments_item_is_404(client, world):
    client.force_login(world.dept_admin)
    url = reverse("formbuilder_preview", args=[world.item_b.pk])
    assert client.post(url, form_data(world.item_b, [AGENT_NAME])).status_code == 404
    assert client.get(reverse("formbuilder_preview", args=[world.item_a.pk])).status_code == 405


def test_the_edit_screen_has_the_tab(client, world):
    client.force_login(world.dept_admin)
    page = client.get(reverse(EDIT, args=[world.item_a.pk])).content.decode()
    assert "在线表单" in page and "data-form-preview" in page
