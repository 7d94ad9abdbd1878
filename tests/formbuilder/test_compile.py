"""Compiling a form definition: a JSON Schema 2020-12 document valid against the meta-schema, with our formats,
a UI description and the rules in JSON Logic; problems reported in Chinese where they are."""

import jsonschema
import pytest

from formbuilder import formats
from formbuilder.service import FormDefinitionError, compile_form
from tests.formbuilder.samples import (
    VALID_CREDIT_CODE,
    VALID_ID,
    agent_form,
    benchmark_form,
    block,
    source,
    step,
)


@pytest.mark.parametrize("make", [agent_form, benchmark_form])
def test_the_schema_is_valid_against_the_2020_12_meta_schema(make):
    schema = compile_form(make()).schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft202012Validator


def test_chinese_codes_have_our_formats_and_jsonschema_checks_them_with_catalogs_validators():
    form = compile_form(source([step("s", "申请人",
                                     block("id_number", key="id_number", label="身份证"),
                                     block("credit_code", key="code", label="信用代码"),
                                     block("mobile", key="mobile", label="手机"),
                                     block("division", key="division", label="区划"),
                                     block("postcode", key="postcode", label="邮编"),
                                     block("amount", key="fee", label="金额"))]))
    properties = form.schema["properties"]["form"]["properties"]
    assert {key: properties[key]["format"] for key in ("id_number", "code", "mobile", "division", "postcode", "fee")} \
        == {"id_number": "cn-resident-id", "code": "cn-credit-code", "mobile": "cn-mobile",
            "division": "cn-division-code", "postcode": "cn-postcode", "fee": "cn-amount"}
    validator = jsonschema.Draft202012Validator(form.schema, format_checker=formats.format_checker())
    good = {"id_number": VALID_ID, "code": VALID_CREDIT_CODE, "mobile": "13812345678", "division": "511602",
            "postcode": "638000", "fee": 12.5}
    assert validator.is_valid({"form": good})
    for key, bad in (("id_number", VALID_ID[:-1] + "1"), ("code", VALID_CREDIT_CODE[:-1] + "0"),
                     ("mobile", "12812345678"), ("division", "999999"), ("postcode", "63800"), ("fee", 1.005)):
        errors = list(validator.iter_errors({"form": {**good, key: bad}}))
        assert [(e.validator, list(e.path)) for e in errors] == [("format", ["form", key])], key


def test_the_situation_questions_are_the_first_step_and_an_upload_follows_its_materials_rule():
    compiled = compile_form(agent_form())
    steps = compiled.ui["steps"]
    assert [s["key"] for s in steps] == ["situation", "applicant", "details"]
    assert [f["path"] for f in steps[0]["fields"]] == ["situation.agent", "situation.use"]
    assert steps[0]["fields"][0]["options"] == [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]
    rules = {r["path"]: r for r in compiled.rules["fields"]}
    # The same rule as the material's required_when: one rule set for the checklist and the form.
    assert rules["form.proxy_scan"]["visible_when"] == {"==": [{"var": "situation.agent"}, "yes"]}
    assert "form.id_scan" not in rules  # 居民身份证 is required in every situation
    # A readable rule over a question and over a choice field of the form.
    assert rules["form.agent_name"]["visible_when"] == {"==": [{"var": "situation.agent"}, "yes"]}
    assert rules["form.mail_address"]["visible_when"] == {"==": [{"var": "form.mail"}, "yes"]}
    assert rules["form.total"]["value"] == {"*": [{"var": "form.copies"}, {"var": "form.fee"}]}
    assert compiled.rules["checks"][0]["message"] == "合计金额不能超过100元"


def test_the_ui_describes_widgets_labels_options_and_help_for_rendering():
    ui = compile_form(agent_form()).ui
    fields = {f["key"]: f for s in ui["steps"] for f in s["fields"]}
    assert fields["mobile"]["widget"] == "tel" and fields["mobile"]["inputmode"] == "tel"
    assert fields["agent_group"]["widget"] == "group"
    assert [f["key"] for f in fields["agent_group"]["fields"]] == ["agent_name", "agent_id"]
    assert fields["members"]["widget"] == "repeat" and fields["members"]["max_count"] == 3
    assert fields["members"]["fields"][0]["path"] == "form.members[*].member_name"
    assert fields["total"]["readonly"] is True
    assert fields["id_scan"]["widget"] == "file" and fields["id_scan"]["max_files"] == 2
    assert fields["promise"]["text"] == "本人承诺所填信息真实。" and fields["promise"]["required"] is True


@pytest.mark.parametrize(("field", "message"), [
    (block("text", key="x", label="X", visible_when="没有的问题=是"), "没有问题「没有的问题」"),
    (block("text", key="x", label="X", visible_when='{"==": [{"var": "form.later"}, 1]}'),
     "未知的变量「form.later」"),
    (block("text", key="x", label="X", visible_when='{"eval": ["1"]}'), "未知的运算「eval」"),
    (block("text", key="x", label="X", required_when="是否委托他人代办？=也许"), "没有选项「也许」"),
    (block("text", key="x", label="X", pattern="(unclosed"), "格式（正则表达式）写法有误"),
    (block("upload", key="x", label="X", material="营业执照"), "没有名为「营业执照」的申请材料"),
    (block("radio", key="x", label="X", options="a\na"), "选项的值重复"),
])
def test_a_definition_that_does_not_compile_names_the_problem_where_it_is(field, message):
    definition = agent_form()
    definition["steps"][0]["value"]["fields"].insert(0, field)
    with pytest.raises(FormDefinitionError) as raised:
        compile_form(definition)
    (problem,) = raised.value.problems
    assert message in problem.message
    assert problem.location[:4] == ("steps", 0, "fields", 0)


def test_duplicate_keys_are_refused():
    definition = source([step("s", "一", block("text", key="x", label="X"), block("text", key="x", label="Y"))])
    with pytest.raises(FormDefinitionError, match="字段标识「x」重复"):
        compile_form(definition)


def test_without_strict_a_broken_rule_counts_as_holding():
    definition = source([step("s", "一", block("text", key="x", label="X", required=True,
                                              visible_when="没有的问题=是"))])
    compiled = compile_form(definition, strict=False)
    assert compiled.problems and compiled.fields[0].visible is None
