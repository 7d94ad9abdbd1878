"""formbuilder.checker against jsonschema: random data (Hypothesis) through both, on the compiled schemas of the
sample forms; every error the same (path, keyword). And validate_submission reports on the cleaned data exactly
what the compiled schema does."""

import re

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formbuilder import checker, formats
from formbuilder.compile import compile_form
from formbuilder.validate import json_path, validate_submission
from tests.formbuilder.samples import VALID_ID, agent_data, agent_form, benchmark_form

FORMS = {"agent": compile_form(agent_form()), "benchmark": compile_form(benchmark_form())}
VALIDATORS = {name: jsonschema.Draft202012Validator(form.schema, format_checker=formats.format_checker())
              for name, form in FORMS.items()}
_REQUIRED = re.compile(r"^'(.*)' is a required property$")


def jsonschema_errors(name, instance):
    found = set()
    for error in VALIDATORS[name].iter_errors(instance):
        path = tuple(error.absolute_path)
        if error.validator == "required":
            found.add((path, "required", _REQUIRED.match(error.message).group(1)))
        elif error.validator == "additionalProperties":
            found.add((path, "additionalProperties", None))
        else:
            found.add((path, error.validator, None))
    return found


def ours(name, instance):
    return {(path, keyword, detail if keyword == "required" else None)
            for path, keyword, detail in FORMS[name].check_schema(instance)}


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 2000), st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([1.0, 2.5, 12.345, 0.1, "", " ", "yes", "no", "a", "x", "m", VALID_ID, "13812345678",
                     "91110000600037341L", "511602", "638000", "2026-01-31", "2026-02-30", "a@example.cn",
                     "0826-2222222", "张三", "张三3", "<script>", "f1", "é" * 60]),
    st.text(max_size=30),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["start", "end", "member_name", "member_id", "zz"]), inner, max_size=3)),
    max_leaves=8)


def submissions(form):
    keys = sorted(form.keys["form"]) + ["unknown"]
    questions = sorted(form.keys["situation"])
    return st.fixed_dictionaries({
        "situation": st.dictionaries(st.sampled_from(questions), values, max_size=len(questions)),
        "form": st.dictionaries(st.sampled_from(keys), values, max_size=12),
    })


@pytest.mark.parametrize("name", list(FORMS))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_checker_reports_what_jsonschema_reports(name, data):
    instance = data.draw(st.one_of(submissions(FORMS[name]), values))
    assert ours(name, instance) == jsonschema_errors(name, instance)


def test_the_checker_refuses_keywords_it_does_not_implement():
    with pytest.raises(checker.UnsupportedSchema):
        checker.compile_schema({"type": "object", "if": {"type": "string"}})
    with pytest.raises(checker.UnsupportedSchema):
        checker.compile_schema({"type": "string", "format": "uri"})


@pytest.mark.parametrize("name", list(FORMS))
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_validation_reports_on_the_cleaned_data_what_the_schema_does(name, data):
    form = FORMS[name]
    result = validate_submission(form, data.draw(submissions(form)))
    from_schema = set()
    for path, keyword, detail in form.check_schema(result.data):
        if keyword == "required":
            from_schema.add((json_path((*path, detail)), keyword))
        elif keyword == "additionalProperties":  # reported once per unexpected key, at the key
            from_schema.update((json_path((*path, key)), keyword) for key in detail)
        else:
            from_schema.add((json_path(path), keyword))
    reported = {(e.path, e.keyword) for e in result.errors}
    assert from_schema <= reported


def test_a_sample_submission_is_valid_on_both_sides():
    data = validate_submission(FORMS["agent"], agent_data()).data
    assert ours("agent", data) == jsonschema_errors("agent", data) == set()
