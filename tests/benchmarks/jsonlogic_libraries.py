"""The evidence behind rules.logic (docs/architecture.md, "The rule language"): our evaluator against two Python
libraries, on the shared conformance tests, on cases where JavaScript's semantics matter (json-logic-js, the
browser's evaluator, is the reference, run on node), and on speed.

Not part of `make bench` (the libraries are not dependencies). Run in a scratch environment:
    python -m venv /tmp/jl && /tmp/jl/bin/pip install panzi-json-logic==1.0.1 datalogic-py==5.9.0 orjson==3.13.0
    /tmp/jl/bin/python tests/benchmarks/jsonlogic_libraries.py
"""

import json
import math
import subprocess
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rules import logic  # noqa: E402

TESTS = json.loads((ROOT / "data" / "jsonlogic" / "tests.json").read_text(encoding="utf-8"))
LOGIC_JS = ROOT / "site" / "static" / "vendor" / "json-logic-js" / "logic.js"

# Where Python's and JavaScript's semantics part ways (DESIGN decision 11).
TRICKY = [
    [{"==": [[], 0]}, {}], [{"==": [None, 0]}, {}], [{"==": ["", 0]}, {}], [{"==": [" 1 ", 1]}, {}],
    [{"==": [True, "1"]}, {}], [{"==": [[1], "1"]}, {}], [{"==": ["0x10", 16]}, {}], [{"!=": [None, False]}, {}],
    [{"!!": [{}]}, {}], [{"!!": ["0"]}, {}], [{"!!": [[]]}, {}], [{"!": [[0]]}, {}],
    [{"+": ["1", "2"]}, {}], [{"+": ["1e3x", 1]}, {}], [{"+": [None, 1]}, {}], [{"*": ["3"]}, {}],
    [{"-": ["5", None]}, {}], [{"-": ["a"]}, {}], [{"/": [1, 0]}, {}], [{"%": [-7, 3]}, {}],
    [{"cat": [None, True, 1.5, [1, None, 2]]}, {}], [{"cat": [0.1, 1e21, 1e-7]}, {}],
    [{"substr": ["jsonlogic", -3, -1]}, {}], [{"substr": ["abc", "1"]}, {}],
    [{"in": [1, "123"]}, {}], [{"in": ["1", [1, 2]]}, {}], [{"in": [None, "null"]}, {}],
    [{"<": ["10", "9"]}, {}], [{"<": ["10", 9]}, {}], [{"<": [None, 1]}, {}], [{">=": ["a", None]}, {}],
    [{"<": [1, 2, "3"]}, {}], [{"max": []}, {}], [{"min": ["1", [2]]}, {}],
    [{"var": "a.1"}, {"a": [10, 20]}], [{"var": "a.length"}, {"a": [1, 2, 3]}], [{"var": "x"}, {"x": None}],
    [{"var": ["x", 5]}, {"x": None}], [{"missing": ["a", "b"]}, {"a": "", "b": 0}],
    [{"and": [1, "", 2]}, {}], [{"or": [0, [], "x"]}, {}], [{"if": [[], "yes", "no"]}, {}],
    [{"all": [[], {"var": ""}]}, {}], [{"some": ["ab", {"==": [{"var": ""}, "a"]}]}, {}],
    [{"map": [{"var": "x"}, {"*": [{"var": ""}, 2]}]}, {"x": [1, "2"]}],
    [{"reduce": [[1, 2, 3], {"+": [{"var": "current"}, {"var": "accumulator"}]}, "0"]}, {}],
]


def reference(cases):
    script = f"""
const jsonLogic = require({json.dumps(str(LOGIC_JS))});
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = cases.map(([rule, data]) => {{
  try {{ const v = jsonLogic.apply(rule, data); return {{v: v === undefined ? null : v,
        nan: typeof v === 'number' && !isFinite(v) ? String(v) : null}}; }}
  catch (e) {{ return {{error: true}}; }} }});
process.stdout.write(JSON.stringify(out));
"""
    done = subprocess.run(["node", "-e", script], input=json.dumps(cases), capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def normal(value):
    if isinstance(value, float) and not math.isfinite(value):
        return {"nan": "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")}
    return json.loads(json.dumps(value))


def run(evaluate, rule, data):
    try:
        return normal(evaluate(rule, data))
    except Exception:  # noqa: BLE001 - a library that throws where JavaScript does not disagrees
        return {"error": True}


def expected(ref):
    if "error" in ref:
        return {"error": True}
    return {"nan": ref["nan"]} if ref["nan"] else ref["v"]


def main():
    import datalogic_py
    import json_logic

    engines = {
        "rules.logic": logic.apply,
        "panzi-json-logic 1.0.1": json_logic.jsonLogic,
        "datalogic-py 5.9.0": datalogic_py.apply,
    }
    standard, section = [], ""
    for entry in TESTS:
        if isinstance(entry, str):
            section = entry
        elif section != "# Alias operator tests":
            standard.append(entry)
    refs = reference(TRICKY)
    print(f"{'evaluator':<24} {'tests.json':>11} {'JS semantics':>13}")
    for name, evaluate in engines.items():
        passed = sum(run(evaluate, rule, data) == normal(want) for rule, data, want in standard)
        agree = sum(run(evaluate, rule, data) == expected(ref) for (rule, data), ref in zip(TRICKY, refs, strict=True))
        print(f"{name:<24} {passed:>5}/{len(standard):<5} {agree:>6}/{len(TRICKY)}")
    rules = [{"and": [{"in": [{"var": f"situation.q{i}"}, ["a", "b"]]}, {"==": [{"var": "situation.agent"}, "yes"]}]}
             for i in range(30)]
    data = {"situation": {**{f"q{i}": "ab"[i % 2] for i in range(30)}, "agent": "yes"}}
    compiled = [logic.compile(rule) for rule in rules]
    engine = datalogic_py.Engine()
    dl_rules = [engine.compile(rule) for rule in rules]
    timings = {
        "rules.logic compiled": lambda: [f(data) for f in compiled],
        "rules.logic apply": lambda: [logic.apply(r, data) for r in rules],
        "panzi-json-logic": lambda: [json_logic.jsonLogic(r, data) for r in rules],
        "datalogic-py compiled": lambda: [r.evaluate(data) for r in dl_rules],
    }
    print("\nµs per rule (30 material rules, best of 5 × 2,000 rounds)")
    for name, work in timings.items():
        best = min(timeit.repeat(work, number=2000, repeat=5)) / 2000 / 30 * 1e6
        print(f"{name:<24} {best:8.2f}")


if __name__ == "__main__":
    main()
