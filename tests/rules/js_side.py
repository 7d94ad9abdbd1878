"""What the tests need to compare the server's rules with json-logic-js: the vendored scripts, node, the shared
cases, and one way of writing a result down on both sides.

Comparing results: both sides' values are written as JSON, with what JSON cannot hold tagged, and then compared
as text after the same canonical form (canonical()):
- NaN, Infinity and -Infinity become {"$number": "NaN" | "Infinity" | "-Infinity"}. JSON.stringify would write
  null for them, and a rule that gives NaN where the other side gives null is exactly what we must see.
- -0 is written as 0, as JSON.stringify writes it: the two are equal under ==, ===, <, cat and every operation of
  JSON Logic; the one place they differ (1 / -0 is -Infinity) shows as an Infinity that differs.
- JavaScript has one number type: every number is compared as the double it is (2 and 2.0 are the same number;
  an integer past 2**53 is the double nearest to it, as node would print it).
- Object keys are sorted (JavaScript lists integer-like keys first; the order means nothing to a rule).
- A rule that throws is {"$error": true} on either side (the messages differ by language and are not compared).
- JavaScript's undefined at the top becomes null, as rules.logic.apply returns None for it.
"""

import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

STATIC = Path(settings.BASE_DIR) / "site" / "static"
LOGIC_JS = STATIC / "vendor" / "json-logic-js" / "logic.js"
RULES_JS = STATIC / "js" / "rules.js"
DIVISIONS_JSON = STATIC / "rules" / "divisions.json"
NODE_BATCH = Path(__file__).with_name("node_batch.js")
OPERATION_CASES = Path(__file__).with_name("operation_cases.json")
STANDARD_CASES = Path(settings.BASE_DIR) / "data" / "jsonlogic" / "tests.json"

ERROR = {"$error": True}

# The same tagging as canonical() does, for the JavaScript side (the browser test evaluates it in the page).
JS_TAG = """
function tongbanTag(value) {
  return JSON.stringify(value === undefined ? null : value, function (key, v) {
    if (typeof v === "number" && !isFinite(v)) return {"$number": String(v)};
    return v;
  });
}
"""


def cases(path: Path) -> list[tuple[int, object, object, object]]:
    """(index, rule, data, expected) of a tests.json-style file; the strings between cases are headings."""
    listed = [case for case in json.loads(path.read_text(encoding="utf-8")) if not isinstance(case, str)]
    return [(index, rule, data, expected) for index, (rule, data, expected) in enumerate(listed)]


def _plain(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number):
            return {"$number": "NaN"}
        if math.isinf(number):
            return {"$number": "Infinity" if number > 0 else "-Infinity"}
        return number + 0.0  # -0.0 + 0.0 is 0.0
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    raise TypeError(f"not a JSON value: {value!r}")


def canonical(value) -> str:
    """The comparable text of a Python value (a server result, or a JavaScript result parsed from JSON)."""
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=True)


def server_result(function, *args) -> str:
    """canonical() of what the server gives, or of ERROR when it raises what json-logic-js would throw."""
    from rules.logic import RuleError

    try:
        return canonical(function(*args))
    except RuleError:
        return canonical(ERROR)


def node() -> str | None:
    """The node binary, or a skip; under CI=true a missing node fails the test instead (CI has node)."""
    found = shutil.which("node")
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("node 未安装：CI 中必须运行 JSON Logic 差异测试（apt-get install nodejs）")
    pytest.skip("node is not installed: the comparison with json-logic-js on node is skipped")


def run_node(batch: dict, tmp_path: Path) -> dict:
    """Run node_batch.js once over a batch written as JSON; returns what it prints (one JSON document)."""
    binary = node()
    batch_file = tmp_path / "batch.json"
    batch_file.write_text(json.dumps(batch, ensure_ascii=True), encoding="utf-8")
    completed = subprocess.run(
        [binary, str(NODE_BATCH), str(batch_file)], capture_output=True, text=True, timeout=600, check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(f"node failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return json.loads(completed.stdout)


def divisions() -> dict:
    return json.loads(DIVISIONS_JSON.read_text(encoding="utf-8"))
