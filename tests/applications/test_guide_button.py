"""The guide's 在线办理 leads to our form when the item has a published one, else to its online URL as before."""

import pytest

from tests.catalog.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db


def test_the_button_leads_to_the_form(client, item):
    page = client.get(f"/guide/{item.implementation_code}/").content.decode()
    assert f'<a class="button" href="/apply/{item.implementation_code}/">在线办理</a>' in page


def test_without_a_form_the_button_keeps_the_online_url(client):
    other = ServiceItemFactory(online_url="https://zwfw.example.gov.cn/item/1")
    page = client.get(f"/guide/{other.implementation_code}/").content.decode()
    assert '<a class="button" href="https://zwfw.example.gov.cn/item/1">在线办理</a>' in page
    assert "/apply/" not in page
    plain = ServiceItemFactory()
    assert "在线办理</a>" not in client.get(f"/guide/{plain.implementation_code}/").content.decode()
