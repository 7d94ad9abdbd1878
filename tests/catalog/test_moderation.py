"""Moderation: a department administrator submits, an editor approves (publishes) or rejects with a comment."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState

from catalog.models import ServiceItem

from .test_permission_matrix import edit_post_data, url


def submit(client, item, **changes):
    return client.post(url("edit", item.pk), edit_post_data(item, **{"action-submit": "1", **changes}))


def current_task_state(item):
    item.refresh_from_db()
    return item.current_workflow_task_state


def workflow_action(client, item, action, **data):
    task_state = current_task_state(item)
    return client.post(
        reverse("wagtailsnippets_catalog_serviceitem:workflow_action", args=[item.pk, action, task_state.pk]), data
    )


def test_department_admin_cannot_publish_directly(client, world):
    client.force_login(world.dept_admin)
    client.post(
        url("edit", world.item_a.pk),
        edit_post_data(world.item_a, name="无犯罪记录证明（新）", **{"action-publish": "1"}),
    )
    world.item_a.refresh_from_db()
    assert world.item_a.name == "无犯罪记录证明"  # live content unchanged
    assert world.item_a.has_unpublished_changes


def test_submit_then_editor_approves_and_publishes(client, world):
    client.force_login(world.dept_admin)
    submit(client, world.item_a, promised_limit="3")
    assert current_task_state(world.item_a).status == TaskState.STATUS_IN_PROGRESS
    world.item_a.refresh_from_db()
    assert world.item_a.promised_limit is None  # not live yet

    # a department administrator cannot approve their own submission
    workflow_action(client, world.item_a, "approve")
    assert current_task_state(world.item_a).status == TaskState.STATUS_IN_PROGRESS

    client.force_login(world.editor)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "无犯罪记录证明" in dashboard  # awaiting the editor's review
    workflow_action(client, world.item_a, "approve", comment="同意发布")
    world.item_a.refresh_from_db()
    assert world.item_a.promised_limit == 3
    assert world.item_a.live and not world.item_a.has_unpublished_changes
    assert world.item_a.current_workflow_state is None


def test_editor_rejects_with_comment_that_the_department_admin_sees(client, world):
    client.force_login(world.dept_admin)
    submit(client, world.item_a, acceptance_conditions="写得不清楚的条件")
    client.force_login(world.editor)
    workflow_action(client, world.item_a, "reject", comment="受理条件请写明户籍要求")
    state = world.item_a.workflow_states.order_by("-created_at").first()
    assert state.status == state.STATUS_NEEDS_CHANGES
    world.item_a.refresh_from_db()
    assert world.item_a.acceptance_conditions == ""  # nothing published

    client.force_login(world.dept_admin)
    history = client.get(
        reverse("wagtailsnippets_catalog_serviceitem:workflow_history_detail", args=[world.item_a.pk, state.pk])
    ).content.decode()
    assert "受理条件请写明户籍要求" in history


def test_scheduled_publishing(client, world):
    go_live = timezone.now() + timedelta(hours=2)
    client.force_login(world.editor)
    data = edit_post_data(world.item_b, name="分公司设立登记（新版）", **{"action-publish": "1"})
    data["go_live_at"] = timezone.localtime(go_live).strftime("%Y-%m-%d %H:%M")
    client.post(url("edit", world.item_b.pk), data)
    world.item_b.refresh_from_db()
    assert world.item_b.name == "分公司设立登记"
    revision = world.item_b.latest_revision
    assert revision.approved_go_live_at is not None

    call_command("publish_scheduled")
    world.item_b.refresh_from_db()
    assert world.item_b.name == "分公司设立登记"  # not yet

    # Two hours pass: move the schedule into the past rather than faking the clock.
    past = timezone.now() - timedelta(minutes=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    call_command("publish_scheduled")
    world.item_b.refresh_from_db()
    assert world.item_b.name == "分公司设立登记（新版）"


@pytest.mark.parametrize("role", ["dept_admin", "other_admin"])
def test_lock_blocks_others(client, world, role):
    client.force_login(world.editor)
    client.post(url("lock", world.item_a.pk))
    world.item_a.refresh_from_db()
    assert world.item_a.locked
    client.force_login(getattr(world, role))
    client.post(url("edit", world.item_a.pk), edit_post_data(world.item_a, name="改名"))
    assert ServiceItem.objects.get(pk=world.item_a.pk).latest_revision.content["name"] == "无犯罪记录证明"
