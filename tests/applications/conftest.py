import pytest
from django.contrib.auth import get_user_model

from applications.models import Applicant
from catalog.models import Material
from formbuilder.models import FormDefinition
from rules.models import SituationQuestion
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory

from .samples import MATERIALS, QUESTIONS, VALID_ID, steps

CODE = "11511301008778183N1000000000001"


def give_form(item, form_steps=None, title="无犯罪记录证明申请表"):
    """Questions, materials and a form for the item, published in a new revision."""
    for order, question in enumerate(QUESTIONS):
        SituationQuestion.objects.create(item=item, sort_order=order, **question)
    for order, material in enumerate(MATERIALS):
        Material.objects.create(item=item, sort_order=order, **material)
    FormDefinition.objects.create(item=item, title=title, steps=form_steps if form_steps is not None else steps())
    item.save_revision().publish()
    item.refresh_from_db()
    return item


@pytest.fixture
def item(db):
    department = DepartmentFactory(name="广安市公安局广安区分局", division_code="511602")
    made = ServiceItemFactory(name="无犯罪记录证明", implementation_code=CODE, department=department,
                              promised_limit=5, promised_limit_unit="2")
    return give_form(made)


def make_applicant(mobile="13800000001", name="张三", id_number=VALID_ID, **extra):
    user = get_user_model().objects.create_user(username=mobile, password="Tongban-pass-2026")
    return Applicant.objects.create(user=user, name=name, id_number=id_number, mobile=mobile, **extra)


@pytest.fixture
def applicant(db):
    return make_applicant()


@pytest.fixture
def other(db):
    return make_applicant(mobile="13900000002", name="李四", id_number="11010819900101001X")


@pytest.fixture
def signed_in(client, applicant):
    client.force_login(applicant.user)
    return client


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Each test's applicants' files in a directory of its own (to look into), and no virus scanner unless a test
    starts one (test_clamd.py)."""
    root = tmp_path / "applications-files"
    settings.STORAGES = {**settings.STORAGES, "applications": {
        **settings.STORAGES["applications"],
        "OPTIONS": {**settings.STORAGES["applications"]["OPTIONS"], "location": str(root)}}}
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_URL = ""
    return root


@pytest.fixture(scope="session")
def clamd_server(tmp_path_factory):
    """A real clamd (Debian's clamav-daemon) with the EICAR signatures only (tests/applications/clamd.py), for
    the whole run. Tests that use it are marked `services`: in CI a missing clamd fails them."""
    from . import clamd

    if clamd.binary() is None:
        pytest.skip("no clamd (apt-get install clamav-daemon)")
    server = clamd.Clamd(tmp_path_factory.mktemp("clamd")).start()
    yield server
    server.stop()
