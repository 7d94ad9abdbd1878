"""Finding 7 (issue 13): wrong passwords are throttled (django-axes), the lockout page is Chinese, and a system
administrator can unlock early."""

import pytest
from django.urls import reverse

from catalog import roles
from tests.catalog.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"


@pytest.fixture
def victim():
    return UserFactory(username="gaj", password="right-password-123", role=roles.DEPARTMENT_ADMIN,
                       departments=[DepartmentFactory()])


def attempt(client, password, username="gaj"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def logged_in(client):
    return client.get("/admin/").status_code == 200


def test_thirty_wrong_passwords_lock_the_login_even_for_the_right_one(client, victim, settings):
    statuses = [attempt(client, f"wrong-{n}").status_code for n in range(30)]
    assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert statuses[-1] == 429
    response = attempt(client, "right-password-123")
    assert response.status_code == 429 and not logged_in(client)
    page = response.content.decode()
    assert "登录已暂时锁定" in page and "联系系统管理员" in page
    assert "Account locked" not in page


def test_a_successful_login_resets_the_count(client, victim, settings):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, f"wrong-{n}")
    assert attempt(client, "right-password-123").status_code == 302 and logged_in(client)
    client.logout()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, f"wrong-again-{n}")
    assert attempt(client, "right-password-123").status_code == 302


def test_other_users_are_not_locked_out_by_someone_elses_lock(client, victim, settings):
    UserFactory(username="spj", password="spj-password-456", role=roles.DEPARTMENT_ADMIN)
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"wrong-{n}")
    assert attempt(client, "spj-password-456", username="spj").status_code == 302


def test_a_system_administrator_unlocks_it(client, victim, settings):
    from axes.models import AccessAttempt

    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"wrong-{n}")
    assert attempt(client, "right-password-123").status_code == 429
    # a department administrator may not see or unlock
    other = UserFactory(username="spj", role=roles.DEPARTMENT_ADMIN, departments=[DepartmentFactory()])
    client.force_login(other)
    page = client.get(reverse("tongban_lockouts"))
    assert page.status_code in (302, 403) and "gaj" not in page.content.decode()
    locked = AccessAttempt.objects.get(username="gaj")
    client.post(reverse("tongban_lockouts"), {"attempt": locked.pk})
    assert AccessAttempt.objects.filter(username="gaj").exists()
    # the system administrator sees it and unlocks
    admin = UserFactory(username="sysadmin", role=roles.SYSTEM_ADMIN)
    client.force_login(admin)
    html = client.get(reverse("tongban_lockouts")).content.decode()
    assert "gaj" in html and "解除锁定" in html
    client.post(reverse("tongban_lockouts"), {"attempt": locked.pk})
    assert not AccessAttempt.objects.filter(username="gaj").exists()
    client.logout()
    assert attempt(client, "right-password-123").status_code == 302 and logged_in(client)
