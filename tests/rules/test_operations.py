"""Our own rule operations on the server: the shared cases (tests/rules/operation_cases.json, the same the browser
test runs), today's date in China, and the static division codes the browser uses."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from rules import logic
from rules.operations import OUR_OPERATIONS
from tests.rules.js_side import DIVISIONS_JSON, OPERATION_CASES, canonical, cases

OPERATION_CASE_LIST = cases(OPERATION_CASES)

WIRING = """
import django
django.setup()
from rules import logic
from rules.operations import OUR_OPERATIONS
print(" ".join(sorted(set(OUR_OPERATIONS) - set(logic.OPERATIONS))))
"""


def _case_id(case):
    index, rule, _data, _expected = case
    return f"{index}-{next(iter(rule))}"


def test_rules_logic_has_our_operations_once_django_is_set_up(settings):
    """In a fresh interpreter (where no test has registered them), setting Django up (rules' AppConfig.ready)
    gives rules.logic our operations."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    completed = subprocess.run([sys.executable, "-c", WIRING], cwd=settings.BASE_DIR, env=env, capture_output=True,
                               text=True, timeout=120, check=True)
    missing = completed.stdout.strip()
    assert not missing, f"rules.logic lacks our operations after django.setup(): {missing}"


def test_saved_rules_may_use_our_operations():
    for name in OUR_OPERATIONS:
        logic.validate({name: []})


@pytest.mark.django_db
@pytest.mark.parametrize("case", OPERATION_CASE_LIST, ids=_case_id)
def test_operation_case(case):
    """The calendar days come from the seed migration (rules 0002: the official days of 2007–2026)."""
    index, rule, data, expected = case
    assert canonical(logic.apply(rule, data)) == canonical(expected), f"case {index}: {json.dumps(rule)}"


def test_every_operation_has_cases():
    used = {next(iter(rule)) for _index, rule, _data, _expected in OPERATION_CASE_LIST}
    nested = json.dumps([rule for _index, rule, _data, _expected in OPERATION_CASE_LIST])
    assert all(name in used or f'"{name}"' in nested for name in OUR_OPERATIONS)


def _at(monkeypatch, moment: str):
    now = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)


def test_today_is_the_date_in_china(monkeypatch):
    _at(monkeypatch, "2026-11-30T15:59:59")
    assert logic.apply({"today": []}) == "2026-11-30"
    _at(monkeypatch, "2026-11-30T16:00:00")  # midnight in Beijing, still 30 November in UTC
    assert logic.apply({"today": []}) == "2026-12-01"


def test_age_today_turns_at_midnight_in_china(monkeypatch):
    rule = {"id_age": ["110101200812010030"]}  # born 2008-12-01
    _at(monkeypatch, "2026-11-30T15:59:59")
    assert logic.apply(rule) == 17
    _at(monkeypatch, "2026-11-30T16:00:00")
    assert logic.apply(rule) == 18
    assert logic.apply({">=": [rule, 18]}) is True


def test_compiled_rule_gives_the_same_as_apply():
    rule = {"if": [{"valid_id_number": {"var": "id"}}, {"id_sex": {"var": "id"}}, "无效"]}
    evaluate = logic.compile(rule)
    for number, sex in (("11010519491231002X", "女"), ("110105194912310011", "男"), ("110105194912310012", "无效")):
        assert evaluate({"id": number}) == logic.apply(rule, {"id": number}) == sex


def test_divisions_json_is_up_to_date():
    """site/static/rules/divisions.json is generated (manage.py write_division_codes) and committed."""
    from rules.management.commands.write_division_codes import division_data

    shipped = json.loads(DIVISIONS_JSON.read_text(encoding="utf-8"))
    assert shipped == division_data(), "请运行 python manage.py write_division_codes 并提交 divisions.json"
    codes = shipped["divisions"].split()
    assert "511602" in codes and "110000" in codes and len(codes) == len(set(codes)) > 3000
    assert "110103:-2010" in shipped["birth_places"].split()  # 崇文区, merged into 东城区 in 2010


def test_write_division_codes_writes_the_file(tmp_path, monkeypatch):
    from django.core.management import call_command

    from rules.management.commands import write_division_codes

    target = tmp_path / "divisions.json"
    monkeypatch.setattr(write_division_codes, "OUTPUT", target)
    call_command("write_division_codes", stdout=open(tmp_path / "out.txt", "w"))
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(DIVISIONS_JSON.read_text(encoding="utf-8"))
