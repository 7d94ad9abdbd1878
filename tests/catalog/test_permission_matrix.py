"""Who may do what: every role × every admin action × own / sub-department / other department item.

Each forbidden case is tried for real through the admin URLs. "Denied" means 403, 404, or Wagtail's redirect to
the dashboard with a permission message; for another department's item we require 404 (existence not revealed).
"""

import re

import pytest
from django.urls import reverse
from modelcluster.models import get_all_child_relations

NS = "wagtailsnippets_catalog_serviceitem"


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


def unlock_someone_elses_lock(client, item):
    from django.utils import timezone

    from catalog.models import ServiceItem

    ServiceItem.objects.filter(pk=item.pk).update(locked=True, locked_at=timezone.now(), locked_by=None)
    response = client.post(url("unlock", item.pk))
    if response.status_code == 404 or not ServiceItem.objects.get(pk=item.pk).locked:
        return response
    # Wagtail answers a refused unlock with a redirect and a message; make the refusal visible to the matrix.
    return type("Refused", (), {"status_code": 403})()


# action name -> (function(client, item) -> response)
ACTIONS = {
    "edit": lambda c, i: c.get(url("edit", i.pk)),
    "save_draft": lambda c, i: c.post(url("edit", i.pk), edit_post_data(i, name=i.name + "（修订）")),
    "history": lambda c, i: c.get(url("history", i.pk)),
    "revision_view": lambda c, i: c.get(url("revisions_view", i.pk, revision_id(i))),
    "revision_compare": lambda c, i: c.get(
        reverse(f"{NS}:revisions_compare", kwargs={"pk": i.pk, "revision_id_a": "earliest", "revision_id_b": "latest"})
    ),
    "preview": lambda c, i: c.post(url("preview_on_edit", i.pk), edit_post_data(i)),
    "lock": lambda c, i: c.post(url("lock", i.pk)),
    "usage": lambda c, i: c.get(url("usage", i.pk)),
    "copy": lambda c, i: c.get(url("copy", i.pk)),
    "workflow_history": lambda c, i: c.get(url("workflow_history", i.pk)),
    "unpublish": lambda c, i: c.get(url("unpublish", i.pk)),
    "delete": lambda c, i: c.get(url("delete", i.pk)),
    "unlock_others_lock": unlock_someone_elses_lock,
    "chosen": lambda c, i: c.get(reverse("wagtailsnippetchoosers_catalog_serviceitem:chosen", args=[i.pk])),
}

# What each role may do on an item it can see. Department administrators: no delete, no publish/unpublish.
ALLOWED = {
    "dept_admin": set(ACTIONS) - {"unpublish", "delete", "unlock_others_lock"},
    "editor": set(ACTIONS) - {"delete", "copy"},  # editors publish and edit; they do not create or delete
    "sysadmin": set(ACTIONS),
}
SCOPES = {"own": "item_a", "sub_department": "item_a_sub", "other_department": "item_b"}


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ALLOWED)
def test_matrix(client, world, role, action, scope):
    user = getattr(world, role)
    item = getattr(world, SCOPES[scope])
    client.force_login(user)
    response = ACTIONS[action](client, item)
    sees_everything = role in ("editor", "sysadmin")
    if scope == "other_department" and not sees_everything:
        assert is_hidden(response), f"{role} reached another department's item via {action}: {response.status_code}"
    elif action in ALLOWED[role]:
        assert not is_denied(response), f"{role} was refused {action} on {scope}: {response.status_code}"
        assert response.status_code in (200, 302)
    else:
        assert is_denied(response), f"{role} was allowed {action} on {scope}: {response.status_code}"


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


def test_bulk_delete_refuses_other_departments(client, world):
    from catalog.models import ServiceItem

    client.force_login(world.sysadmin)
    bulk = reverse("wagtail_bulk_action", args=("catalog", "serviceitem", "delete"))
    client.post(f"{bulk}?id={world.item_b.pk}", {})
    assert not ServiceItem.objects.filter(pk=world.item_b.pk).exists()
    client.force_login(world.dept_admin)
    client.post(f"{bulk}?id={world.item_a.pk}", {})
    assert ServiceItem.objects.filter(pk=world.item_a.pk).exists()


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
    assert client.get(reverse("wagtailsnippets_catalog_department:list")).status_code == 200


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


MAPPING_ACTIONS = {
    "edit": lambda c, m: c.get(reverse(f"{MAPPING_NS}:edit", args=[m.pk])),
    "save": lambda c, m: c.post(reverse(f"{MAPPING_NS}:edit", args=[m.pk]), mapping_edit_data(m, name=m.name + "改")),
    "delete": lambda c, m: c.get(reverse(f"{MAPPING_NS}:delete", args=[m.pk])),
    "delete_post": lambda c, m: c.post(reverse(f"{MAPPING_NS}:delete", args=[m.pk])),
    "history": lambda c, m: c.get(reverse(f"{MAPPING_NS}:history", args=[m.pk])),
    "usage": lambda c, m: c.get(reverse(f"{MAPPING_NS}:usage", args=[m.pk])),
    "chosen": lambda c, m: c.get(reverse("wagtailsnippetchoosers_imports_headermapping:chosen", args=[m.pk])),
    "bulk_delete_page": lambda c, m: c.get(
        reverse("wagtail_bulk_action", args=("imports", "headermapping", "delete")) + f"?id={m.pk}"),
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
    from imports.models import HeaderMapping

    mapping = getattr(mappings, scope)
    before = HeaderMapping.objects.filter(pk=mapping.pk).values("name", "updated_by").first()
    client.force_login(getattr(world, role))
    response = MAPPING_ACTIONS[action](client, mapping)
    after = HeaderMapping.objects.filter(pk=mapping.pk).values("name", "updated_by").first()
    if role == "dept_admin" and scope == "other":
        assert is_hidden(response), f"{action} reached another department's mapping: {response.status_code}"
        assert after == before
    elif action in MAPPING_ALLOWED[(role, scope)]:
        assert response.status_code in (200, 302) and not is_denied(response), (action, response.status_code)
    else:
        assert is_denied(response), f"{role} was allowed {action} on a {scope} mapping: {response.status_code}"
        assert after == before


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
    if scope == "other_department" and role == "dept_admin":
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
