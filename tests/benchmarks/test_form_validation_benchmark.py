"""`make bench`: server validation of a 40-field, 3-step submission with 10 rules (issue 15; goal: at least 10,000
validations a second on one core, rules included; docs/benchmarks.md).

Side by side in one run, on the same 2,000 submissions (most valid; a tenth with a wrong mobile number, some with
a value for a hidden field): ours (formbuilder.validate_submission: normalising, the rules through rules.logic,
the schema's keywords through formbuilder.checker), plain jsonschema (Draft202012Validator with our formats) on the
compiled schema alone, and jsonschema-rs on it (formats as Python callbacks). The two schema-only validators get
the cleaned data, which is what the schema describes. Figures are CPU time of this process (time.process_time), so
that other work on the machine does not count; what is asserted is that the three agree and that ours is faster
than plain jsonschema."""

import os
import time

import jsonschema
import jsonschema_rs

from formbuilder import formats
from formbuilder.service import compile_form, validate_submission
from tests.formbuilder.samples import benchmark_form, benchmark_submissions

COUNT = int(os.environ.get("BENCH_FORM_SUBMISSIONS", "2000"))
ROUNDS = int(os.environ.get("BENCH_FORM_ROUNDS", "5"))


def per_second(function, items, rounds) -> float:
    best = 0.0
    for _ in range(rounds):
        began = time.process_time()
        for item in items:
            function(item)
        best = max(best, len(items) / (time.process_time() - began))
    return best


def test_form_validation_throughput():
    form = compile_form(benchmark_form())
    fields = sum(len(s["fields"]) for s in form.ui["steps"])
    rules = len(form.rules["fields"]) + len(form.rules["checks"])
    assert (fields, len(form.ui["steps"]), rules) == (40, 3, 10)
    submissions = benchmark_submissions(COUNT)
    results = [validate_submission(form, s) for s in submissions]
    cleaned = [r.data for r in results]

    plain = jsonschema.Draft202012Validator(form.schema, format_checker=formats.format_checker())
    rust = jsonschema_rs.validator_for(
        form.schema, validate_formats=True,
        formats={name: (lambda value, name=name: formats.conforms(name, value)) for name in formats.FORMATS})
    # The three agree on every submission (the rules' errors are ours alone: none of these has one).
    for result, data in zip(results, cleaned, strict=True):
        assert result.valid == plain.is_valid(data) == rust.is_valid(data)
    assert 0.5 < sum(r.valid for r in results) / len(results) < 1

    ours = per_second(lambda s: validate_submission(form, s), submissions, ROUNDS)
    schema_only = per_second(form.check_schema, cleaned, ROUNDS)
    with_jsonschema = per_second(plain.is_valid, cleaned[: COUNT // 4], 2)
    with_errors = per_second(lambda d: list(plain.iter_errors(d)), cleaned[: COUNT // 4], 2)
    with_rust = per_second(rust.is_valid, cleaned, ROUNDS)
    print(f"\nform validation, {COUNT:,} submissions, 40 fields, 3 steps, 10 rules (validations/s, CPU time):\n"
          f"  ours, schema and rules (validate_submission) {ours:>9,.0f}\n"
          f"  ours, schema alone (formbuilder.checker)     {schema_only:>9,.0f}\n"
          f"  jsonschema is_valid, schema alone            {with_jsonschema:>9,.0f}\n"
          f"  jsonschema iter_errors, schema alone         {with_errors:>9,.0f}\n"
          f"  jsonschema-rs is_valid, schema alone         {with_rust:>9,.0f}")
    assert ours > with_jsonschema
