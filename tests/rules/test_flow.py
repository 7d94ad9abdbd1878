"""rules.flow: check_flow on sound and broken flows, the seeded templates, and moving along a flow (next_steps with
guards and parallel branches, start_step, ends)."""

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.flow import FlowError, FlowGraph, check_flow, ends, longest_path, next_steps, start_step
from rules.models import FlowTemplate


def outcome(key, label, *nexts):
    return {"key": key, "label": label, "next": list(nexts)}


def step(key, name, outcomes, time_limit=None, **extra):
    return {"key": key, "name": name, "outcomes": outcomes, "time_limit": time_limit, **extra}


def licensing():
    return [
        step("apply", "申请", [outcome("submit", "提交申请", "accept")]),
        step("accept", "受理", [outcome("accept", "受理", "review"), outcome("correct", "补正", "apply"),
                               outcome("reject", "不予受理")], 1),
        step("review", "审查", [outcome("pass", "审查通过", "decide"), outcome("return", "退回", "accept")], 3),
        step("decide", "决定", [outcome("approve", "准予许可", "deliver"), outcome("deny", "不予许可")], 1),
        step("deliver", "送达", [outcome("done", "办结")], 1),
    ]


def parallel():
    return [
        step("apply", "申请", [outcome("submit", "提交申请", "accept")]),
        step("accept", "受理", [outcome("accept", "受理", "a", "b"), outcome("reject", "不予受理")], 1),
        step("a", "市监审查", [outcome("pass", "通过", "decide"), outcome("deny", "不予通过")], 3),
        step("b", "消防审查", [outcome("pass", "通过", "extra")], 2),
        step("extra", "消防复核", [outcome("pass", "通过", "decide")], 2),
        step("decide", "汇总决定", [outcome("approve", "准予", "deliver")], 1, join=True),
        step("deliver", "送达", [outcome("done", "办结")], 1),
    ]


def by_key(steps, key):
    return next(s for s in steps if s["key"] == key)


def test_a_sound_flow_with_returns_passes():
    assert check_flow(licensing(), promised_limit=6) == []
    assert check_flow(parallel(), promised_limit=20, variables=set()) == []
    assert check_flow([]) == []


def test_back_edges_are_the_returns():
    assert FlowGraph(licensing()).back_edges == {("accept", "apply"), ("review", "accept")}


def test_a_cycle_without_exit_is_refused_naming_its_steps():
    steps = licensing()
    by_key(steps, "review")["outcomes"] = [outcome("return", "退回", "accept")]
    by_key(steps, "accept")["outcomes"] = [outcome("accept", "受理", "review")]
    messages = check_flow(steps)
    assert any("「受理」" in m and "没有出口的循环" in m for m in messages), messages
    assert any("「审查」" in m and "没有出口的循环" in m for m in messages)


def test_an_unreachable_step_is_refused():
    steps = licensing()
    # 决定 and 送达 are reached only from each other: not from the start
    by_key(steps, "review")["outcomes"] = [outcome("pass", "审查通过"), outcome("return", "退回", "accept")]
    by_key(steps, "deliver")["outcomes"] = [outcome("done", "办结"), outcome("redo", "重新决定", "decide")]
    messages = check_flow(steps)
    assert "环节「决定」从起点「申请」无法到达" in messages
    assert "环节「送达」从起点「申请」无法到达" in messages


def test_a_second_start_is_refused():
    steps = licensing() + [step("orphan", "预审", [outcome("pass", "通过", "accept")])]
    assert check_flow(steps) == ["环节「预审」没有任何环节通向它：流程只能有一个起点（第一个环节「申请」）"]


def test_the_start_is_the_lowest_sort_order_not_the_list_order():
    steps = licensing()
    for order, s in enumerate(steps):
        s["sort_order"] = order
    steps.reverse()
    assert start_step(steps)["key"] == "apply"
    assert check_flow(steps) == []


def test_an_unknown_next_step_is_refused():
    steps = licensing()
    by_key(steps, "decide")["outcomes"][0]["next"] = ["certify"]
    assert check_flow(steps) == ["环节「决定」的办理结果「准予许可」指向不存在的环节「certify」"]


def test_duplicate_keys_and_missing_outcomes_are_refused():
    steps = licensing() + [step("review", "复审", [])]
    messages = check_flow(steps)
    assert "环节「复审」的标识「review」与环节「审查」重复" in messages
    assert any(m.startswith("环节「复审」没有办理结果") for m in messages)


def test_limits_over_the_promised_limit_are_refused_with_the_path():
    assert check_flow(licensing(), promised_limit=5) == [
        "沿「受理 → 审查 → 决定 → 送达」各环节的时限合计 6 个工作日，超过承诺办结时限 5 个工作日"
    ]


def test_parallel_branches_count_their_longest():
    days, path = longest_path(FlowGraph(parallel()))
    assert days == 1 + 4 + 1 + 1 and path == ["apply", "accept", "b", "extra", "decide", "deliver"]
    assert check_flow(parallel(), promised_limit=7) == []
    assert "合计 7 个工作日" in check_flow(parallel(), promised_limit=6)[0]


def test_parallel_branches_must_meet_at_a_join():
    steps = parallel()
    by_key(steps, "decide")["join"] = False
    messages = check_flow(steps)
    assert messages == ["环节「受理」的办理结果「受理」分出的并联分支在环节「汇总决定」交汇，请把它设为汇合环节"]


def test_branches_that_never_meet_are_refused():
    steps = parallel()
    by_key(steps, "extra")["outcomes"] = [outcome("done", "办结")]
    messages = check_flow(steps)
    assert "环节「受理」的办理结果「受理」分出的并联分支没有在汇合环节汇合" in messages
    assert "汇合环节「汇总决定」至少要有两条并联分支通向它" in messages


def test_a_join_reached_by_alternatives_only_is_refused():
    steps = licensing()
    steps.insert(3, step("expert", "专家评审", [outcome("pass", "通过", "decide")], 1))
    by_key(steps, "review")["outcomes"].append(outcome("expert", "需专家评审", "expert"))
    by_key(steps, "decide")["join"] = True
    messages = check_flow(steps)
    assert messages == ["环节「决定」设为汇合，但没有并联分支在此汇合：只由选择性结果到达的汇合会一直等待"]


def test_branches_sharing_a_step_before_the_join_are_refused():
    steps = parallel()
    by_key(steps, "a")["outcomes"] = [outcome("pass", "通过", "extra")]
    messages = check_flow(steps)
    assert any("共用了环节「消防复核」" in m for m in messages), messages


def test_guards_are_checked_with_the_vocabulary():
    steps = licensing()
    by_key(steps, "review")["guard"] = {"==": [{"var": "situation.nobody"}, "yes"]}
    (message,) = check_flow(steps, variables={"situation.agent"})
    assert message.startswith("环节「审查」的适用条件有误：") and "situation.nobody" in message
    by_key(steps, "review")["guard"] = {"eval": ["1"]}
    (message,) = check_flow(steps)
    assert "eval" in message
    by_key(steps, "review")["guard"] = {"==": [{"var": "situation.agent"}, "yes"]}
    assert check_flow(steps, variables={"situation.agent"}) == []
    by_key(steps, "apply")["guard"] = {"==": [{"var": "situation.agent"}, "yes"]}
    assert check_flow(steps, variables={"situation.agent"}) == ["第一个环节「申请」是流程的起点，不能设适用条件"]


@pytest.mark.django_db
def test_the_seeded_templates_pass():
    names = set(FlowTemplate.objects.values_list("name", flat=True))
    assert {"行政许可", "行政许可（并联审批）", "行政确认", "公共服务"} <= names
    for template in FlowTemplate.objects.all():
        assert check_flow(template.steps, variables=set()) == [], template.name
    licensing_template = FlowTemplate.objects.get(name="行政许可")
    assert [s["name"] for s in licensing_template.steps] == ["申请", "受理", "审查", "决定", "制证", "送达"]
    labels = {o["label"] for s in licensing_template.steps for o in s["outcomes"]}
    assert {"不予受理", "补正", "不予许可"} <= labels
    parallel_template = FlowTemplate.objects.get(name="行政许可（并联审批）")
    assert any(s.get("join") for s in parallel_template.steps)
    stages = {"accept", "review", "decide", "deliver", "supervise", "other", ""}
    assert all(s["stage"] in stages for t in FlowTemplate.objects.all() for s in t.steps)


def test_next_steps_follows_outcomes_and_parallel_branches():
    steps = parallel()
    assert start_step(steps)["key"] == "apply"
    assert [s["key"] for s in next_steps(steps, "accept", "accept")] == ["a", "b"]
    assert next_steps(steps, "accept", "reject") == []
    assert [s["key"] for s in next_steps(steps, "a", "pass")] == ["decide"]
    assert {(s["key"], o["key"]) for s, o in ends(steps)} == {("accept", "reject"), ("a", "deny"),
                                                             ("deliver", "done")}


def test_next_steps_passes_over_a_step_whose_guard_does_not_hold():
    steps = parallel()
    by_key(steps, "b")["guard"] = {"==": [{"var": "situation.fire"}, "yes"]}
    with_fire = next_steps(steps, "accept", "accept", {"situation": {"fire": "yes"}})
    assert [s["key"] for s in with_fire] == ["a", "b"]
    # Skipped: as if 消防审查 had ended with its first outcome, so the flow goes on to 消防复核.
    without = next_steps(steps, "accept", "accept", {"situation": {"fire": "no"}})
    assert [s["key"] for s in without] == ["a", "extra"]
    # JSON Logic truthiness, not Python's: an empty list is false, "0" is true.
    by_key(steps, "b")["guard"] = {"var": "situation.fire"}
    assert [s["key"] for s in next_steps(steps, "accept", "accept", {"situation": {"fire": []}})] == ["a", "extra"]
    assert [s["key"] for s in next_steps(steps, "accept", "accept", {"situation": {"fire": "0"}})] == ["a", "b"]


def test_next_steps_refuses_unknown_steps_and_outcomes():
    with pytest.raises(FlowError, match="没有环节「nowhere」"):
        next_steps(licensing(), "nowhere", "pass")
    with pytest.raises(FlowError, match="环节「审查」没有办理结果「maybe」"):
        next_steps(licensing(), "review", "maybe")


KEYS = ["s0", "s1", "s2", "s3", "s4", "s5"]


@st.composite
def random_flows(draw):
    count = draw(st.integers(1, len(KEYS)))
    keys = KEYS[:count]
    steps = []
    for index, key in enumerate(keys):
        outcomes = [
            outcome(f"o{n}", f"结果{n}", *draw(st.lists(st.sampled_from([*keys, "ghost"]), max_size=3)))
            for n in range(draw(st.integers(0, 3)))
        ]
        steps.append(step(key, f"环节{index}", outcomes, draw(st.none() | st.integers(0, 9)),
                          join=draw(st.booleans())))
    return steps


@settings(max_examples=200, deadline=None)
@given(random_flows(), st.none() | st.integers(0, 30))
def test_check_flow_answers_every_flow_with_messages(steps, limit):
    original = copy.deepcopy(steps)
    messages = check_flow(steps, promised_limit=limit)
    assert all(isinstance(m, str) and m for m in messages)
    assert steps == original  # checking changes nothing
    if not messages:
        # a sound flow: every step reachable, every step can end, within the limit
        graph = FlowGraph(steps)
        assert graph.reachable([graph.start]) == set(graph.by_key)
        assert ends(steps)
        if limit is not None:
            assert longest_path(graph)[0] <= limit
