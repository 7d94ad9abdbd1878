"""The same rules in the browser: headless Chromium runs the vendored json-logic-js and our rules.js over every
case of data/jsonlogic/tests.json and of tests/rules/operation_cases.json, and each result must equal the
server's rules.logic.apply (compared as tests/rules/js_side.py describes). The scripts are added to a blank page
as script elements: the project's own pages will forbid inline scripts (CSP), this page is the test's own."""

import json

import pytest

from rules import logic
from tests.rules.js_side import (
    ERROR,
    JS_TAG,
    LOGIC_JS,
    OPERATION_CASES,
    RULES_JS,
    STANDARD_CASES,
    canonical,
    cases,
    divisions,
    server_result,
)

pytestmark = pytest.mark.e2e

EVALUATE_ALL = """([items, calendar, divisionData, ERROR]) => {
  if (calendar) TongbanRules.setCalendar(calendar);
  if (divisionData) TongbanRules.setDivisions(divisionData);
  return items.map(([rule, data]) => {
    try { return tongbanTag(TongbanRules.apply(rule, data)); }
    catch (error) { return JSON.stringify(ERROR); }
  });
}"""


@pytest.fixture(scope="module")
def rules_page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto("about:blank")
    for script in (LOGIC_JS.read_text(encoding="utf-8"), RULES_JS.read_text(encoding="utf-8"), JS_TAG):
        page.add_script_tag(content=script)
    yield page
    context.close()


def _compare_in_browser(page, listed, calendar=None, division_data=None):
    """(index, rule, data, server, browser) of every case where the browser's result differs from the server's."""
    browser_results = page.evaluate(EVALUATE_ALL, [[[rule, data] for _i, rule, data, _e in listed],
                                                   calendar, division_data, ERROR])
    assert len(browser_results) == len(listed)
    differing = []
    for (index, rule, data, _expected), in_browser in zip(listed, browser_results, strict=True):
        on_server = server_result(logic.apply, rule, data)
        if canonical(json.loads(in_browser)) != on_server:
            differing.append((index, rule, data, on_server, in_browser))
    return differing


def _report(differing) -> str:
    return "\n".join(
        f"case {index}: {json.dumps(rule, ensure_ascii=False)} data={json.dumps(data, ensure_ascii=False)} "
        f"server={on_server} browser={in_browser}"
        for index, rule, data, on_server, in_browser in differing
    )


def test_standard_cases_agree_with_the_server(rules_page):
    listed = cases(STANDARD_CASES)
    assert len(listed) > 250
    differing = _compare_in_browser(rules_page, listed)
    assert not differing, f"{len(differing)} of {len(listed)} tests.json cases differ:\n{_report(differing)}"


@pytest.mark.django_db
def test_operation_cases_agree_with_the_server(rules_page):
    from rules.calendar import calendar_data

    calendar = calendar_data()
    assert "2025-10-08" in calendar["off_days"] and "2026-02-28" in calendar["work_days"]
    listed = cases(OPERATION_CASES)
    differing = _compare_in_browser(rules_page, listed, calendar, divisions())
    assert not differing, f"{len(differing)} of {len(listed)} operation cases differ:\n{_report(differing)}"


def test_operations_that_need_data_give_null_until_it_is_given(browser):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    try:
        for script in (LOGIC_JS.read_text(encoding="utf-8"), RULES_JS.read_text(encoding="utf-8")):
            page.add_script_tag(content=script)
        results = page.evaluate("""() => [
          TongbanRules.apply({"add_working_days": ["2025-09-30", 1]}),
          TongbanRules.apply({"valid_id_number": ["11010519491231002X"]}),
          TongbanRules.apply({"add_days": ["2025-09-30", 1]}),
          TongbanRules.apply({"valid_mobile": ["13800138000"]}),
        ]""")
    finally:
        context.close()
    assert results == [None, None, "2025-10-01", True]
