import pytest

from catalog.codes import SubItemRole
from publish import search
from tests.catalog.factories import DepartmentFactory, MaterialFactory, ServiceItemFactory


@pytest.fixture
def department(db):
    return DepartmentFactory(name="广安区市场监督管理局", short_name="区市监局", consultation_phone="0826-2222222")


@pytest.fixture
def items(department, django_capture_on_commit_callbacks):
    """A small published catalogue, indexed through the publish signal as in production."""
    with django_capture_on_commit_callbacks(execute=True):
        licence = ServiceItemFactory(
            name="企业营业执照申请办理", department=department, service_objects="2", handled_online=True, visits=0,
            acceptance_conditions="申请人应当具有合法的经营场所。",
        )
        show = ServiceItemFactory(name="举办营业性演出审批", department=department, service_objects="2", visits=2)
        idcard = ServiceItemFactory(
            name="居民身份证补领", department=department, service_objects="1", visits=1,
            acceptance_conditions="居民身份证丢失的，可以申请补领。",
        )
        food = ServiceItemFactory(
            name="食品经营许可核发", department=department, service_objects="2,5", role=SubItemRole.SUB,
            main_item_name="食品经营许可",
        )
        branch = ServiceItemFactory(name="分公司设立登记", department=department, service_objects="2",
                                    result_name="营业执照（分公司）")
    MaterialFactory(item=branch, name="公司营业执照复印件")
    search.index_item(branch.pk)
    return {"licence": licence, "show": show, "idcard": idcard, "food": food, "branch": branch}


@pytest.fixture(autouse=True)
def _clear_page_cache():
    # Cached pages are keyed by the publication generation, which restarts with every test database.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
