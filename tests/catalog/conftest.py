import pytest
from django.contrib.auth.models import Group, Permission

from catalog import roles

from .factories import DepartmentFactory, ServiceItemFactory, UserFactory

# A department-scoped role that may also delete: no built-in role does (系统管理员, the only one with delete,
# works everywhere), so the scope of deleting is tried with this one.
DELETING_DEPARTMENT_ADMIN = "部门管理员（可删除事项）"


class World:
    pass


@pytest.fixture
def world(db):
    """Two departments (A with a sub-department) and one item in each, plus one user per role."""
    return make_world()


def make_world() -> World:
    w = World()
    w.dept_a = DepartmentFactory(name="区公安分局")
    w.dept_a_sub = DepartmentFactory(name="区公安分局城北派出所", parent=w.dept_a)
    w.dept_b = DepartmentFactory(name="区行政审批局")
    w.item_a = ServiceItemFactory(name="无犯罪记录证明", department=w.dept_a)
    w.item_a_sub = ServiceItemFactory(name="户口迁移审批", department=w.dept_a_sub)
    w.item_b = ServiceItemFactory(name="分公司设立登记", department=w.dept_b)
    w.dept_admin = UserFactory(username="gaj", role=roles.DEPARTMENT_ADMIN, departments=[w.dept_a])
    w.other_admin = UserFactory(username="spj", role=roles.DEPARTMENT_ADMIN, departments=[w.dept_b])
    w.editor = UserFactory(username="editor", role=roles.EDITOR)
    w.sysadmin = UserFactory(username="sysadmin", role=roles.SYSTEM_ADMIN)
    deleting, _created = Group.objects.get_or_create(name=DELETING_DEPARTMENT_ADMIN)
    deleting.permissions.set([
        *Group.objects.get(name=roles.DEPARTMENT_ADMIN).permissions.all(),
        Permission.objects.get(content_type__app_label="catalog", codename="delete_serviceitem"),
    ])
    w.dept_deleter = UserFactory(username="gaj-delete", role=DELETING_DEPARTMENT_ADMIN, departments=[w.dept_a])
    return w
