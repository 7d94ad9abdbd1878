"""Signing up, in and out as an applicant: codes checked, Chinese messages, throttled like the admin login, and
staff accounts are not applicants."""

import pytest
from django.contrib.auth import get_user_model

from applications.models import Applicant
from tests.catalog.factories import UserFactory

from .conftest import make_applicant
from .samples import AGENT_ID, OTHER_ID, VALID_ID

pytestmark = pytest.mark.django_db
PASSWORD = "Tongban-pass-2026"


def sign_up(client, **changes):
    data = {"kind": "person", "name": "张三", "id_number": VALID_ID, "mobile": "13812345678",
            "password": PASSWORD, "password2": PASSWORD, **changes}
    return client.post("/account/signup/", data)


def test_a_person_signs_up_and_is_signed_in(client):
    response = sign_up(client)
    assert response.status_code == 302
    applicant = Applicant.objects.get(mobile="13812345678")
    assert (applicant.name, applicant.id_number, applicant.kind) == ("张三", VALID_ID, "person")
    assert client.get("/account/drafts/").status_code == 200


def test_a_bad_id_number_is_refused_in_chinese(client):
    response = sign_up(client, id_number=OTHER_ID)
    page = response.content.decode()
    assert response.status_code == 200
    assert "居民身份证号码不正确" in page and 'href="#id_id_number"' in page  # in the error summary, linked
    assert "<title>错误：" in page
    assert not get_user_model().objects.filter(username="13812345678").exists()


def test_a_company_needs_a_valid_credit_code(client):
    company = {"kind": "company", "company_name": "某某有限公司"}
    page = sign_up(client, **company, credit_code="91110000600037341A").content.decode()
    assert "统一社会信用代码校验位不正确" in page
    page = sign_up(client, kind="company", company_name="", credit_code="").content.decode()
    assert "请填写单位名称" in page and "请填写统一社会信用代码" in page
    assert sign_up(client, **company, credit_code="91110000600037341L").status_code == 302
    assert Applicant.objects.get(mobile="13812345678").credit_code == "91110000600037341L"


def test_mismatched_passwords_weak_passwords_and_a_taken_mobile(client):
    make_applicant(mobile="13812345678")
    page = sign_up(client, password2="something-else-1").content.decode()
    assert "这个手机号码已经注册" in page and "两次输入的密码不一致" in page
    page = sign_up(client, mobile="13700000000", password="12345678", password2="12345678").content.decode()
    assert "密码" in page and not Applicant.objects.filter(mobile="13700000000").exists()


def test_sign_in_and_out(client, applicant):
    response = client.post("/account/login/", {"username": applicant.mobile, "password": "wrong-one-1"})
    assert "手机号码或密码不正确" in response.content.decode()
    response = client.post("/account/login/", {"username": applicant.mobile, "password": PASSWORD,
                                               "next": "/account/submissions/"})
    assert response.status_code == 302 and response["Location"] == "/account/submissions/"
    assert client.get("/account/drafts/").status_code == 200
    client.post("/account/logout/")
    assert client.get("/account/drafts/").status_code == 302


def test_an_outside_next_is_not_followed(client, applicant):
    response = client.post("/account/login/", {"username": applicant.mobile, "password": PASSWORD,
                                               "next": "https://evil.example/"})
    assert response["Location"] == "/account/drafts/"


def test_wrong_passwords_are_throttled_like_the_admin_login(client, applicant, settings):
    statuses = [client.post("/account/login/", {"username": applicant.mobile, "password": f"wrong-{n}"}).status_code
                for n in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429
    locked = client.post("/account/login/", {"username": applicant.mobile, "password": PASSWORD})
    assert locked.status_code == 429 and "登录已暂时锁定" in locked.content.decode()
    assert client.get("/account/drafts/").status_code == 302


def test_a_staff_user_cannot_sign_in_or_apply_as_an_applicant(client, item):
    staff = UserFactory(username="13600000000", password=PASSWORD, is_staff=True, is_superuser=True)
    response = client.post("/account/login/", {"username": "13600000000", "password": PASSWORD})
    assert "手机号码或密码不正确" in response.content.decode()
    client.force_login(staff)  # signed in to the admin in the same browser
    response = client.get(f"/apply/{item.implementation_code}/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    assert "工作人员账号" in client.get(response["Location"]).content.decode()
    assert client.get("/account/drafts/").status_code == 302
    # With a profile of their own, a staff member applies like anyone.
    Applicant.objects.create(user=staff, name="赵六", id_number=AGENT_ID, mobile="13600000000")
    assert client.get(f"/apply/{item.implementation_code}/").status_code == 302
    assert client.get(f"/apply/{item.implementation_code}/step/1/").status_code == 200
