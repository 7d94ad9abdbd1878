"""Differential test: random rules and data, evaluated by rules.logic and by json-logic-js 2.0.5 on node, must give
the same result (DESIGN decision 11). Hypothesis draws the cases up front; they are written as JSON and run by one
node process (tests/rules/node_batch.js); results are compared as tests/rules/js_side.py describes (NaN and
±Infinity tagged, -0 as 0, integral floats as integers, a thrown error on both sides counts as the same).

A mismatch is shrunk here, a batch of simpler variants per node run, to a minimal rule and data, and reported.
Minimal mismatches found so far are kept in differential_cases.json and run every time.

Without node the tests skip with a message; under CI=true they fail instead.
"""

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from rules import logic
from tests.rules.js_side import canonical, divisions, run_node, server_result

REGRESSIONS = Path(__file__).with_name("differential_cases.json")
BATCH = int(os.environ.get("DIFFERENTIAL_CASES", "2000"))  # cases per test and run
SHRINK_ROUNDS = 60

# --- strategies ---------------------------------------------------------------------------------------------

NUMERIC_TEXTS = ["0", "1", "-1", "2", "-2.5", "1.5", "0.1", "007", " 3 ", "3 ", "\t4\n", "1e3", "-1e-3", ".5",
                 "5.", "+5", "0x10", "0b11", "0o7", "Infinity", "-Infinity", "NaN", "1,000", "1_000", "١", "３",
                 "12abc", "abc", "", " ", "null", "true", "false", "[]", "−1", "9007199254740993"]
TEXT = st.text(alphabet="ab AB0129.-,e通办😀", max_size=5)
NUMBERS = st.one_of(
    st.integers(-20, 20),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.1, 0.5, -0.5, 1.5, -2.5, 1e21, 1e-7, 123456789.125, -0.0, 5e-324, 1.7976931348623157e308]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.sampled_from(NUMERIC_TEXTS), TEXT)
KEYS = ["a", "b", "c", "x", "0", "1", "current", "accumulator"]
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    max_leaves=8,
)
# Paths into the data below and into the items of map/filter/reduce. JavaScript's prototype members
# ("constructor", "toString", "map" …) are left out: see differential_cases.json.
PATHS = ["", "a", "a.b", "a.c", "a.c.0", "a.c.1", "a.c.length", "x", "x.0", "x.b", "list", "list.0", "list.1",
         "list.length", "nums", "nums.0", "s", "s.0", "s.length", "missing", "missing.deep", "current",
         "accumulator", "b", "0", "1", 0, 1, None]
DATA = st.one_of(
    st.fixed_dictionaries(
        {"a": st.fixed_dictionaries({"b": JSON_VALUES, "c": st.lists(JSON_VALUES, max_size=4)}),
         "x": JSON_VALUES, "list": st.lists(JSON_VALUES, max_size=5), "nums": st.lists(NUMBERS, max_size=5),
         "s": TEXT | st.sampled_from(NUMERIC_TEXTS)},
        optional={"b": JSON_VALUES, "current": JSON_VALUES},
    ),
    JSON_VALUES,
)

COMPARISONS = ["==", "===", "!=", "!==", ">", ">=", "<", "<="]
BINARY = COMPARISONS + ["%", "/", "-", "in", "substr"]
VARIADIC = ["+", "*", "min", "max", "cat", "merge", "and", "or", "if", "?:"]
SCOPED = ["map", "filter", "all", "some", "none"]


def _var(default):
    return st.one_of(
        st.builds(lambda path: {"var": path}, st.sampled_from(PATHS)),
        st.builds(lambda path, fallback: {"var": [path, fallback]}, st.sampled_from(PATHS), default),
    )


def _operations(inner):
    args = st.lists(inner, max_size=4)
    return st.one_of(
        st.builds(lambda op, a: {op: a}, st.sampled_from(["!", "!!", "-"]), inner),
        st.builds(lambda op, a: {op: [a]}, st.sampled_from(["!", "!!", "-", "+", "*", "min", "max", "cat"]), inner),
        st.builds(lambda op, a, b: {op: [a, b]}, st.sampled_from(BINARY), inner, inner),
        st.builds(lambda op, a, b, c: {op: [a, b, c]}, st.sampled_from(["<", "<=", "substr"]), inner, inner, inner),
        st.builds(lambda op, a: {op: a}, st.sampled_from(BINARY + VARIADIC), args),
        st.builds(lambda a: {"if": a}, st.lists(inner, min_size=3, max_size=7)),
        st.builds(lambda op, a, b: {op: [a, b]}, st.sampled_from(SCOPED), inner, inner),
        st.builds(lambda a, b, c: {"reduce": [a, b, c]}, inner, inner, inner),
        st.builds(lambda a, b: {"reduce": [a, b]}, inner, inner),
        st.builds(lambda keys: {"missing": keys}, st.lists(st.sampled_from(PATHS[1:-3]), max_size=3)),
        st.builds(lambda n, keys: {"missing_some": [n, keys]}, st.integers(0, 3) | SCALARS,
                  st.lists(st.sampled_from(PATHS[1:-3]), max_size=3)),
        _var(inner),
        st.lists(inner, max_size=3),
    )


RULES = st.recursive(st.one_of(SCALARS, _var(SCALARS)), _operations, max_leaves=10)
CASES = st.tuples(RULES, DATA)


# --- comparing and shrinking --------------------------------------------------------------------------------

def _mismatches(batch_cases, tmp_path, extra=None) -> list[tuple[int, str, str]]:
    """(index, server, node) of every case whose results differ; one node process for the whole batch."""
    on_node = run_node({"mode": "apply", "cases": batch_cases, **(extra or {})}, tmp_path)
    differing = []
    for index, ((rule, data), in_node) in enumerate(zip(batch_cases, on_node, strict=True)):
        on_server = server_result(logic.apply, rule, data)
        if canonical(in_node) != on_server:
            differing.append((index, on_server, canonical(in_node)))
    return differing


def _simpler(value):
    """Smaller JSON values than value, roughly simplest first."""
    if value is not None:
        yield None
    if isinstance(value, dict):
        for key, item in value.items():
            yield item
            yield {k: v for k, v in value.items() if k != key}
            for smaller in _simpler(item):
                yield {**value, key: smaller}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield item
            yield value[:index] + value[index + 1:]
            for smaller in _simpler(item):
                yield value[:index] + [smaller] + value[index + 1:]
    elif isinstance(value, str):
        if value:
            yield ""
        for index in range(len(value)):
            yield value[:index] + value[index + 1:]
    elif isinstance(value, float) and not isinstance(value, bool):
        for smaller in (0, 1, -1, int(value) if abs(value) < 2**53 else 0):
            if smaller != value or type(smaller) is not type(value):
                yield smaller
    elif isinstance(value, int) and not isinstance(value, bool) and value not in (0, 1):
        yield from (0, 1, value // 2)
    elif value is True:
        yield False


def shrink(case, tmp_path, extra=None):
    """The smallest variant of a mismatching (rule, data) that still mismatches, found a batch at a time."""
    current = case
    for _round in range(SHRINK_ROUNDS):
        rule, data = current
        candidates = [[smaller, data] for smaller in _simpler(rule)] + [[rule, smaller] for smaller in _simpler(data)]
        candidates = [c for c in candidates if len(json.dumps(c)) < len(json.dumps(current)) or c[0] != rule][:600]
        if not candidates:
            break
        found = _mismatches(candidates, tmp_path, extra)
        if not found:
            break
        current = candidates[found[0][0]]
    return current


def _report(found, batch_cases, tmp_path, extra=None) -> str:
    lines, seen = [], set()
    for index, _server, _node in found[:8]:
        rule, data = shrink(list(batch_cases[index]), tmp_path, extra)
        key = json.dumps([rule, data], sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        ((_i, on_server, on_node),) = _mismatches([[rule, data]], tmp_path, extra)
        lines.append(f"rule={json.dumps(rule, ensure_ascii=False)} data={json.dumps(data, ensure_ascii=False)} "
                     f"server={on_server} node={on_node}")
    return f"{len(found)} of {len(batch_cases)} cases differ; minimal forms:\n" + "\n".join(lines)


# --- the tests ----------------------------------------------------------------------------------------------

def draw(strategy, count: int) -> list:
    """count examples of a strategy, drawn by Hypothesis up front, so that node runs once over all of them."""
    drawn = []

    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value):
        drawn.append(value)

    collect()
    return drawn


def test_random_rules_agree_with_json_logic_js(tmp_path):
    batch_cases = [[rule, data] for rule, data in draw(CASES, BATCH)]
    found = _mismatches(batch_cases, tmp_path)
    assert not found, _report(found, batch_cases, tmp_path)


def _known_cases():
    params = []
    for entry in json.loads(REGRESSIONS.read_text(encoding="utf-8")):
        if isinstance(entry, str):
            continue
        marks = [pytest.mark.xfail(strict=True, reason=entry["mismatch"])] if entry.get("mismatch") else []
        params.append(pytest.param(entry["rule"], entry["data"], marks=marks, id=entry["id"]))
    return params


@pytest.mark.parametrize(("rule", "data"), _known_cases())
def test_known_case_agrees_with_json_logic_js(tmp_path, rule, data):
    """The minimal cases of past mismatches; an entry with "mismatch" is one still open (xfail, strict)."""
    assert not _mismatches([[rule, data]], tmp_path)


# Our own operations against rules.js on node, with the server's calendar and the shipped division codes.

DATES = st.one_of(
    st.dates(min_value=__import__("datetime").date(2024, 12, 1),
             max_value=__import__("datetime").date(2027, 2, 1)).map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2025-02-29", "2024-02-29", "0001-01-01", "9999-12-31", "2025-1-1", "", "20250101"]),
)


def _resident_id(region, born, sequence):
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    total = sum(int(digit) * (2 ** (17 - i) % 11) for i, digit in enumerate(body))
    return body + "10X98765432"[total % 11]


def _credit_code(head, region, organisation):
    from stdnum.cn import uscc

    from catalog.validators import organisation_code_check_digit

    body = head + region + organisation + organisation_code_check_digit(organisation)
    return body + uscc.calc_check_digit(body + "0")


def _credit_codes():
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return st.builds(_credit_code, st.text(alphabet, min_size=2, max_size=2), st.from_regex(r"\A[0-9]{6}\Z"),
                     st.text(alphabet, min_size=8, max_size=8))


def _codes():
    shipped = divisions()
    regions = [entry.split(":")[0] for entry in shipped["birth_places"].split()]
    return regions, shipped["divisions"].split()


def _id_numbers(regions):
    valid = st.builds(_resident_id, st.sampled_from(regions),
                      st.dates(min_value=__import__("datetime").date(1900, 1, 1)), st.integers(0, 999))
    mutated = st.builds(lambda number, i, c: number[:i] + c + number[i + 1:], valid, st.integers(0, 17),
                        st.sampled_from("0123456789Xx "))
    return st.one_of(valid, valid.map(str.lower), mutated)


@pytest.mark.django_db
def test_our_operations_agree_with_rules_js(tmp_path):
    from rules.calendar import calendar_data

    regions, division_codes = _codes()
    days = st.one_of(st.integers(-400, 400), st.integers(), st.sampled_from([0, 1.5, 2.0, "3", None, True]))
    ids = _id_numbers(regions)
    codes = st.one_of(st.sampled_from(division_codes), st.text("0123456789１", min_size=5, max_size=12))
    credit_codes = st.one_of(_credit_codes(), _credit_codes().map(lambda code: code[:-1] + "0"), TEXT)
    call = st.one_of(
        st.builds(lambda op, a, n: {op: [a, n]}, st.sampled_from(["add_days", "add_working_days"]), DATES, days),
        st.builds(lambda op, a, b: {op: [a, b]}, st.sampled_from(["days_between", "working_days_between"]),
                  DATES, DATES),
        st.builds(lambda number, on: {"id_age": [number, on]}, ids, DATES),
        st.builds(lambda op, value: {op: [value]}, st.sampled_from(["id_sex", "valid_id_number"]), ids | SCALARS),
        st.builds(lambda value: {"valid_division_code": [value]}, codes | SCALARS),
        st.builds(lambda value: {"valid_credit_code": [value]}, credit_codes | SCALARS),
        st.builds(lambda value: {"valid_mobile": [value]},
                  st.from_regex(r"\A ?1[0-9]{9,11}\Z") | SCALARS),
    )
    batch_cases = [[rule, None] for rule in draw(call, BATCH)]
    extra = {"calendar": calendar_data(), "divisions": divisions()}
    found = _mismatches(batch_cases, tmp_path, extra)
    assert not found, _report(found, batch_cases, tmp_path, extra)
