"""Saved header mappings in the admin: a department administrator saves one for a recurring source (one line per
column, in Chinese), and the upload then reads that source's headers through it."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import roles
from catalog.models import ServiceItem
from imports.models import HeaderMapping, ImportJob
from tests.catalog.factories import DepartmentFactory, UserFactory

from .conftest import xlsx

pytestmark = pytest.mark.django_db
CODE = "511A0001-511602000000-000-11511301008778183N-1-00"
LINES = "职权编码（新） = 实施编码\n职权名称（新）＝事项名称\n职权分类 → 事项类型\n"


@pytest.fixture
def department_admin(client):
    roles.ensure_roles()
    department = DepartmentFactory(name="区经信局", credit_code="11511301008778183N")
    user = UserFactory(username="dept")
    user.groups.add(Group.objects.get(name=roles.DEPARTMENT_ADMIN))
    department.members.add(user)
    client.force_login(user)
    return user


def add_url():
    return reverse(HeaderMapping.snippet_viewset.get_url_name("add"))


def test_department_admin_saves_a_mapping_and_the_upload_reads_the_file_through_it(client, department_admin):
    response = client.post(add_url(), {"name": "经信局权责清单", "columns": LINES})
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping = HeaderMapping.objects.get()
    assert mapping.columns == {"职权编码（新）": "implementation_code", "职权名称（新）": "name",
                               "职权分类": "item_type"}
    assert mapping.created_by == department_admin
    edit = client.get(reverse(HeaderMapping.snippet_viewset.get_url_name("edit"), args=[mapping.pk]))
    assert "职权名称（新） = 事项名称" in edit.content.decode()

    data = xlsx(("事项", [["职权编码（新）", "职权名称（新）", "职权分类", "实施主体"],
                          [CODE, "企业投资项目备案", "许可", "区经信局"]]))
    client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("清单.xlsx", data), "mapping": mapping.pk})
    job = ImportJob.objects.get()
    assert (job.status, job.created, job.refused) == ("previewed", 1, 0), job.errors
    client.post(reverse("imports:confirm", args=[job.pk]))
    assert ServiceItem.objects.get(implementation_code=CODE).latest_revision.content["name"] == "企业投资项目备案"


def test_lines_that_cannot_be_read_are_named_and_nothing_is_saved(client, department_admin):
    lines = "职权名称（新） = 事项名称\n只有一个列名\n职权分类 = 不存在的列"
    response = client.post(add_url(), {"name": "错误示例", "columns": lines})
    page = response.content.decode()
    assert response.status_code == 200 and not HeaderMapping.objects.exists()
    assert "第2行：应写成“文件中的列名 = 系统列名”" in page
    assert "第3行：系统中没有“不存在的列”这一列" in page


def test_only_import_roles_manage_mappings(client):
    roles.ensure_roles()
    visitor = UserFactory(username="visitor")
    visitor.groups.add(Group.objects.get(name=roles.EDITOR))  # editors publish; they do not import
    client.force_login(visitor)
    assert client.get(add_url()).status_code in (302, 403)
    assert not HeaderMapping.objects.exists()


def test_mapping_lines_read_back_as_saved_even_with_a_separator_in_the_files_header():
    from imports.forms import mapping_lines, parse_mapping

    saved = {"依据:法律": "legal_bases", "职权名称 = 新": "name", "职权编码": "implementation_code"}
    assert parse_mapping(mapping_lines(saved)) == saved


def test_headers_that_read_the_same_are_one_column():
    from django import forms

    from imports.forms import parse_mapping

    with pytest.raises(forms.ValidationError) as error:
        parse_mapping("申请 人 = 事项名称\n申请人 = 实施编码")
    assert "第2行：列名“申请人”重复" in str(error.value)
