"""Who sees which submissions in the admin: every role × (the listing; a submission's page and its file, in A, in
A's sub-department and in B; the export in both formats), each case tried for real and judged by what came back:
an allowed case shows or exports exactly the submissions of the user's departments; a refused one answers 404
(another department's submission: its existence is not confirmed), a redirect to the admin's dashboard (no
permission) or to the sign-in page — and in every case the tracking numbers the user may not see are absent from
the body or the file, also from the page a refusal leads to.
"""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from applications.tracking import grouped
from catalog import roles
from tests.catalog.factories import UserFactory

from .helpers import PDF
from .test_staff import INDEX, RESULTS, body, build_world, detail_url, file_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_world(db):
    return build_world()

SUBMISSIONS = ("sub_a", "sub_a_sub", "sub_b")
# What each role sees; None: the section is closed to it (LOGIN: not even the admin).
LOGIN, DASHBOARD = "login", "dashboard"
SEES = {
    "dept_admin_a": {"sub_a", "sub_a_sub"},  # A and the department below it
    "dept_admin_a_sub": {"sub_a_sub"},  # not the department above
    "dept_admin_b": {"sub_b"},
    "dept_admin_without_department": set(),
    "sysadmin": set(SUBMISSIONS),
    "superuser": set(SUBMISSIONS),
    "editor": DASHBOARD,  # reviews guides; applicants' data is not the editors'
    "applicant": LOGIN,  # an applicant's account has no admin access
    "anonymous": LOGIN,
}
ACTIONS = {
    "listing": lambda c, w: c.get(INDEX),
    "listing_results": lambda c, w: c.get(RESULTS),
    "detail_a": lambda c, w: c.get(detail_url(w.sub_a)),
    "detail_a_sub": lambda c, w: c.get(detail_url(w.sub_a_sub)),
    "detail_b": lambda c, w: c.get(detail_url(w.sub_b)),
    "file_a": lambda c, w: c.get(file_url(w.sub_a)),
    "file_a_sub": lambda c, w: c.get(file_url(w.sub_a_sub)),
    "file_b": lambda c, w: c.get(file_url(w.sub_b)),
    "export_xlsx": lambda c, w: c.get(INDEX, {"export": "xlsx"}),
    "export_csv": lambda c, w: c.get(INDEX, {"export": "csv"}),
}
DETAIL_OF = {"detail_a": "sub_a", "detail_a_sub": "sub_a_sub", "detail_b": "sub_b"}
FILE_OF = {"file_a": "sub_a", "file_a_sub": "sub_a_sub", "file_b": "sub_b"}


def sign_in(client, w, role):
    if role == "anonymous":
        return
    if role == "applicant":
        client.force_login(w.zhang.user)
    elif role == "dept_admin_without_department":
        client.force_login(UserFactory(username="nodept", role=roles.DEPARTMENT_ADMIN))
    elif role == "superuser":
        client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    else:
        client.force_login(getattr(w, role))


def text_of(response) -> str:
    """Everything a response says: the page, or every cell of the exported file."""
    raw = body(response)
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    html = raw.decode("utf-8", errors="replace")
    return html + "\n" + re.sub(r"<[^>]+>", "", html)  # a number shown in groups of spans reads as one


def exported_numbers(response) -> set:
    """The first column (申请编号) of an exported file, below its heading."""
    raw = body(response)
    if response["Content-Type"].startswith("text/csv"):
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    else:
        rows = list(load_workbook(io.BytesIO(raw), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "申请编号"
    return {row[0] for row in rows[1:]}


def mentions(text, submission) -> bool:
    return submission.tracking_number in text or grouped(submission.tracking_number) in text


def judge(client, w, role, action) -> list[str]:
    """What is wrong with one case of the matrix (nothing: [])."""
    response = ACTIONS[action](client, w)
    sees, problems = SEES[role], []
    if sees in (LOGIN, DASHBOARD):
        location = response.get("Location", "")
        expected = "/admin/login/" if sees == LOGIN else "/admin/"
        if response.status_code != 302 or not (location.startswith(expected) if sees == LOGIN
                                               else location == expected):
            problems.append(f"not refused: {response.status_code} {location}")
        hidden, texts = set(SUBMISSIONS), [text_of(response)]
        if location:
            texts.append(text_of(client.get(location)))  # nor on the page the refusal leads to
    elif action in FILE_OF or action in DETAIL_OF:
        target = FILE_OF.get(action) or DETAIL_OF[action]
        if target in sees:
            shown = body(response) == PDF if action in FILE_OF else mentions(text_of(response), getattr(w, target))
            if response.status_code != 200 or not shown:
                problems.append(f"{target} not shown: {response.status_code}")
        elif response.status_code != 404:  # another department's: as if it did not exist
            problems.append(f"{target} reached: {response.status_code}")
        elif PDF in body(response):
            problems.append(f"{target}'s file in a 404")
        hidden, texts = set(SUBMISSIONS) - ({target} & sees), [text_of(response)]
    else:
        text = text_of(response) if response.status_code == 200 else ""
        missing = [name for name in sees if not mentions(text, getattr(w, name))]
        if response.status_code != 200 or missing:
            problems.append(f"{response.status_code}, lacks {missing}")
        elif action.startswith("export") and exported_numbers(response) != {
                getattr(w, name).tracking_number for name in sees}:
            problems.append(f"exported {exported_numbers(response)}")
        hidden, texts = set(SUBMISSIONS) - sees, [text]
    problems += [f"shows {name}" for name in sorted(hidden) if any(mentions(t, getattr(w, name)) for t in texts)]
    return problems


@pytest.mark.parametrize("role", SEES)
def test_matrix(client, staff_world, role):
    """One role against every action (the world is built once per role: the actions only read)."""
    failures = []
    for action in ACTIONS:
        client.logout()
        sign_in(client, staff_world, role)
        failures += [f"{role} × {action}: {problem}" for problem in judge(client, staff_world, role, action)]
    assert not failures, "\n".join(failures)


def test_the_matrix_can_fail(client, staff_world):
    """The judge sees a leak: department A's staff given B's submission to see must be told apart."""
    SEES["probe"] = {"sub_a", "sub_a_sub"}
    try:
        client.force_login(staff_world.dept_admin_b)  # sees B, which the probe says it must not
        assert judge(client, staff_world, "probe", "listing")
        assert judge(client, staff_world, "probe", "detail_b")
        assert judge(client, staff_world, "probe", "file_b")
        assert judge(client, staff_world, "probe", "export_csv")
    finally:
        del SEES["probe"]


# --- asking for another department's submissions in other ways ---------------------------------------------------
@pytest.mark.parametrize("url, export", [(INDEX, ""), (RESULTS, ""), (INDEX, "xlsx"), (INDEX, "csv")])
@pytest.mark.parametrize("tamper", ["department", "item", "q", "all"])
def test_filters_and_search_do_not_reach_another_department(client, staff_world, url, export, tamper):
    w = staff_world
    query = {"department": w.dept_b.pk, "item": w.item_b.pk, "q": w.sub_b.tracking_number}
    query = query if tamper == "all" else {tamper: query[tamper]}
    if export:
        query["export"] = export
    client.force_login(w.dept_admin_a)
    response = client.get(url, query)
    assert response.status_code == 200
    text = text_of(response)
    assert detail_url(w.sub_b) not in text and "广安市某某商贸有限公司" not in text
    assert "分公司设立登记" not in text and "区行政审批局" not in text
    if export:  # the search box shows what was typed; the file holds only what was found
        own = {w.sub_a.tracking_number, w.sub_a_sub.tracking_number}
        assert not mentions(text, w.sub_b) and exported_numbers(response) <= own
    else:
        assert grouped(w.sub_b.tracking_number) not in text


def test_a_sub_departments_staff_cannot_filter_up_to_the_parent(client, staff_world):
    w = staff_world
    client.force_login(w.dept_admin_a_sub)
    for export in ("", "csv", "xlsx"):
        text = text_of(client.get(INDEX, {"department": w.dept_a.pk, "item": w.item_a.pk, "export": export}))
        assert not mentions(text, w.sub_a)


def test_the_permission_alone_does_not_open_other_departments(client, staff_world):
    """A user given view_submission outside the roles sees only their departments' (the scope is the policy's)."""
    w = staff_world
    group = Group.objects.create(name="只读申请")
    group.permissions.set(Group.objects.get(name=roles.DEPARTMENT_ADMIN).permissions.all())
    user = UserFactory(username="reader", role="只读申请", departments=[w.dept_b])
    client.force_login(user)
    text = text_of(client.get(INDEX, {"export": "csv"}))
    assert mentions(text, w.sub_b) and not mentions(text, w.sub_a) and not mentions(text, w.sub_a_sub)
    assert client.get(detail_url(w.sub_a)).status_code == 404


def test_the_sub_departments_staff_lose_access_when_the_department_moves(client, staff_world):
    """The scope is read on each request: a sub-department moved under B leaves A's staff."""
    w = staff_world
    w.dept_a_sub.parent = w.dept_b
    w.dept_a_sub.save()
    client.force_login(w.dept_admin_a)
    assert client.get(detail_url(w.sub_a_sub)).status_code == 404
    assert not mentions(text_of(client.get(INDEX, {"export": "csv"})), w.sub_a_sub)
    client.force_login(w.dept_admin_b)
    assert client.get(detail_url(w.sub_a_sub)).status_code == 200
