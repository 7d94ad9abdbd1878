"""The readable rule syntax: its JSON Logic shapes, punctuation variants, errors, and render → parse round trips."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import logic
from rules.syntax import MAX_LENGTH, MAX_NESTING, RuleSyntaxError, parse, render

AGENT = {"key": "agent", "text": "委托代办", "kind": "single",
         "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]}
APPLICANT = {"key": "applicant_type", "text": "申请人类型", "kind": "single",
             "options": [{"value": "企业", "label": "企业"}, {"value": "个体户", "label": "个体户"}]}
USES = {"key": "uses", "text": "用途（可多选）", "kind": "multiple",
        "options": [{"value": "abroad", "label": "出国"}, {"value": "study", "label": "就业或入学"}]}
QUESTIONS = [AGENT, APPLICANT, USES]

AGENT_YES = {"==": [{"var": "situation.agent"}, "yes"]}
COMPANY_OR_SOLE = {"in": [{"var": "situation.applicant_type"}, ["企业", "个体户"]]}
STUDY = {"some": [{"var": "situation.uses"}, {"in": [{"var": ""}, ["study"]]}]}


@pytest.mark.parametrize(("text", "rule"), [
    ("委托代办=是", AGENT_YES),
    ("申请人类型=企业,个体户", COMPANY_OR_SOLE),
    ("申请人类型=企业", {"==": [{"var": "situation.applicant_type"}, "企业"]}),
    ("用途（可多选）=就业或入学", STUDY),
    ("用途（可多选）=出国、就业或入学",
     {"some": [{"var": "situation.uses"}, {"in": [{"var": ""}, ["abroad", "study"]]}]}),
    ("委托代办≠是", {"!": AGENT_YES}),
    ("委托代办!=是", {"!": AGENT_YES}),
    ("委托代办=是 且 申请人类型=企业,个体户", {"and": [AGENT_YES, COMPANY_OR_SOLE]}),
    # 且 binds tighter than 或
    ("委托代办=是 或 申请人类型=企业,个体户 且 用途（可多选）=就业或入学",
     {"or": [AGENT_YES, {"and": [COMPANY_OR_SOLE, STUDY]}]}),
    ("(委托代办=是 或 申请人类型=企业,个体户) 且 用途（可多选）=就业或入学",
     {"and": [{"or": [AGENT_YES, COMPANY_OR_SOLE]}, STUDY]}),
    # flattened, and no list of one
    ("委托代办=是 且 (申请人类型=企业,个体户 且 用途（可多选）=就业或入学)",
     {"and": [AGENT_YES, COMPANY_OR_SOLE, STUDY]}),
    ("((委托代办=是))", AGENT_YES),
    # a repeated option counts once
    ("申请人类型=企业,个体户,企业", COMPANY_OR_SOLE),
])
def test_parse_writes_the_rule_builders_shapes(text, rule):
    assert parse(text, QUESTIONS) == rule


@pytest.mark.parametrize("text", [
    "委托代办=是 且 申请人类型=企业,个体户",
    "委托代办＝是且申请人类型＝企业，个体户",
    "委托代办 = 是　且　申请人类型 = 企业、个体户",
    "agent=yes 且 applicant_type=企业,个体户",  # keys and values
    "agent=是 且 申请人类型=企业、个体户",  # mixed
    "（委托代办=是）且（申请人类型=企业、个体户）",
    " 委托代办=是\n且\t申请人类型=企业 , 个体户 ",
])
def test_punctuation_spaces_keys_and_values_are_all_accepted(text):
    assert parse(text, QUESTIONS) == {"and": [AGENT_YES, COMPANY_OR_SOLE]}


def test_not_equal_written_full_width():
    assert parse("委托代办！＝是", QUESTIONS) == parse("委托代办≠是", QUESTIONS) == {"!": AGENT_YES}


def test_names_may_contain_the_syntaxs_own_words_and_brackets():
    questions = [
        {"key": "foreign", "text": "是否有外资或港澳台资", "kind": "single",
         "options": [{"value": "是", "label": "是"}, {"value": "否", "label": "否"}]},
        {"key": "seal", "text": "是否需要刻章（含电子印章）", "kind": "single",
         "options": [{"value": "是且加急", "label": "是且加急"}, {"value": "是", "label": "是"}]},
    ]
    rule = parse("是否有外资或港澳台资=是 或 是否需要刻章（含电子印章）=是且加急 且 seal≠是", questions)
    assert rule == {"or": [
        {"==": [{"var": "situation.foreign"}, "是"]},
        {"and": [{"==": [{"var": "situation.seal"}, "是且加急"]}, {"!": {"==": [{"var": "situation.seal"}, "是"]}}]},
    ]}
    assert parse(render(rule, questions), questions) == rule


def test_the_longer_question_text_wins():
    questions = [{"key": "a", "text": "申请人", "options": [{"value": "x", "label": "甲"}]},
                 {"key": "b", "text": "申请人类型", "options": [{"value": "y", "label": "乙"}]}]
    assert parse("申请人类型=乙", questions) == {"==": [{"var": "situation.b"}, "y"]}
    assert parse("申请人=甲", questions) == {"==": [{"var": "situation.a"}, "x"]}


def test_json_text_is_taken_back_and_checked():
    rule = {"and": [AGENT_YES, {"==": [{"var": "applicant.type"}, "company"]}]}
    assert parse(json.dumps(rule, ensure_ascii=False), QUESTIONS) == rule
    assert parse("  " + json.dumps(rule), QUESTIONS) == rule
    with pytest.raises(RuleSyntaxError, match="situation.nobody"):
        parse('{"==": [{"var": "situation.nobody"}, "yes"]}', QUESTIONS)
    with pytest.raises(RuleSyntaxError, match="未知的运算「eval」"):
        parse('{"eval": ["1"]}', QUESTIONS)
    with pytest.raises(RuleSyntaxError, match="JSON 写法有误（第2个字符处）") as error:
        parse("{bad", QUESTIONS)
    assert error.value.position == 2


def test_json_text_must_be_an_operation():
    for text in ("{}", '{"a": 1, "b": 2}'):
        with pytest.raises(RuleSyntaxError, match="须是一个运算"):
            parse(text, QUESTIONS)


@pytest.mark.parametrize(("text", "message", "position"), [
    ("申请人类型=外企", "「申请人类型」没有选项「外企」，可选：企业、个体户（第7个字符处）", 7),
    ("申请人类型=企业,外企", "「申请人类型」没有选项「外企」，可选：企业、个体户（第10个字符处）", 10),
    ("委托=是", "没有问题「委托」（第1个字符处）；本事项的问题：委托代办、申请人类型、用途（可多选）", 1),
    ("委托代办=是 且 代办人=本人", "没有问题「代办人」（第10个字符处）", 10),
    ("委托代办=", "规则末尾缺少「委托代办」的选项，可选：是、否", 6),
    ("委托代办=,是", "第6个字符处缺少「委托代办」的选项", 6),
    ("(委托代办=是", "第1个字符处的左括号“（”没有对应的右括号“）”", 1),
    ("委托代办=是)", "第7个字符处多了一个右括号“）”", 7),
    ("委托代办=是 且", "规则末尾缺少条件", 9),
    ("且 委托代办=是", "第1个字符处缺少条件", 1),
    ("委托代办=是 委托代办=否", "第8个字符处应为“、”“且”“或”或“）”，实为「委托代办=否」", 8),
    ("委托代办", "第1个字符处应为条件（写作“问题=选项”），实为「委托代办」", 1),
    ("()", "第2个字符处缺少条件", 2),
])
def test_errors_name_the_unknown_thing_and_where(text, message, position):
    with pytest.raises(RuleSyntaxError) as error:
        parse(text, QUESTIONS)
    assert message in error.value.message
    assert error.value.position == position
    assert str(error.value) == error.value.message


def test_an_empty_too_long_or_too_deep_text_is_refused():
    for text in ("", "  \u3000 "):
        with pytest.raises(RuleSyntaxError, match="规则是空的"):
            parse(text, QUESTIONS)
    with pytest.raises(RuleSyntaxError, match=f"最多{MAX_LENGTH}个"):
        parse(" 或 ".join(["委托代办=是"] * 300), QUESTIONS)
    deep = "(" * (MAX_NESTING + 1) + "委托代办=是" + ")" * (MAX_NESTING + 1)
    with pytest.raises(RuleSyntaxError, match=f"括号嵌套超过{MAX_NESTING}层"):
        parse(deep, QUESTIONS)
    assert parse("(" * MAX_NESTING + "委托代办=是" + ")" * MAX_NESTING, QUESTIONS) == AGENT_YES


def test_no_questions_no_conditions():
    with pytest.raises(RuleSyntaxError, match="本事项没有情形问题"):
        parse("委托代办=是", [])


@pytest.mark.parametrize("rule", [
    {"==": [{"var": "applicant.type"}, "company"]},  # not a situation
    {"==": [{"var": "situation.agent"}, "maybe"]},  # not one of its options
    {"==": [{"var": "situation.nobody"}, "yes"]},
    {"in": [{"var": "situation.applicant_type"}, ["企业"]]},  # the builder writes == for one option
    {"==": [{"var": "situation.uses"}, "study"]},  # a multiple choice is compared with some
    {"and": [AGENT_YES]},  # a list of one
    {"and": [AGENT_YES, {"and": [COMPANY_OR_SOLE, STUDY]}]},  # not flattened
    {"!": [AGENT_YES]},
    {"!": {"and": [AGENT_YES, STUDY]}},  # no syntax for a negated group
    {"in": [{"var": "situation.applicant_type"}, ["企业", "企业"]]},
    {">": [{"var": "applicant.age"}, 60]},
    {},
])
def test_render_says_none_where_there_is_no_readable_form(rule):
    assert render(rule, QUESTIONS) is None


def test_render_writes_texts_and_labels_and_puts_or_in_parentheses():
    rule = {"and": [{"or": [AGENT_YES, {"!": COMPANY_OR_SOLE}]}, STUDY]}
    assert render(rule, QUESTIONS) == "（委托代办=是 或 申请人类型≠企业、个体户） 且 用途（可多选）=就业或入学"
    assert render({"or": [AGENT_YES, {"and": [COMPANY_OR_SOLE, STUDY]}]}, QUESTIONS) == (
        "委托代办=是 或 申请人类型=企业、个体户 且 用途（可多选）=就业或入学")


def test_render_falls_back_to_keys_and_values_when_names_read_ambiguously():
    # Two options with one label: the label cannot say which; the value can.
    questions = [{"key": "size", "text": "规模",
                  "options": [{"value": "s", "label": "小"}, {"value": "xs", "label": "小"}]}]
    rule = {"==": [{"var": "situation.size"}, "xs"]}
    assert render(rule, questions) == "size=xs"
    assert parse("size=xs", questions) == rule


def test_questions_may_be_model_instances():
    from rules.models import SituationQuestion

    question = SituationQuestion(key="agent", text="委托代办", kind="single", options=AGENT["options"])
    assert parse("委托代办=否", [question]) == {"==": [{"var": "situation.agent"}, "no"]}
    assert render({"==": [{"var": "situation.agent"}, "no"]}, [question]) == "委托代办=否"


def test_parsed_rules_are_valid_and_evaluate_as_meant():
    rule = parse("委托代办=是 且 申请人类型≠个体户 或 用途（可多选）=出国", QUESTIONS)
    logic.validate(rule, {"situation.agent", "situation.applicant_type", "situation.uses"})
    assert logic.apply(rule, {"situation": {"agent": "yes", "applicant_type": "企业", "uses": []}}) is True
    assert logic.apply(rule, {"situation": {"agent": "yes", "applicant_type": "个体户", "uses": ["study"]}}) is False
    assert logic.apply(rule, {"situation": {"agent": "no", "applicant_type": "个体户", "uses": ["abroad"]}}) is True


# --- round trips ------------------------------------------------------------------------------------------------

CLEAN = "甲乙丙丁戊己庚辛壬癸是否企业个体户申请人类型委托代办用途年龄段婚姻状况"
# The syntax's own words and brackets inside names: render may find no readable form, but never a wrong one.
STRESS = CLEAN + "且或（）()"
KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


@st.composite
def question_sets(draw, alphabet=CLEAN):
    count = draw(st.integers(1, 5))
    keys = draw(st.lists(KEYS, min_size=count, max_size=count, unique=True))
    texts = draw(st.lists(st.text(alphabet, min_size=1, max_size=8), min_size=count, max_size=count, unique=True))
    questions = []
    for key, text in zip(keys, texts, strict=True):
        labels = draw(st.lists(st.text(alphabet, min_size=1, max_size=5), min_size=1, max_size=5, unique=True))
        labelled = draw(st.booleans())  # values are the labels, or ASCII codes of their own
        values = [f"v{i}" for i in range(len(labels))] if labelled else labels
        questions.append({"key": key, "text": text, "kind": draw(st.sampled_from(["single", "multiple"])),
                          "options": [{"value": v, "label": lab} for v, lab in zip(values, labels, strict=True)]})
    return questions


def _flat(op, terms):
    flat = []
    for term in terms:
        flat.extend(term[op] if op in term else [term])
    return {op: flat}


@st.composite
def rules_over(draw, questions):
    def leaf():
        question = draw(st.sampled_from(questions))
        values = [o["value"] for o in question["options"]]
        chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=len(values), unique=True))
        variable = {"var": f"situation.{question['key']}"}
        if question["kind"] == "multiple":
            rule = {"some": [variable, {"in": [{"var": ""}, chosen]}]}
        elif len(chosen) == 1:
            rule = {"==": [variable, chosen[0]]}
        else:
            rule = {"in": [variable, chosen]}
        return {"!": rule} if draw(st.booleans()) else rule

    def tree(depth):
        if depth == 0 or draw(st.integers(0, 2)) == 0:
            return leaf()
        op = draw(st.sampled_from(["and", "or"]))
        return _flat(op, [tree(depth - 1) for _ in range(draw(st.integers(2, 3)))])

    return tree(3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_rules_render_then_parse_back_to_the_same_rule(data):
    questions = data.draw(question_sets())
    rule = data.draw(rules_over(questions))
    text = render(rule, questions)
    assert text is not None, rule
    assert parse(text, questions) == rule
    # The same text in full-width punctuation and without spaces reads the same.
    variant = text.replace("=", "＝").replace("≠", "！＝").replace("、", "，").replace(" ", "")
    assert parse(variant, questions) == rule


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_render_is_never_wrong_even_with_brackets_and_conjunctions_in_names(data):
    questions = data.draw(question_sets(STRESS))
    rule = data.draw(rules_over(questions))
    text = render(rule, questions)
    if text is not None:
        assert parse(text, questions) == rule
