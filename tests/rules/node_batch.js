// Evaluates a batch of JSON Logic rules with the vendored json-logic-js (and our operations from rules.js) in one
// node process, for the differential test and the benchmark. Usage: node node_batch.js BATCH.json
//
// BATCH: {"mode": "apply", "cases": [[rule, data], ...], "calendar": {...}?, "divisions": {...}?}
//          prints the results, tagged as tests/rules/js_side.py describes (NaN, Infinity, errors)
//        {"mode": "bench", "rules": [...], "data": [...], "rounds": N}
//          prints {"us_per_evaluation": ... (best of 3 timed runs), "results": [...one round's results...]}
"use strict";

const fs = require("fs");
const path = require("path");

const STATIC = path.join(__dirname, "..", "..", "site", "static");
globalThis.jsonLogic = require(path.join(STATIC, "vendor", "json-logic-js", "logic.js"));
require(path.join(STATIC, "js", "rules.js"));

const batch = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
if (batch.calendar) globalThis.TongbanRules.setCalendar(batch.calendar);
if (batch.divisions) globalThis.TongbanRules.setDivisions(batch.divisions);

function tagged(values) {
  return JSON.stringify(values, function (key, v) {
    if (typeof v === "number" && !isFinite(v)) return {"$number": String(v)};
    return v === undefined ? null : v;
  });
}

function evaluate(rule, data) {
  try {
    return jsonLogic.apply(rule, data);
  } catch (error) {
    return {"$error": true};
  }
}

if (batch.mode === "apply") {
  process.stdout.write(tagged(batch.cases.map(function (item) { return evaluate(item[0], item[1]); })));
} else if (batch.mode === "bench") {
  const rules = batch.rules, data = batch.data;
  const once = function () {
    const results = [];
    for (let d = 0; d < data.length; d++) {
      for (let r = 0; r < rules.length; r++) results.push(jsonLogic.apply(rules[r], data[d]));
    }
    return results;
  };
  const results = once();
  for (let warm = 0; warm < Math.max(1, batch.rounds >> 3); warm++) once(); // let the JIT settle
  let elapsed = Infinity; // microseconds, the best of three, as the Python side measures
  for (let repeat = 0; repeat < 3; repeat++) {
    const started = process.hrtime.bigint();
    for (let round = 0; round < batch.rounds; round++) once();
    elapsed = Math.min(elapsed, Number(process.hrtime.bigint() - started) / 1000);
  }
  const evaluations = batch.rounds * rules.length * data.length;
  process.stdout.write(tagged({us_per_evaluation: elapsed / evaluations, results: results}));
} else {
  throw new Error("unknown mode " + batch.mode);
}
