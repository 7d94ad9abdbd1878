import pytest

from catalog import roles

from .factories import DepartmentFactory, ServiceItemFactory, UserFactory


@pytest.fixture
def world(db):
    """Two departments (A with a sub-department) and one item in each, plus one user per role."""

    class World:
        pass

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
    return w
