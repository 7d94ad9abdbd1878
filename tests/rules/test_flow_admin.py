"""The 办理流程 tab: a flow saved with the item's draft, a broken flow refused with a message naming the step and
nothing saved, outcome lines parsed and refused by line; the preview (only for those who may edit the item); the
flow templates' menu for system administrators and editors."""

import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from catalog import roles
from catalog.models import ServiceItem
from rules.admin_flow import outcome_lines, parse_outcome_lines
from rules.models import FlowStep, FlowTemplate
from tests.catalog.factories import UserFactory
from tests.catalog.test_permission_matrix import edit_post_data

pytestmark = pytest.mark.django_db

EDIT = "wagtailsnippets_catalog_serviceitem:edit"
PREVIEW = "rules_flow_preview"

GOOD = [
    {"key": "apply", "name": "申请", "actor_role": "applicant", "outcomes": "提交申请 → accept"},
    {"key": "accept", "name": "受理", "stage": "accept", "actor_role": "window", "time_limit": "1",
     "outcomes": "受理 → review\n补正 → apply\n不予受理 → 结束"},
    {"key": "review", "name": "审查", "stage": "review", "actor_role": "reviewer", "time_limit": "2",
     "outcomes": "准予 [approve] → 结束\n不予许可 → 结束"},
]


def _with_flow(item, steps, **changes):
    data = edit_post_data(item, **changes)
    data["flow_steps-TOTAL_FORMS"] = str(len(steps))
    for index, row in enumerate(steps):
        row = {"stage": "", "actor_role": "reviewer", "actor_department": "", "time_limit": "", "guard": "", **row}
        for field, value in row.items():
            if field == "join":
                if value:
                    data[f"flow_steps-{index}-join"] = "on"
                continue
            data[f"flow_steps-{index}-{field}"] = value
        data[f"flow_steps-{index}-ORDER"] = str(index + 1)
    return data


def _draft(item):
    return ServiceItem.objects.get(pk=item.pk).latest_revision.as_object()


def test_the_tab_is_shown_with_the_templates(client, world):
    client.force_login(world.dept_admin)
    page = client.get(reverse(EDIT, args=[world.item_a.pk])).content.decode()
    assert "办理流程" in page and "从模板复制" in page and "行政许可（并联审批）" in page
    assert "js/rules-flow.js" in page and 'id="rules-flow-templates"' in page


def test_a_flow_is_saved_in_the_draft(client, world):
    client.force_login(world.dept_admin)
    response = client.post(reverse(EDIT, args=[world.item_a.pk]), _with_flow(world.item_a, GOOD, promised_limit="3"))
    assert response.status_code == 302, response.content.decode()[:3000]
    steps = list(_draft(world.item_a).flow_steps.all())
    assert [s.key for s in steps] == ["apply", "accept", "review"]
    assert steps[1].outcomes == [
        {"key": "accept", "label": "受理", "next": ["review"]},
        {"key": "correct", "label": "补正", "next": ["apply"]},
        {"key": "reject", "label": "不予受理", "next": []},
    ]
    assert steps[2].outcomes[0] == {"key": "approve", "label": "准予", "next": []}
    assert not FlowStep.objects.filter(item=world.item_a).exists()  # a draft: the published rows are unchanged


BROKEN = [
    (  # 审查 only returns to 受理, and 受理 only goes on to 审查: no way out
        [GOOD[0], {**GOOD[1], "outcomes": "受理 → review"}, {**GOOD[2], "outcomes": "退回 → accept"}],
        "从环节「受理」出发无法到达流程的结束",
    ),
    ([*GOOD, {"key": "extra", "name": "复核", "outcomes": "办结 → 结束"}], "环节「复核」没有任何环节通向它"),
    ([GOOD[0], {**GOOD[1], "outcomes": "受理 → decide"}], "环节「受理」的办理结果「受理」指向不存在的环节「decide」"),
    ([{**GOOD[0], "key": "accept"}, GOOD[1], GOOD[2]], "环节「受理」的标识「accept」与环节「申请」重复"),
    (GOOD, "超过承诺办结时限 2 个工作日"),
    ([GOOD[0], GOOD[1], {**GOOD[2], "guard": '{"==": [{"var": "situation.nobody"}, "yes"]}'}],
     "环节「审查」的适用条件有误"),
]


@pytest.mark.parametrize(("steps", "message"), BROKEN)
def test_a_broken_flow_is_refused_with_the_step_named_and_nothing_saved(client, world, steps, message):
    client.force_login(world.dept_admin)
    before = ServiceItem.objects.get(pk=world.item_a.pk).latest_revision_id
    response = client.post(reverse(EDIT, args=[world.item_a.pk]), _with_flow(world.item_a, steps, promised_limit="2"))
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert ServiceItem.objects.get(pk=world.item_a.pk).latest_revision_id == before
    assert not FlowStep.objects.filter(item=world.item_a).exists()


def test_deleted_rows_are_not_checked(client, world):
    client.force_login(world.dept_admin)
    orphan = {"key": "extra", "name": "复核", "outcomes": "办结 → 结束", "DELETE": "1"}
    response = client.post(reverse(EDIT, args=[world.item_a.pk]), _with_flow(world.item_a, [*GOOD, orphan]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [s.key for s in _draft(world.item_a).flow_steps.all()] == ["apply", "accept", "review"]


def test_a_bad_outcome_line_is_refused_at_its_field(client, world):
    client.force_login(world.dept_admin)
    steps = [GOOD[0], {**GOOD[1], "outcomes": "受理 → review\n不予受理"}, GOOD[2]]
    response = client.post(reverse(EDIT, args=[world.item_a.pk]), _with_flow(world.item_a, steps))
    page = response.content.decode()
    assert response.status_code == 200 and "第2行“不予受理”缺少箭头" in page
    assert "受理 → review\n不予受理" in page  # the text is shown back to be mended


def test_outcome_lines_round_trip():
    outcomes = parse_outcome_lines("受理 → a、b\n不予受理 →\n补正 [fix] -> apply\n审查通过 ⇒ 结束")
    assert outcomes == [
        {"key": "accept", "label": "受理", "next": ["a", "b"]},
        {"key": "reject", "label": "不予受理", "next": []},
        {"key": "fix", "label": "补正", "next": ["apply"]},
        {"key": "pass", "label": "审查通过", "next": []},
    ]
    assert parse_outcome_lines(outcome_lines(outcomes)) == outcomes
    assert parse_outcome_lines("特殊情况 → x")[0]["key"] == "outcome_1"


def _preview(client, item, steps, **extra):
    body = {"item": item.pk if item else None, "steps": steps, **extra}
    return client.post(reverse(PREVIEW), json.dumps(body), content_type="application/json")


def test_the_preview_draws_the_posted_steps_and_reports_problems(client, world):
    client.force_login(world.dept_admin)
    result = _preview(client, world.item_a, GOOD, promised_limit="3").json()
    assert result["problems"] == []
    assert result["svg"].startswith("<svg") and "审查" in result["svg"] and world.dept_a.name in result["svg"]
    broken = [GOOD[0], {**GOOD[1], "outcomes": "受理 → nowhere"}]
    assert _preview(client, world.item_a, broken).json()["problems"] == [
        "环节「受理」的办理结果「受理」指向不存在的环节「nowhere」"
    ]
    bad_line = _preview(client, world.item_a, [{**GOOD[0], "outcomes": "提交申请"}]).json()
    assert "缺少箭头" in bad_line["problems"][0]


def test_the_preview_is_only_for_those_who_may_edit_the_item(client, world):
    client.force_login(world.other_admin)
    assert _preview(client, world.item_a, GOOD).status_code == 404  # another department's item
    client.force_login(world.editor)  # may change every item, but not add one
    assert _preview(client, world.item_a, GOOD).status_code == 200
    assert _preview(client, None, GOOD).status_code == 302  # Wagtail's refusal: back to the dashboard
    assert _preview(client, None, GOOD).url == reverse("wagtailadmin_home")
    client.logout()
    assert reverse("wagtailadmin_login") in _preview(client, world.item_a, GOOD).url
    client.force_login(world.dept_admin)
    assert client.post(reverse(PREVIEW), "junk{", content_type="application/json").status_code == 400
    assert client.post(reverse(PREVIEW), "x" * 300_000, content_type="application/json").status_code == 400
    assert client.get(reverse(PREVIEW)).status_code == 405


@pytest.mark.parametrize(("who", "allowed"), [("sysadmin", True), ("editor", True), ("dept_admin", False)])
def test_flow_templates_are_kept_by_system_administrators_and_editors(client, world, who, allowed):
    roles.ensure_roles()
    user = getattr(world, who)
    client.force_login(user)
    response = client.get(reverse("wagtailsnippets_rules_flowtemplate:list"))
    if allowed:
        assert response.status_code == 200 and "行政许可（并联审批）" in response.content.decode()
    else:
        assert response.status_code in (302, 403)


def test_a_broken_template_is_refused(client, world):
    client.force_login(world.editor)
    template = FlowTemplate.objects.get(name="公共服务")
    lost = {"key": "lost", "name": "归档", "outcomes": [{"key": "done", "label": "办结", "next": []}]}
    steps = [*template.steps, lost]
    response = client.post(reverse("wagtailsnippets_rules_flowtemplate:edit", args=[template.pk]),
                           {"name": template.name, "item_type": "20", "description": "", "steps": json.dumps(steps)})
    assert response.status_code == 200 and "环节「归档」没有任何环节通向它" in response.content.decode()
    assert len(FlowTemplate.objects.get(pk=template.pk).steps) == len(template.steps)


def test_a_user_without_roles_gets_no_templates(client):
    user = UserFactory(username="nobody")
    user.groups.add(Group.objects.get_or_create(name="无权限")[0])
    client.force_login(user)
    assert client.get(reverse("wagtailsnippets_rules_flowtemplate:list")).status_code in (302, 403)
