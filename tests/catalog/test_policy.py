"""service_item_policy on its own, method by method, as Wagtail tests its permission policies
(wagtail/tests/permission_policies): what the model permissions allow, where the department allows it, and that
the four questions a policy answers (may this user, on this item, which items, which users) agree.

One table says what each user may do (PERMISSIONS) and on which items (REACHES); every test reads it.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from wagtail.permissions import policy_registry

from catalog import roles
from catalog.models import ServiceItem
from catalog.permissions import department_ancestor_ids, service_item_policy

from .conftest import DELETING_DEPARTMENT_ADMIN
from .factories import DepartmentFactory, ServiceItemFactory, UserFactory

ACTIONS = ["add", "change", "delete", "view", "publish", "lock", "unlock", "frobnicate"]  # frobnicate: no such
DEPARTMENT_ADMIN = {"add", "change", "view", "lock"}
PERMISSIONS = {
    "superuser": set(ACTIONS),  # a superuser passes every check, unknown actions included (as in Django)
    "sysadmin": set(ACTIONS) - {"frobnicate"},
    "editor": {"change", "view", "publish", "lock", "unlock"},
    "dept_admin": DEPARTMENT_ADMIN,
    "dept_deleter": DEPARTMENT_ADMIN | {"delete"},
    "other_admin": DEPARTMENT_ADMIN,
    "sub_admin": DEPARTMENT_ADMIN,
    "no_department": DEPARTMENT_ADMIN,  # the role's permissions, but nowhere to use them
    "direct": {"change"},  # change and access_all_departments given to the user, not through a group
    "inactive": set(),
    "no_role": set(),
    "anonymous": set(),
}
A, A_SUB, B = {"item_a", "draft_a", "item_a_sub", "moderated_a_sub"}, {"item_a_sub", "moderated_a_sub"}, {
    "item_b", "locked_b"}
EVERYWHERE = A | B
REACHES = {
    "superuser": EVERYWHERE,
    "sysadmin": EVERYWHERE,
    "editor": EVERYWHERE,
    "dept_admin": A,  # their department and the one below it
    "dept_deleter": A,
    "other_admin": B,
    "sub_admin": A_SUB,  # below, not above
    "no_department": set(),
    "direct": EVERYWHERE,
    "inactive": set(),
    "no_role": set(),
    "anonymous": set(),
}
ITEMS = sorted(EVERYWHERE)
USERS = list(PERMISSIONS)


def may(user_name, action, item_name):
    return action in PERMISSIONS[user_name] and item_name in REACHES[user_name]


@pytest.fixture
def people(world):
    """world's users and items, plus the users at the edges and items in each editing state."""
    w = world
    w.superuser = UserFactory(username="root", is_superuser=True)
    w.sub_admin = UserFactory(username="cbpcs", role=roles.DEPARTMENT_ADMIN, departments=[w.dept_a_sub])
    w.no_department = UserFactory(username="nodept", role=roles.DEPARTMENT_ADMIN)
    w.direct = UserFactory(username="direct")
    w.direct.user_permissions.set(Permission.objects.filter(
        content_type__app_label="catalog", codename__in=["change_serviceitem", "access_all_departments"]))
    w.inactive = UserFactory(username="left", role=roles.SYSTEM_ADMIN, departments=[w.dept_a], is_active=False)
    w.no_role = UserFactory(username="member", departments=[w.dept_a])
    w.anonymous = AnonymousUser()
    # The scope does not depend on the item's state: a draft, an item in moderation, a locked item.
    w.draft_a = ServiceItemFactory(draft=True, name="新设事项草稿", department=w.dept_a)
    w.moderated_a_sub = ServiceItemFactory(in_moderation=True, submitted_by=w.sub_admin, department=w.dept_a_sub)
    w.locked_b = ServiceItemFactory(locked=True, locked_by=w.other_admin, department=w.dept_b)
    return w


user = item = getattr  # user(people, "editor"), item(people, "item_a")


def test_the_items_are_in_the_states_their_traits_name(people):
    draft, moderated, locked = people.draft_a, people.moderated_a_sub, people.locked_b
    assert not draft.live and draft.live_revision_id is None and draft.latest_revision_id is not None
    assert moderated.live and moderated.latest_revision_id != moderated.live_revision_id
    state = moderated.current_workflow_state
    assert state.status == state.STATUS_IN_PROGRESS and state.requested_by == people.sub_admin
    assert state.current_task_state.revision_id == moderated.latest_revision_id
    assert locked.locked and locked.locked_by == people.other_admin and locked.live
    assert not ServiceItem.objects.get(pk=people.item_a.pk).locked


def test_the_policy_is_the_one_wagtail_uses_for_items(people):
    assert policy_registry.get_by_type(ServiceItem) is service_item_policy
    assert policy_registry.get(people.item_a) is service_item_policy


# Each test asks one method about every user (or item) and lists every answer that differs from the table.
ACTION_SETS = (["delete", "publish"], ["add", "unlock"], ["change", "view"], ["frobnicate"], [])


def test_user_has_permission(people):
    wrong = [(name, action) for name in USERS for action in ACTIONS
             if service_item_policy.user_has_permission(user(people, name), action) != (action in PERMISSIONS[name])]
    assert wrong == []


def test_user_has_any_permission(people):
    wrong = [(name, actions) for name in USERS for actions in ACTION_SETS
             if service_item_policy.user_has_any_permission(user(people, name), actions)
             != bool(PERMISSIONS[name] & set(actions))]
    assert wrong == []


def test_user_has_permission_for_instance(people):
    wrong = [(name, action, i) for name in USERS for action in ACTIONS for i in ITEMS
             if service_item_policy.user_has_permission_for_instance(user(people, name), action, item(people, i))
             != may(name, action, i)]
    assert wrong == []


def test_user_has_any_permission_for_instance(people):
    wrong = [(name, actions, i) for name in USERS for actions in ACTION_SETS for i in ITEMS
             if service_item_policy.user_has_any_permission_for_instance(user(people, name), actions,
                                                                         item(people, i))
             != any(may(name, action, i) for action in actions)]
    assert wrong == []


def test_instances_user_has_permission_for(people):
    wrong = [(name, action) for name in USERS for action in ACTIONS
             if set(service_item_policy.instances_user_has_permission_for(user(people, name), action))
             != {item(people, i) for i in ITEMS if may(name, action, i)}]
    assert wrong == []


def test_instances_user_has_any_permission_for(people):
    wrong = [(name, actions) for name in USERS for actions in ACTION_SETS
             if set(service_item_policy.instances_user_has_any_permission_for(user(people, name), actions))
             != {item(people, i) for i in ITEMS if any(may(name, action, i) for action in actions)}]
    assert wrong == []


def users_in_database(people, names):
    return {user(people, name) for name in names if name != "anonymous"}


def test_users_with_permission(people):
    wrong = [action for action in ACTIONS
             if set(service_item_policy.users_with_permission(action))
             != users_in_database(people, [name for name in USERS if action in PERMISSIONS[name]])]
    assert wrong == []


def test_users_with_permission_for_instance(people):
    wrong = [(action, i) for action in ACTIONS for i in ITEMS
             if set(service_item_policy.users_with_permission_for_instance(action, item(people, i)))
             != users_in_database(people, [name for name in USERS if may(name, action, i)])]
    assert wrong == []


def test_users_with_any_permission_for_instance(people):
    wrong = [(actions, i) for actions in ACTION_SETS[:-1] for i in ITEMS
             if set(service_item_policy.users_with_any_permission_for_instance(actions, item(people, i)))
             != users_in_database(people, [name for name in USERS if any(may(name, a, i) for a in actions)])]
    assert wrong == []


def test_users_with_permission_for_an_item_by_name(people):
    # The table above, read for four cases, so that a reader sees what it means.
    def names(action, instance):
        return {u.username for u in service_item_policy.users_with_permission_for_instance(action, instance)}

    assert names("change", people.item_a_sub) == {"root", "sysadmin", "editor", "gaj", "gaj-delete", "cbpcs",
                                                   "direct"}
    assert names("change", people.item_a) == {"root", "sysadmin", "editor", "gaj", "gaj-delete", "direct"}
    assert names("delete", people.item_b) == {"root", "sysadmin"}  # gaj-delete may delete, but not there
    assert names("publish", people.draft_a) == {"root", "sysadmin", "editor"}


def test_can_access_instance_and_scope_queryset_follow_the_departments_only(people):
    # The scope alone, whatever the user may do there: the views ask for the permission separately. A member
    # without a role is inside his department's scope; an inactive or anonymous user is nowhere.
    for name in USERS:
        who = user(people, name)
        expected = {"no_role": A}.get(name, REACHES[name])
        assert {i for i in ITEMS if service_item_policy.can_access_instance(who, item(people, i))} == expected, name
        scoped = service_item_policy.scope_queryset(who, ServiceItem.objects.all())
        assert set(scoped) == {item(people, i) for i in expected}, name


def test_an_item_moved_to_another_department_moves_out_of_scope(people):
    ServiceItem.objects.filter(pk=people.item_a.pk).update(department=people.dept_b)
    people.item_a.refresh_from_db()
    assert not service_item_policy.user_has_permission_for_instance(people.dept_admin, "change", people.item_a)
    assert service_item_policy.user_has_permission_for_instance(people.other_admin, "change", people.item_a)
    assert people.dept_admin not in service_item_policy.users_with_permission_for_instance("change", people.item_a)


def test_department_ancestor_ids_walks_up_and_stops_on_a_cycle(people):
    deeper = DepartmentFactory(parent=people.dept_a_sub)
    assert department_ancestor_ids(deeper.pk) == {deeper.pk, people.dept_a_sub.pk, people.dept_a.pk}
    assert department_ancestor_ids(people.dept_b.pk) == {people.dept_b.pk}
    assert department_ancestor_ids(None) == set()
    # A cycle (the data may be imported wrong) ends the walk instead of looping.
    type(people.dept_a).objects.filter(pk=people.dept_a.pk).update(parent=deeper)
    assert department_ancestor_ids(deeper.pk) == {deeper.pk, people.dept_a_sub.pk, people.dept_a.pk}


def test_the_deleting_role_is_the_department_administrators_plus_delete(people):
    from django.contrib.auth.models import Group

    deleting = set(Group.objects.get(name=DELETING_DEPARTMENT_ADMIN).permissions.values_list("codename", flat=True))
    admin = set(Group.objects.get(name=roles.DEPARTMENT_ADMIN).permissions.values_list("codename", flat=True))
    assert deleting - admin == {"delete_serviceitem"} and admin <= deleting
