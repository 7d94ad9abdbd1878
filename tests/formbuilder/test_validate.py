"""Server validation of a submission: hidden fields dropped, rule-required fields enforced only under their rule,
computed values recomputed, cross-field checks, and Chinese messages with the field's label and JSON path."""

import pytest

from formbuilder.compile import compile_form
from formbuilder.validate import MESSAGES, validate_submission
from tests.formbuilder.samples import VALID_ID, agent_data, agent_form, benchmark_form


@pytest.fixture(scope="module")
def form():
    return compile_form(agent_form())


def errors(result):
    return [(e.path, e.label, e.message) for e in result.errors]


def test_a_complete_submission_is_valid_and_keeps_only_what_is_shown(form):
    result = validate_submission(form, agent_data())
    assert result.valid, errors(result)
    assert result.data["situation"] == {"agent": "no", "use": "job"}
    assert result.data["form"]["name"] == "张三"


def test_a_hidden_fields_value_is_dropped_and_not_checked(form):
    data = agent_data(form__agent_name="李四", form__agent_id="not an id", form__proxy_scan=["f2"],
                      form__mail_address="某地")
    result = validate_submission(form, data)
    assert result.valid, errors(result)
    assert {"agent_name", "agent_id", "proxy_scan", "mail_address"}.isdisjoint(result.data["form"])
    assert set(result.dropped) == {"$.form.agent_name", "$.form.agent_id", "$.form.proxy_scan",
                                   "$.form.mail_address"}


def test_the_agent_fields_and_the_proxy_upload_are_required_when_an_agent_applies(form):
    result = validate_submission(form, agent_data(situation__agent="yes"))
    assert errors(result) == [
        ("$.form.agent_name", "代办人姓名", "请填写代办人姓名"),
        ("$.form.agent_id", "代办人身份证号码", "请填写代办人身份证号码"),
        ("$.form.proxy_scan", "委托书", "请上传委托书"),
    ]
    complete = agent_data(situation__agent="yes", form__agent_name="李四", form__agent_id=VALID_ID,
                          form__proxy_scan=["f2"])
    assert validate_submission(form, complete).valid


def test_required_when_is_enforced_only_when_its_rule_holds(form):
    assert validate_submission(form, agent_data(situation__use="job")).valid
    result = validate_submission(form, agent_data(situation__use="other"))
    assert errors(result) == [("$.form.other_use", "其他用途说明", "请填写其他用途说明")]
    assert validate_submission(form, agent_data(situation__use="other", form__other_use="留学")).valid


def test_a_computed_value_is_recomputed_whatever_the_client_sends(form):
    result = validate_submission(form, agent_data(form__total=0.01))
    assert result.valid and result.data["form"]["total"] == 25.0  # 2 copies × 12.5
    # The check runs on the recomputed total, not on what was sent.
    result = validate_submission(form, agent_data(form__copies=5, form__fee=30, form__total=1))
    assert errors(result) == [("$.form.total", "合计", "合计金额不能超过100元")]


def test_cross_field_check_of_a_date_range(form):
    result = validate_submission(form, agent_data(form__period={"start": "2026-03-01", "end": "2026-01-31"}))
    assert errors(result) == [("$.form.period.end", "查询期间（结束日期）", "结束日期不能早于开始日期")]
    assert validate_submission(form, agent_data(form__period={"start": "2026-01-01", "end": "2026-01-31"})).valid


@pytest.mark.parametrize(("change", "expected"), [
    ({"form__name": ""}, ("$.form.name", "姓名", "请填写姓名")),
    ({"form__name": "张三3"}, ("$.form.name", "姓名", "姓名的格式不正确")),
    ({"form__id_number": VALID_ID[:-1] + "1"},
     ("$.form.id_number", "居民身份证号码", "居民身份证号码：请填写正确的18位居民身份证号码")),
    ({"form__mobile": 13812345678}, ("$.form.mobile", "手机号码", "手机号码应为文字")),
    ({"form__copies": 9}, ("$.form.copies", "份数", "份数不能大于5")),
    ({"form__copies": "2"}, ("$.form.copies", "份数", "份数应为数字")),
    ({"form__fee": 1.234}, ("$.form.fee", "单价", "单价：金额最多保留两位小数")),
    ({"form__mail": "maybe"}, ("$.form.mail", "是否邮寄", "是否邮寄只能选择：是、否")),
    ({"form__promise": False}, ("$.form.promise", "承诺书", "请阅读并勾选承诺书")),
    ({"form__id_scan": ["a", "b", "c"]}, ("$.form.id_scan", "身份证扫描件", "身份证扫描件最多上传2项")),
    ({"form__id_scan": ["a", "a"]}, ("$.form.id_scan", "身份证扫描件", "身份证扫描件中有重复的项")),
    ({"form__other_use": "很" * 101, "situation__use": "other"},
     ("$.form.other_use", "其他用途说明", "其他用途说明最多100个字")),
    ({"form__members": [{"member_name": "王五"}, {"member_id": VALID_ID}]},
     ("$.form.members[1].member_name", "同行人员（第2项）姓名", "请填写同行人员（第2项）姓名")),
    ({"form__members": [{"member_name": "王五", "age": 3}]},
     ("$.form.members[0].age", "age", "表单中没有字段「age」")),
    ({"form__members": [{}] * 4}, ("$.form.members", "同行人员", "同行人员最多填写3项")),
    ({"form__password": "x"}, ("$.form.password", "password", "表单中没有字段「password」")),
    ({"situation__agent": "perhaps"},
     ("$.situation.agent", "是否委托他人代办？", "是否委托他人代办？只能选择：是、否")),
])
def test_errors_are_chinese_with_the_fields_label_and_path(form, change, expected):
    result = validate_submission(form, agent_data(**change))
    assert expected in errors(result), errors(result)


def test_answers_are_trimmed_and_empty_answers_count_as_not_given(form):
    result = validate_submission(form, agent_data(form__name="  张三 ", form__period={"start": "", "end": ""}))
    assert result.valid and result.data["form"]["name"] == "张三" and "period" not in result.data["form"]


@pytest.mark.parametrize("data", [None, [], "x", 1, {"form": []}, {"situation": "yes"}, {"extra": 1}])
def test_data_of_the_wrong_shape_is_an_error_not_an_exception(form, data):
    result = validate_submission(form, data)
    assert not result.valid and all(e.message for e in result.errors)


def test_every_keyword_of_the_compiled_schemas_has_a_chinese_message():
    applicators = {"$schema", "title", "type", "properties", "items", "additionalProperties", "readOnly"}
    used = set()

    def walk(node):
        if isinstance(node, dict):
            used.update(node)
            for key, value in node.items():
                if key == "properties":
                    for child in value.values():
                        walk(child)
                elif isinstance(value, dict):
                    walk(value)

    for make in (agent_form, benchmark_form):
        walk(compile_form(make()).schema)
    assert used - applicators - set(MESSAGES) == set()
    assert {"type", "additionalProperties"} <= set(MESSAGES)
