"""`make bench`: the server's JSON Logic evaluator against json-logic-js 2.0.5 on node, same rules, same data, same
run (issue 14: the compiled evaluator should be at least as fast as the JavaScript reference).

30 material rules of the shapes the admin's builder writes ({"in": [{"var": "situation.x"}, [...]]}, {"some": ...}
over a multiple-choice answer, and/or of those) plus comparisons and arithmetic on form and applicant values,
evaluated against 50 sets of answers, BENCH_RULE_ROUNDS times (default 200). Reported in µs per evaluation of one
rule: rules.logic.compile'd callables, rules.logic.apply (compiles every time), and jsonLogic.apply timed inside
node (process start not counted, after a warm-up). Only correctness is asserted: the three agree on every result.
"""

import json
import os
import random
import shutil
import subprocess
import time
from pathlib import Path

from rules import logic
from tests.rules.js_side import canonical

ROOT = Path(__file__).resolve().parents[2]
NODE_BATCH = ROOT / "tests" / "rules" / "node_batch.js"
ROUNDS = int(os.environ.get("BENCH_RULE_ROUNDS", "200"))
ANSWER_SETS = 50

OPTIONS = ["a", "b", "c", "d", "e"]


def material_rules() -> list:
    rules = []
    for i in range(12):  # "when <question> is <option(s)>"
        rules.append({"in": [{"var": f"situation.q{i}"}, OPTIONS[i % 3:i % 3 + 2]]})
    for i in range(6):  # a multiple-choice question: any of these chosen
        rules.append({"some": [{"var": f"situation.m{i}"}, {"in": [{"var": ""}, ["x", "z"]]}]})
    for i in range(6):  # combined with and/or
        rules.append({"and": [
            {"==": [{"var": f"situation.q{i}"}, "a"]},
            {"or": [{"in": [{"var": f"situation.q{i + 6}"}, ["b", "c"]]},
                    {"some": [{"var": f"situation.m{i}"}, {"==": [{"var": ""}, "y"]}]}]},
        ]})
    rules += [  # comparisons and arithmetic on form and applicant values
        {">=": [{"var": "applicant.age"}, 18]},
        {"<": [{"var": "applicant.age"}, 60]},
        {"<=": [1000, {"var": "form.amount"}, 50000]},
        {">": [{"+": [{"var": "form.count"}, {"*": [{"var": "form.extra"}, 2]}]}, 10]},
        {"if": [{"==": [{"var": "applicant.type"}, "company"]}, {">": [{"var": "form.staff"}, 50]},
                {"!": {"var": "situation.q0"}}]},
        {"or": [{"missing": ["form.amount", "form.count"]}, {"==": [{"%": [{"var": "form.count"}, 2]}, 0]}]},
    ]
    assert len(rules) == 30
    return rules


def answer_sets() -> list:
    rng = random.Random(14)
    sets = []
    for _ in range(ANSWER_SETS):
        situation = {f"q{i}": rng.choice(OPTIONS) for i in range(12)}
        situation |= {f"m{i}": rng.sample(["x", "y", "z", "w"], rng.randint(0, 3)) for i in range(6)}
        sets.append({
            "situation": situation,
            "applicant": {"age": rng.randint(16, 70), "type": rng.choice(["person", "company"])},
            "form": {"amount": rng.choice([500, 1000, 20000, 80000, "30000"]), "count": rng.randint(0, 12),
                     "extra": rng.choice([0, 1, 2.5, "3"]), "staff": rng.randint(1, 200)},
        })
    return sets


def _per_evaluation(run_once, rounds: int, evaluations_per_round: int) -> float:
    run_once()  # warm-up
    best = float("inf")
    for _repeat in range(3):
        started = time.perf_counter()
        for _round in range(rounds):
            run_once()
        best = min(best, time.perf_counter() - started)
    return best / (rounds * evaluations_per_round) * 1e6


def test_rules_evaluator_against_json_logic_js(tmp_path):
    rules, data = material_rules(), answer_sets()
    compiled = [logic.compile(rule) for rule in rules]
    per_round = len(rules) * len(data)

    def run_compiled():
        return [evaluate(answers) for answers in data for evaluate in compiled]

    def run_apply():
        return [logic.apply(rule, answers) for answers in data for rule in rules]

    results = run_compiled()
    assert [canonical(r) for r in results] == [canonical(r) for r in run_apply()]
    assert 0 < sum(r is True for r in results) < len(results)  # the rules do select: some hold, some do not

    table = [("rules.logic, compiled once", _per_evaluation(run_compiled, ROUNDS, per_round)),
             ("rules.logic.apply (compiles each time)", _per_evaluation(run_apply, max(1, ROUNDS // 10), per_round))]

    node = shutil.which("node")
    if node:
        batch = tmp_path / "bench.json"
        batch.write_text(json.dumps({"mode": "bench", "rules": rules, "data": data, "rounds": ROUNDS}))
        measured = json.loads(subprocess.run([node, str(NODE_BATCH), str(batch)], capture_output=True, text=True,
                                             check=True, timeout=600).stdout)
        assert [canonical(r) for r in measured["results"]] == [canonical(r) for r in results]
        table.append(("json-logic-js 2.0.5 on node " + subprocess.run(
            [node, "--version"], capture_output=True, text=True, check=True).stdout.strip(),
            measured["us_per_evaluation"]))
    else:
        print("\nnode is not installed: the json-logic-js column is skipped")

    print(f"\nJSON Logic, {len(rules)} rules × {len(data)} answer sets × {ROUNDS} rounds:")
    print("| evaluator | µs per evaluation |\n| --- | --- |")
    for name, micros in table:
        print(f"| {name} | {micros:.3f} |")
