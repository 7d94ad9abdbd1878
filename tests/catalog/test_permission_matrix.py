"""Who may do what: every role × every admin action × own / sub-department / other department item.

Each case is tried for real through the admin URLs and judged by what it left, not by its status code (a refused
form is shown again with 200): an allowed action must have had its effect (a revision saved, the row changed or
deleted, the lock taken, preview data stored, a page about the item); a refused one must have changed nothing
(the row, revisions, workflow, log and preview data as before). "Denied" means 403, 404, or Wagtail's redirect to
the dashboard with a permission message; for another department's item we require 404 (existence not revealed).
"""

import re

import pytest
from django.urls import reverse, reverse_lazy
from modelcluster.models import get_all_child_relations

from .conftest import World, make_world

NS = "wagtailsnippets_catalog_serviceitem"


@pytest.fixture(scope="module")
def world_rows(module_db):
    """The departments, items and users of tests/catalog/conftest.py's world, made once for the module's some 300
    tests (made for each test they were a third of the module's time)."""
    with module_db.unblock():
        made = make_world()
    return {name: (type(row), row.pk) for name, row in vars(made).items()}


@pytest.fixture
def world(db, world_rows):
    """Those rows as new instances for each test: what a test changes or caches on them (an item refreshed after
    its revision, a user's permissions) stays with that test, as its writes do (rolled back after it)."""
    w = World()
    for name, (model, pk) in world_rows.items():
        setattr(w, name, model._default_manager.get(pk=pk))
    return w


def url(name, *args):
    return reverse(f"{NS}:{name}", args=args)


def is_denied(response):
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def is_hidden(response):
    return response.status_code == 404


def edit_post_data(item, **changes):
    data = {
        "name": item.name,
        "implementation_code": item.implementation_code,
        "basic_code": item.basic_code,
        "item_type": item.item_type,
        "role": item.role,
        "department": item.department_id,
        "department_nature": item.department_nature,
        "statutory_limit_unit": "2",
        "promised_limit_unit": "2",
        "handled_at_window": "on",
        "is_free": "on",
    }
    # Every child relation of the item, including those the apps above catalog add (situations, flow steps).
    for relation in (rel.get_accessor_name() for rel in get_all_child_relations(type(item))):
        data.update(
            {
                f"{relation}-TOTAL_FORMS": "0",
                f"{relation}-INITIAL_FORMS": "0",
                f"{relation}-MIN_NUM_FORMS": "0",
                f"{relation}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(changes)
    return data


def revision_id(item):
    item.refresh_from_db()
    return item.latest_revision_id


# --- what an action leaves behind --------------------------------------------------------------------------------


def snapshot(item, fields=None):
    """Everything an admin action on the item could change: its row, revisions, workflow, log, preview data."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.admin.models import FormState
    from wagtail.models import ModelLogEntry, Revision, TaskState, WorkflowState

    from catalog.models import ServiceItem

    content_type, pk = ContentType.objects.get_for_model(ServiceItem), str(item.pk)
    row = ServiceItem.objects.filter(pk=item.pk).values(*(fields or ())).first()
    if fields:
        return row
    states = WorkflowState.objects.filter(base_content_type=content_type, object_id=pk)
    revisions = Revision.objects.filter(base_content_type=content_type, object_id=pk)
    return {
        "row": row,
        "revisions": list(revisions.values("pk", "content")),
        "workflow": list(states.values("pk", "status")),
        "tasks": list(TaskState.objects.filter(workflow_state__in=states).values("pk", "status")),
        "log": list(ModelLogEntry.objects.filter(content_type=content_type, object_id=pk).values_list("pk", flat=True)),
        "previews": list(FormState.objects.filter(content_type=content_type, object_id=pk).values("pk", "data")),
    }


def latest_content(item):
    from catalog.models import ServiceItem

    return ServiceItem.objects.get(pk=item.pk).latest_revision.content


def row(item):
    from catalog.models import ServiceItem

    return ServiceItem.objects.filter(pk=item.pk).first()


def is_json(response):
    return response.status_code == 200 and response["Content-Type"] == "application/json"


def shows(item, response):
    """The page is about this item (a refusal is a redirect, a 403 or a 404, none of which names it)."""
    return response.status_code == 200 and item.name in response.content.decode()


def form_for(item, response):
    """An item form filled in with this item's content (the edit form, or the add form of a copy)."""
    return response.status_code == 200 and re.search(
        rf'<input[^>]*name="name"[^>]*value="{re.escape(item.name)}"', response.content.decode()
    ) is not None


REVISED = "（修订）"


def saved_draft(item, response, user):
    content = latest_content(item)
    return content["name"] == item.name + REVISED and row(item).name == item.name


def submitted(item, response, user):
    found = row(item)
    state = found.current_workflow_state
    return state is not None and state.requested_by == user and latest_content(item)["name"] == item.name + REVISED


def published(item, response, user):
    found = row(item)
    return found.name == item.name + REVISED and found.live_revision_id == found.latest_revision_id


def previewed(item, response, user):
    from wagtail.admin.models import FormState

    return is_json(response) and response.json()["is_valid"] and FormState.objects.for_preview(
        user=user, instance=item).exists()


def approved(item, response, user):
    from wagtail.models import TaskState

    state = item.workflow_states.order_by("-pk").first()
    submitted_revision = TaskState.objects.get(workflow_state=state).revision_id
    return state.status == state.STATUS_APPROVED and row(item).live_revision_id == submitted_revision


def chosen(item, response, user):
    return is_json(response) and response.json()["result"]["id"] == str(item.pk)


def workflow_approve(client, item):
    task_state = row(item).current_workflow_task_state
    return client.post(url("workflow_action", item.pk, "approve", task_state.pk), {"comment": "同意"})


class Action:
    def __init__(self, run, took_effect, prepare=None, guarded=None):
        self.run = run
        self.took_effect = took_effect  # (item, response, user) -> bool, read from the database where it can be
        self.prepare = prepare  # the item the action needs, made in the scope's department (default: the scope's)
        # Where Wagtail answers a refusal by doing something else the user may do: the fields that must not change
        # (otherwise a refusal is a denial that changes nothing at all).
        self.guarded = guarded


def locked_item(item):
    from .factories import ServiceItemFactory

    return ServiceItemFactory(locked=True, department=item.department, name=item.name + "（已锁定）")


def item_in_moderation(item):
    from .factories import ServiceItemFactory

    return ServiceItemFactory(in_moderation=True, department=item.department, name=item.name + "（待审核）")


def revised(item, **extra):
    return edit_post_data(item, name=item.name + REVISED, **extra)


ACTIONS = {
    "edit": Action(lambda c, i: c.get(url("edit", i.pk)), lambda i, r, u: form_for(i, r)),
    "save_draft": Action(lambda c, i: c.post(url("edit", i.pk), revised(i)), saved_draft),
    "submit": Action(lambda c, i: c.post(url("edit", i.pk), revised(i, **{"action-submit": "1"})), submitted),
    # Without publish permission Wagtail saves the draft instead: what must not change is what is live.
    "publish": Action(lambda c, i: c.post(url("edit", i.pk), revised(i, **{"action-publish": "1"})), published,
                      guarded=("name", "live", "live_revision_id", "last_published_at")),
    "history": Action(lambda c, i: c.get(url("history", i.pk)), lambda i, r, u: shows(i, r)),
    "revision_view": Action(lambda c, i: c.get(url("revisions_view", i.pk, revision_id(i))),
                            lambda i, r, u: shows(i, r)),
    "revision_compare": Action(lambda c, i: c.get(reverse(f"{NS}:revisions_compare", kwargs={
        "pk": i.pk, "revision_id_a": "earliest", "revision_id_b": "latest"})), lambda i, r, u: shows(i, r)),
    "preview": Action(lambda c, i: c.post(url("preview_on_edit", i.pk), revised(i)), previewed),
    "lock": Action(lambda c, i: c.post(url("lock", i.pk)), lambda i, r, u: row(i).locked_by == u),
    "unlock_others_lock": Action(lambda c, i: c.post(url("unlock", i.pk)), lambda i, r, u: not row(i).locked,
                                 prepare=locked_item),
    "usage": Action(lambda c, i: c.get(url("usage", i.pk)), lambda i, r, u: shows(i, r)),
    "copy": Action(lambda c, i: c.get(url("copy", i.pk)), lambda i, r, u: form_for(i, r)),
    "workflow_history": Action(lambda c, i: c.get(url("workflow_history", i.pk)), lambda i, r, u: shows(i, r)),
    "approve": Action(workflow_approve, approved, prepare=item_in_moderation),
    "unpublish_page": Action(lambda c, i: c.get(url("unpublish", i.pk)), lambda i, r, u: shows(i, r)),
    "unpublish": Action(lambda c, i: c.post(url("unpublish", i.pk)), lambda i, r, u: not row(i).live),
    "delete_page": Action(lambda c, i: c.get(url("delete", i.pk)), lambda i, r, u: shows(i, r)),
    "delete": Action(lambda c, i: c.post(url("delete", i.pk)), lambda i, r, u: row(i) is None),
    "chosen": Action(lambda c, i: c.get(reverse("wagtailsnippetchoosers_catalog_serviceitem:chosen", args=[i.pk])),
                     chosen),
}

# What each role may do on an item it can see. Department administrators: no delete, no publish/unpublish, no
# approving; the department-scoped role that may delete adds only that. Editors publish, approve and edit; they do
# not create or delete. System administrators do everything but approve: the 事项发布审核 task is the editors'.
DEPARTMENT_ADMIN_ALLOWED = set(ACTIONS) - {"publish", "unpublish_page", "unpublish", "delete_page", "delete",
                                           "unlock_others_lock", "approve"}
ALLOWED = {
    "dept_admin": DEPARTMENT_ADMIN_ALLOWED,
    "dept_deleter": DEPARTMENT_ADMIN_ALLOWED | {"delete_page", "delete"},
    "editor": set(ACTIONS) - {"delete_page", "delete", "copy"},
    "sysadmin": set(ACTIONS) - {"approve"},
}
SCOPED_ROLES = {"dept_admin", "dept_deleter"}  # the others hold catalog.access_all_departments
SCOPES = {"own": "item_a", "sub_department": "item_a_sub", "other_department": "item_b"}


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ALLOWED)
def test_matrix(client, world, role, action, scope):
    user, item, action_ = getattr(world, role), getattr(world, SCOPES[scope]), ACTIONS[action]
    if action_.prepare:
        item = action_.prepare(item)
    before = snapshot(item)
    client.force_login(user)
    response = action_.run(client, item)
    if scope == "other_department" and role in SCOPED_ROLES:
        assert is_hidden(response), f"{role} reached another department's item via {action}: {response.status_code}"
        assert snapshot(item) == before, f"{role}'s refused {action} on another department's item changed it"
    elif action in ALLOWED[role]:
        assert action_.took_effect(item, response, user), f"{role}'s {action} on {scope} did nothing: {response}"
    elif action_.guarded:  # Wagtail does what the user may instead (saves the draft he asked to publish)
        guarded = {field: before["row"][field] for field in action_.guarded}
        assert snapshot(item, action_.guarded) == guarded, f"{role}'s refused {action} on {scope} changed it"
        assert snapshot(item)["workflow"] == before["workflow"]
        assert not action_.took_effect(item, response, user), f"{role} was allowed {action} on {scope}"
    else:
        assert is_denied(response), f"{role} was allowed {action} on {scope}: {response.status_code}"
        assert snapshot(item) == before, f"{role}'s refused {action} on {scope} changed the item"
        assert not action_.took_effect(item, response, user)


def test_denied_draft_save_changes_nothing(client, world):
    client.force_login(world.dept_admin)
    client.post(url("edit", world.item_b.pk), edit_post_data(world.item_b, name="篡改"))
    world.item_b.refresh_from_db()
    assert world.item_b.name == "分公司设立登记"
    assert world.item_b.latest_revision.content["name"] == "分公司设立登记"


def test_listing_search_filter_and_export_show_only_own_departments(client, world):
    client.force_login(world.dept_admin)
    listing = client.get(url("list")).content.decode()
    assert "无犯罪记录证明" in listing and "户口迁移审批" in listing
    assert "分公司设立登记" not in listing
    searched = client.get(url("list_results"), {"q": "分公司"}).content.decode()
    assert "分公司设立登记" not in searched
    filtered = client.get(url("list_results"), {"department": world.dept_b.pk}).content.decode()
    assert "分公司设立登记" not in filtered
    # the department filter does not even offer the other department
    assert "区行政审批局" not in listing
    exported = client.get(url("list"), {"export": "csv"})
    body = b"".join(exported.streaming_content).decode("utf-8-sig") if exported.streaming else exported.content.decode()
    assert "无犯罪记录证明" in body and "分公司设立登记" not in body


def test_chooser_lists_only_own_departments(client, world):
    client.force_login(world.dept_admin)
    response = client.get(reverse("wagtailsnippetchoosers_catalog_serviceitem:choose"))
    html = (
        response.json()["html"]
        if response["Content-Type"].startswith("application/json")
        else response.content.decode()
    )
    assert "无犯罪记录证明" in html and "分公司设立登记" not in html
    multiple = client.get(
        reverse("wagtailsnippetchoosers_catalog_serviceitem:chosen_multiple"),
        {"id": [world.item_a.pk, world.item_b.pk]},
    )
    assert "分公司设立登记" not in multiple.content.decode("unicode_escape")


def test_add_form_offers_and_accepts_only_own_departments(client, world):
    client.force_login(world.dept_admin)
    form = client.get(url("add")).content.decode()
    # The item's own department: only the user's. (A flow step's 办理部门 may be any department: 并联审批.)
    choices = re.search(r'<select name="department".*?</select>', form, re.S).group()
    assert "区公安分局城北派出所" in choices and "区行政审批局" not in choices
    data = edit_post_data(world.item_b, name="冒名事项", implementation_code="X-1", department=world.dept_b.pk)
    response = client.post(url("add"), data)
    assert response.status_code == 200  # form shown again with an error
    from catalog.models import ServiceItem

    assert not ServiceItem.objects.filter(name="冒名事项").exists()
    data["department"] = world.dept_a_sub.pk
    client.post(url("add"), data)
    assert ServiceItem.objects.filter(name="冒名事项", department=world.dept_a_sub).exists()


def test_parent_must_be_an_item_the_user_may_see(client, world):
    client.force_login(world.dept_admin)
    response = client.post(url("edit", world.item_a.pk), edit_post_data(world.item_a, parent=world.item_b.pk))
    assert response.status_code == 200  # refused with a form error
    world.item_a.refresh_from_db()
    assert world.item_a.latest_revision.content["parent"] is None
    client.post(url("edit", world.item_a.pk), edit_post_data(world.item_a, parent=world.item_a_sub.pk))
    world.item_a.refresh_from_db()
    assert world.item_a.latest_revision.content["parent"] == world.item_a_sub.pk


BULK_DELETE = reverse_lazy("wagtail_bulk_action", args=("catalog", "serviceitem", "delete"))


def bulk_delete(client, *items):
    return client.post(f"{BULK_DELETE}?" + "&".join(f"id={getattr(i, 'pk', i)}" for i in items), {})


def test_bulk_delete_deletes_in_the_users_departments_only(client, world):
    from catalog.models import ServiceItem

    from .factories import ServiceItemFactory

    draft_a, locked_b = ServiceItemFactory(draft=True, department=world.dept_a), ServiceItemFactory(
        locked=True, department=world.dept_b)
    client.force_login(world.dept_deleter)  # a department administrator who may delete
    # Only another department's items named: not found, nothing deleted.
    assert is_hidden(bulk_delete(client, world.item_b, locked_b))
    assert ServiceItem.objects.filter(pk__in=[world.item_b.pk, locked_b.pk]).count() == 2
    # Their own, the sub-department's and another department's together: theirs go, the other's stay.
    bulk_delete(client, world.item_a, draft_a, world.item_b)
    assert set(ServiceItem.objects.values_list("name", flat=True)) == {"户口迁移审批", "分公司设立登记",
                                                                      locked_b.name}
    # Everything in the listing ("all"): everything they can see, nothing else.
    bulk_delete(client, "all")
    assert set(ServiceItem.objects.values_list("pk", flat=True)) == {world.item_b.pk, locked_b.pk}
    # A system administrator deletes in every department.
    client.force_login(world.sysadmin)
    bulk_delete(client, world.item_b)
    assert set(ServiceItem.objects.values_list("pk", flat=True)) == {locked_b.pk}


def test_bulk_delete_needs_the_delete_permission(client, world):
    before = snapshot(world.item_a)
    client.force_login(world.dept_admin)  # their own item, but no delete permission
    bulk_delete(client, world.item_a)  # (Wagtail skips the items the user may not delete, and says so)
    assert snapshot(world.item_a) == before


def test_site_history_report_hides_other_departments(client, world):
    client.force_login(world.dept_admin)
    report = client.get(reverse("tongban_site_history")).content.decode()
    assert "无犯罪记录证明" in report
    assert "分公司设立登记" not in report


def test_department_admin_cannot_manage_departments_or_users(client, world):
    client.force_login(world.dept_admin)
    assert is_denied(client.get(reverse("wagtailsnippets_catalog_department:list")))
    assert is_denied(client.get(reverse("wagtailusers_users:index")))
    client.force_login(world.sysadmin)
    assert shows(world.dept_b, client.get(reverse("wagtailsnippets_catalog_department:list")))


def test_listing_offers_the_spreadsheet_export_with_its_filters(client, world):
    client.force_login(world.dept_admin)
    html = client.get(url("list"), {"item_type": "01"}).content.decode()
    assert reverse("imports:export") + "?item_type=01" in html


# --- header mappings (表头对应关系), bulk-action GET pages and export formats (issue 13) ---------------------------

MAPPING_NS = "wagtailsnippets_imports_headermapping"


@pytest.fixture
def mappings(world):
    from imports.models import HeaderMapping

    class Mappings:
        own = HeaderMapping.objects.create(name="公安分局表头", department=world.dept_a, created_by=world.dept_admin,
                                           columns={"职权名称": "name", "职权编码": "implementation_code"})
        other = HeaderMapping.objects.create(name="审批局表头", department=world.dept_b, created_by=world.other_admin,
                                             columns={"事项": "name", "编码": "implementation_code"})
        shared = HeaderMapping.objects.create(name="全区通用表头", department=None, created_by=world.sysadmin,
                                              columns={"名称": "name", "代码": "implementation_code"})

    return Mappings


def mapping_edit_data(mapping, **changes):
    from imports.forms import mapping_lines

    data = {"name": mapping.name, "columns": mapping_lines(mapping.columns),
            "department": mapping.department_id or ""}
    data.update(changes)
    return data


def mapping_row(mapping):
    from imports.models import HeaderMapping

    return HeaderMapping.objects.filter(pk=mapping.pk).values().first()


def mapping_url(name, mapping):
    return reverse(f"{MAPPING_NS}:{name}", args=[mapping.pk])


def mapping_saved(m, response, user):
    found = mapping_row(m)
    return found["name"] == m.name + "改" and found["updated_by_id"] == user.pk


# action -> (function(client, mapping) -> response, took_effect(mapping, response, user) -> bool)
MAPPING_ACTIONS = {
    "edit": (lambda c, m: c.get(mapping_url("edit", m)), lambda m, r, u: form_for(m, r)),
    "save": (lambda c, m: c.post(mapping_url("edit", m), mapping_edit_data(m, name=m.name + "改")), mapping_saved),
    "delete": (lambda c, m: c.get(mapping_url("delete", m)), lambda m, r, u: shows(m, r)),
    "delete_post": (lambda c, m: c.post(mapping_url("delete", m)), lambda m, r, u: mapping_row(m) is None),
    "history": (lambda c, m: c.get(mapping_url("history", m)), lambda m, r, u: shows(m, r)),
    "usage": (lambda c, m: c.get(mapping_url("usage", m)), lambda m, r, u: shows(m, r)),
    "chosen": (lambda c, m: c.get(reverse("wagtailsnippetchoosers_imports_headermapping:chosen", args=[m.pk])),
               lambda m, r, u: chosen(m, r, u)),
    "bulk_delete_page": (lambda c, m: c.get(
        reverse("wagtail_bulk_action", args=("imports", "headermapping", "delete")) + f"?id={m.pk}"),
        lambda m, r, u: shows(m, r)),
}
# What each role may do to a mapping it can see: department administrators edit their own, use the shared ones.
MAPPING_ALLOWED = {
    ("dept_admin", "own"): {"edit", "save", "history", "usage", "chosen", "bulk_delete_page"},
    ("dept_admin", "shared"): {"history", "usage", "chosen", "bulk_delete_page"},
    ("sysadmin", "own"): set(MAPPING_ACTIONS),
    ("sysadmin", "other"): set(MAPPING_ACTIONS),
    ("sysadmin", "shared"): set(MAPPING_ACTIONS),
}


@pytest.mark.parametrize("scope", ["own", "other", "shared"])
@pytest.mark.parametrize("action", MAPPING_ACTIONS)
@pytest.mark.parametrize("role", ["dept_admin", "sysadmin"])
def test_header_mapping_matrix(client, world, mappings, role, action, scope):
    mapping, user = getattr(mappings, scope), getattr(world, role)
    run, took_effect = MAPPING_ACTIONS[action]
    before = mapping_row(mapping)
    client.force_login(user)
    response = run(client, mapping)
    if role == "dept_admin" and scope == "other":
        assert is_hidden(response), f"{action} reached another department's mapping: {response.status_code}"
        assert mapping_row(mapping) == before and not took_effect(mapping, response, user)
    elif action in MAPPING_ALLOWED[(role, scope)]:
        assert took_effect(mapping, response, user), f"{role}'s {action} on a {scope} mapping did nothing"
    else:
        assert is_denied(response), f"{role} was allowed {action} on a {scope} mapping: {response.status_code}"
        assert mapping_row(mapping) == before and not took_effect(mapping, response, user)


def test_header_mapping_edits_record_who_changed_it(client, world, mappings):
    client.force_login(world.sysadmin)
    client.post(reverse(f"{MAPPING_NS}:edit", args=[mappings.other.pk]), mapping_edit_data(mappings.other))
    mappings.other.refresh_from_db()
    assert mappings.other.created_by == world.other_admin and mappings.other.updated_by == world.sysadmin


def test_header_mapping_listing_chooser_and_upload_offer_own_and_shared_only(client, world, mappings):
    client.force_login(world.dept_admin)
    for page in (reverse(f"{MAPPING_NS}:list"), reverse("wagtailsnippetchoosers_imports_headermapping:choose"),
                 reverse("imports:upload"), reverse("wagtail_bulk_action", args=("imports", "headermapping", "delete"))
                 + "?id=all"):
        html = client.get(page).content.decode("unicode_escape" if "choose" in page else "utf-8")
        assert "审批局表头" not in html, page
        if "bulk" not in page:
            assert "公安分局表头" in html and "全区通用表头" in html, page
    # choosing another department's mapping at upload is refused by the form
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n"),
                                                       "mapping": mappings.other.pk})
    assert response.status_code == 200  # the form again, with an error on the mapping
    from imports.models import ImportJob

    assert not ImportJob.objects.exists()


def test_a_department_administrator_cannot_share_a_mapping_or_give_it_to_another_department(client, world):
    from imports.models import HeaderMapping

    client.force_login(world.dept_admin)
    add = reverse(f"{MAPPING_NS}:add")
    client.post(add, {"name": "冒充", "columns": "名称 = 事项名称", "department": world.dept_b.pk})
    assert not HeaderMapping.objects.filter(department=world.dept_b).exists()
    client.post(add, {"name": "共用？", "columns": "名称 = 事项名称", "department": ""})
    assert HeaderMapping.objects.get(name="共用？").department == world.dept_a  # theirs, not shared


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ALLOWED)
def test_bulk_action_get_pages(client, world, role, scope):
    item = getattr(world, SCOPES[scope])
    client.force_login(getattr(world, role))
    bulk = reverse("wagtail_bulk_action", args=("catalog", "serviceitem", "delete"))
    response = client.get(f"{bulk}?id={item.pk}")
    if scope == "other_department" and role in SCOPED_ROLES:
        assert is_hidden(response)
    else:
        assert response.status_code == 200 and item.name in response.content.decode()


@pytest.mark.parametrize("export_format", ["csv", "xlsx", "import_layout"])
def test_every_export_format_shows_only_own_departments(client, world, export_format):
    import io

    from openpyxl import load_workbook

    client.force_login(world.dept_admin)
    if export_format == "import_layout":
        response = client.get(reverse("imports:export"))
    else:
        response = client.get(url("list"), {"export": export_format})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if export_format == "csv":
        text = body.decode("utf-8-sig")
    else:
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        text = "\n".join(str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    assert "无犯罪记录证明" in text and "户口迁移审批" in text
    assert "分公司设立登记" not in text
