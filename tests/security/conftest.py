import pytest
from django.urls import reverse

from catalog import roles
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory, UserFactory
from tests.catalog.test_permission_matrix import edit_post_data


@pytest.fixture
def departments(db, client):
    """gaj (区公安分局) and spj (区行政审批局), and what spj has that gaj must never see: a published item with a
    pending draft in moderation, and an unpublished item. `secrets` are its names, codes and draft text."""

    class World:
        pass

    w = World()
    w.gaj_department = DepartmentFactory(name="区公安分局")
    w.spj_department = DepartmentFactory(name="区行政审批局")
    w.gaj_item = ServiceItemFactory(name="无犯罪记录证明", department=w.gaj_department)
    w.spj_item = ServiceItemFactory(
        name="分公司设立登记", implementation_code="SPJ-ITEM-000000000000000000000001", department=w.spj_department
    )
    w.spj_unpublished = ServiceItemFactory(
        name="建设工程规划许可证核发", implementation_code="SPJ-DRAFT-00000000000000000000002",
        department=w.spj_department, live=False,
    )
    w.spj_unpublished.save_revision()
    w.gaj = UserFactory(username="gaj", role=roles.DEPARTMENT_ADMIN, departments=[w.gaj_department])
    w.spj = UserFactory(username="spj", role=roles.DEPARTMENT_ADMIN, departments=[w.spj_department])
    w.editor = UserFactory(username="editor", role=roles.EDITOR)
    w.sysadmin = UserFactory(username="sysadmin", role=roles.SYSTEM_ADMIN)
    # spj submits a draft of its published item for review: revisions, a workflow state and a task state exist.
    client.force_login(w.spj)
    url = reverse("wagtailsnippets_catalog_serviceitem:edit", args=[w.spj_item.pk])
    draft = {"name": "分公司设立登记（待审草稿）", "acceptance_conditions": "草稿受理条件甲乙丙", "action-submit": "1"}
    client.post(url, edit_post_data(w.spj_item, **draft))
    client.logout()
    w.spj_item.refresh_from_db()
    assert w.spj_item.current_workflow_state is not None
    from imports.models import HeaderMapping

    w.spj_mapping = HeaderMapping.objects.create(name="审批局专用表头对应", department=w.spj_department,
                                                 created_by=w.spj, columns={"审批局事项名称列": "name"})
    w.secrets = ["审批局专用表头对应", "审批局事项名称列",
        "分公司设立登记", w.spj_item.implementation_code, "待审草稿", "草稿受理条件甲乙丙",
        "建设工程规划许可证核发", w.spj_unpublished.implementation_code,
    ]
    return w
