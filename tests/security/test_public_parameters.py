"""Finding 5 (issue 13): every public parameter parser, fed arbitrary Unicode, returns a value or says in Chinese
what is wrong (BadParameter); no page or API answers 500, whatever the query string holds."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publish import params
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory

ANY_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["²", "١٢", "１２", "0", "-1", "1e3", " 7 ", "9" * 19, "9" * 40, "\x00", "\ud800", "all"]),
)
# What a URL can carry (a lone surrogate cannot be percent-encoded as UTF-8).
URL_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["²", "١٢", "１２", "9" * 40, "\x00", "-1"]
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def parses_or_refuses(parse, value):
    try:
        parse(value)
    except params.BadParameter as bad:
        assert bad.parameter and bad.message
        assert any("\u4e00" <= ch <= "\u9fff" for ch in bad.message), bad.message  # said in Chinese


@pytest.mark.django_db
@FAST
@given(value=ANY_TEXT)
def test_every_single_value_parser(value):
    for parse in (params.page_number, params.department, params.item_type, params.item_code):
        parses_or_refuses(parse, value)
    for name in ("q",):
        parses_or_refuses(params.query, {name: value})
        parses_or_refuses(params.suggest_prefix, {name: value})


@pytest.mark.django_db
@FAST
@given(audience=ANY_TEXT, online=ANY_TEXT, visits=ANY_TEXT, department=ANY_TEXT, item_type=ANY_TEXT)
def test_filters(audience, online, visits, department, item_type):
    parses_or_refuses(
        params.filters,
        {"audience": audience, "online": online, "visits": visits, "department": department, "type": item_type},
    )


@pytest.mark.django_db
def test_superscript_digits_are_no_department_id():
    """'²'.isdigit() is true and int('²') raised ValueError: a 500 on six public URLs."""
    with pytest.raises(params.BadParameter):
        params.department("²")


@pytest.fixture
def published(db):
    department = DepartmentFactory(name="区公安分局", credit_code="11511301008778183N")
    return ServiceItemFactory(name="无犯罪记录证明", department=department)


PUBLIC_URLS = ["publish:api_items", "publish:results", "publish:api_power_list", "publish:power_list",
               "publish:responsibility_list", "publish:power_list_xlsx", "publish:suggest"]


@pytest.mark.parametrize("name", PUBLIC_URLS)
def test_department_superscript_two_is_a_clear_400(client, published, name):
    response = client.get(reverse(name), {"department": "²", "q": "证明"})
    assert response.status_code in (200, 400)
    if name != "publish:suggest":  # the suggestion box takes no department
        assert response.status_code == 400
        assert "没有这个部门" in response.content.decode()


@pytest.mark.django_db
@FAST
@given(key=st.sampled_from(["department", "type", "audience", "online", "visits", "page", "q"]), value=URL_TEXT,
       name=st.sampled_from(PUBLIC_URLS))
def test_no_public_url_answers_500(client, published, key, value, name):
    response = client.get(reverse(name), {key: value})
    assert response.status_code in (200, 400), (name, key, value, response.status_code)


@pytest.mark.django_db
@FAST
@given(code=URL_TEXT.filter(lambda c: "/" not in c and c.strip()))
def test_no_guide_or_item_code_answers_500(client, published, code):
    from urllib.parse import quote

    for path in (f"/guide/{quote(code)}/", f"/api/v1/items/{quote(code)}/"):
        assert client.get(path).status_code in (200, 404), (path, code)
