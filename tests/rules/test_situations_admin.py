"""The 情形与规则 tab: questions and rules saved with the item's draft, and refused with a Chinese message at the
field when a rule names an unknown operation or variable; nothing is saved then."""

import json

import pytest
from django.urls import reverse

from catalog.models import ServiceItem
from tests.catalog.test_permission_matrix import edit_post_data

pytestmark = pytest.mark.django_db

EDIT = "wagtailsnippets_catalog_serviceitem:edit"


def _with_rules(item, questions=(), materials=(), variants=()):
    data = edit_post_data(item)
    for relation, rows in (("situation_questions", questions), ("materials", materials),
                           ("situation_variants", variants)):
        data[f"{relation}-TOTAL_FORMS"] = str(len(rows))
        for index, row in enumerate(rows):
            for field, value in row.items():
                data[f"{relation}-{index}-{field}"] = value
            data[f"{relation}-{index}-ORDER"] = str(index + 1)
    return data


AGENT = {"key": "agent", "text": "是否委托他人代办？", "kind": "single", "options": "yes=是\nno=否", "help": "",
         "asked_when": ""}
PROXY = {"name": "委托书", "required_when": json.dumps({"==": [{"var": "situation.agent"}, "yes"]})}


def _latest(item):
    item = ServiceItem.objects.get(pk=item.pk)
    return item.latest_revision.as_object()


def test_questions_and_material_rules_are_saved_in_the_draft(client, world):
    client.force_login(world.dept_admin)
    response = client.post(reverse(EDIT, args=[world.item_a.pk]), _with_rules(world.item_a, [AGENT], [PROXY]))
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = _latest(world.item_a)
    (question,) = draft.situation_questions.all()
    assert question.key == "agent" and question.options == [{"value": "yes", "label": "是"},
                                                             {"value": "no", "label": "否"}]
    (material,) = draft.materials.all()
    assert material.required_when == {"==": [{"var": "situation.agent"}, "yes"]}
    # A draft: the published rows (what the public sees) are unchanged.
    assert not world.item_a.situation_questions.exists()


@pytest.mark.parametrize(("material", "message"), [
    ({"name": "委托书", "required_when": '{"eval": ["1"]}'}, "未知的运算「eval」"),
    ({"name": "委托书", "required_when": '{"==": [{"var": "situation.nobody"}, "yes"]}'},
     "未知的变量「situation.nobody」：本事项没有这个情形问题"),
    ({"name": "委托书", "required_when": '{"==": [{"var": "password"}, "x"]}'}, "未知的变量「password」"),
])
def test_a_bad_rule_is_refused_at_its_field_and_nothing_is_saved(client, world, material, message):
    client.force_login(world.dept_admin)
    before = ServiceItem.objects.get(pk=world.item_a.pk).latest_revision_id
    response = client.post(reverse(EDIT, args=[world.item_a.pk]), _with_rules(world.item_a, [AGENT], [material]))
    assert response.status_code == 200 and message in response.content.decode()
    assert ServiceItem.objects.get(pk=world.item_a.pk).latest_revision_id == before


def test_duplicate_keys_and_empty_options_are_refused(client, world):
    client.force_login(world.dept_admin)
    twice = [AGENT, {**AGENT, "text": "又一次"}, {**AGENT, "key": "empty", "options": ""}]
    page = client.post(reverse(EDIT, args=[world.item_a.pk]), _with_rules(world.item_a, twice)).content.decode()
    assert "问题标识“agent”重复" in page and "请至少填写一个选项" in page


def test_a_question_may_depend_only_on_earlier_questions(client, world):
    client.force_login(world.dept_admin)
    later = {**AGENT, "key": "use", "asked_when": json.dumps({"==": [{"var": "situation.agent"}, "yes"]})}
    page = client.post(reverse(EDIT, args=[world.item_a.pk]),
                       _with_rules(world.item_a, [later, AGENT])).content.decode()
    assert "未知的变量「situation.agent」" in page
    ok = client.post(reverse(EDIT, args=[world.item_a.pk]), _with_rules(world.item_a, [AGENT, later]))
    assert ok.status_code == 302


def test_the_tab_and_the_builder_script_are_on_the_edit_screen(client, world):
    client.force_login(world.dept_admin)
    page = client.get(reverse(EDIT, args=[world.item_a.pk])).content.decode()
    assert "情形与规则" in page and "data-rules-preview" in page and "js/rules-admin.js" in page


def test_another_departments_item_stays_out_of_reach(client, world):
    client.force_login(world.dept_admin)
    response = client.post(reverse(EDIT, args=[world.item_b.pk]), _with_rules(world.item_b, [AGENT], [PROXY]))
    assert response.status_code == 404
    assert not ServiceItem.objects.get(pk=world.item_b.pk).latest_revision.as_object().situation_questions.exists()


def test_a_change_of_rules_shows_in_the_revision_comparison(client, world):
    client.force_login(world.dept_admin)
    edit = reverse(EDIT, args=[world.item_a.pk])
    client.post(edit, _with_rules(world.item_a, [AGENT], [PROXY]))
    first = ServiceItem.objects.get(pk=world.item_a.pk).latest_revision_id
    client.post(edit, _with_rules(world.item_a, [{**AGENT, "text": "是否由他人代为办理？"}], [PROXY]))
    second = ServiceItem.objects.get(pk=world.item_a.pk).latest_revision_id
    assert first != second
    compare = reverse("wagtailsnippets_catalog_serviceitem:revisions_compare", args=[world.item_a.pk, first, second])
    page = client.get(compare)
    assert page.status_code == 200 and "是否由他人代为办理" in page.content.decode()
