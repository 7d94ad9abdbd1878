"""python manage.py import_catalog: the JSON shape, exit codes, dry run, drafts vs publish, department option."""

import io
import json

import pytest
from django.core.management import call_command
from wagtail.models import Revision

from catalog.models import ServiceItem
from imports.models import ImportJob
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory

from .conftest import xlsx

pytestmark = pytest.mark.django_db
CODE = "511A0001-511602000000-000-11511301008778183N-1-00"


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_catalog", str(path), "--json", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    return status, json.loads(out.getvalue())


@pytest.fixture
def department():
    return DepartmentFactory(name="区经信局", credit_code="11511301008778183N")


def write(tmp_path, rows, name="items.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx(("事项", rows)))
    return path


def test_json_shape_and_exit_zero_when_written(tmp_path, department):
    path = write(tmp_path, [["实施编码", "事项名称", "事项类型"], [CODE, "测试事项", "许可"]])
    status, payload = run(path, "--department", "11511301008778183N", "--publish")
    assert status == 0
    assert payload == {"created": 1, "updated": 0, "unchanged": 0, "errors": []}
    assert ServiceItem.objects.get().live
    job = ImportJob.objects.get()
    assert (job.file_name, job.created, job.status, len(job.file_sha256)) == ("items.xlsx", 1, "done", 64)

    status, payload = run(path, "--department", "11511301008778183N", "--publish")
    assert (status, payload["unchanged"], payload["created"]) == (0, 1, 0)


def test_exit_one_and_errors_when_refused(tmp_path, department):
    path = write(tmp_path, [["实施编码", "事项名称", "事项类型", "实施主体"], [CODE, "测试事项", "许可证", "区经信局"]])
    status, payload = run(path)
    assert status == 1
    assert payload["created"] == 0 and payload["errors"][0]["row"] == 2
    assert set(payload["errors"][0]) == {"sheet", "row", "column", "value", "message"}
    assert ServiceItem.objects.count() == 0


def test_dry_run_counts_but_writes_nothing(tmp_path, department):
    path = write(tmp_path, [["实施编码", "事项名称", "事项类型", "实施主体"], [CODE, "测试事项", "01", "区经信局"]])
    status, payload = run(path, "--dry-run")
    assert (status, payload["created"]) == (0, 1)
    assert ServiceItem.objects.count() == 0
    assert not ImportJob.objects.exists()


def test_draft_import_of_a_live_item_keeps_the_live_content(tmp_path, department):
    item = ServiceItemFactory(department=department, implementation_code=CODE, name="旧名称")
    path = write(tmp_path, [["实施编码", "事项名称", "事项类型", "实施主体"], [CODE, "新名称", "01", "区经信局"]])
    status, payload = run(path)
    assert (status, payload["updated"]) == (0, 1)
    item.refresh_from_db()
    assert item.name == "旧名称"  # the public still sees the published content
    assert item.has_unpublished_changes
    assert item.latest_revision.content["name"] == "新名称"
    # Importing the same file again compares with the pending draft: nothing changes.
    revisions = Revision.objects.count()
    status, payload = run(path)
    assert (payload["updated"], payload["unchanged"]) == (0, 1)
    assert Revision.objects.count() == revisions


def test_published_import_is_found_by_the_public_search(tmp_path, department, django_capture_on_commit_callbacks):
    from publish.search import search

    path = write(tmp_path, [["实施编码", "事项名称", "事项类型", "实施主体"],
                            [CODE, "企业营业执照申请办理", "01", "区经信局"]])
    # The public index is updated by a task started once the import has committed.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        status, _payload = run(path, "--publish")
    assert status == 0 and callbacks
    result = search("营业执照")
    assert [hit.code for hit in result.hits] == [CODE]
