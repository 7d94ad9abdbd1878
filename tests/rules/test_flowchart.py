"""rules.flowchart: the SVG is well-formed XML, shows every step, department, time limit and outcome, draws
parallel branches side by side and returns dashed, and escapes hostile names."""

import xml.etree.ElementTree as ET

from hypothesis import given, settings

from rules.flowchart import flow_svg
from tests.rules.test_flow import licensing, outcome, parallel, random_flows, step

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    return ET.fromstring(svg)


def texts(root):
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def boxes(root):
    """Step boxes by name: (x, y) of their rectangles."""
    found = {}
    for group in root.iter(f"{SVG}g"):
        title, rect = group.find(f"{SVG}title"), group.find(f"{SVG}rect")
        if title is not None and rect is not None:
            found[title.text] = (float(rect.get("x")), float(rect.get("y")))
    return found


def test_every_step_name_department_limit_and_outcome_label_is_drawn():
    steps = licensing()
    steps[2]["actor_department"] = 7
    root = parse(flow_svg(steps, {7: "区市场监督管理局"}, "区行政审批局"))
    assert root.tag == f"{SVG}svg" and root.get("viewBox").startswith("0 0 ")
    shown = texts(root)
    for s in steps:
        assert s["name"] in shown
        for o in s["outcomes"]:
            assert o["label"] in shown
    assert "区行政审批局 · 1个工作日" in shown
    assert "区市场监督管理局 · 3个工作日" in shown  # 审查 is done by another department
    assert "Noto Sans CJK SC" in root.get("font-family")
    assert shown.count("结束") == 3 and shown.count("开始") == 1  # the ends: 不予受理, 不予许可, 办结

def test_ends_are_rounded_terminals_and_returns_are_dashed():
    root = parse(flow_svg(licensing(), {}, "区行政审批局"))
    terminals = [r for r in root.iter(f"{SVG}rect") if float(r.get("rx", 0)) >= 10]
    assert len(terminals) == 1 + 3  # 开始, and the ends 不予受理, 不予许可, 办结
    dashed = [p for p in root.iter(f"{SVG}path") if p.get("stroke-dasharray")]
    assert len(dashed) == 2  # 补正 → 申请, 退回 → 受理
    assert all(p.get("marker-end") == "url(#arrow-back)" for p in dashed)


def test_parallel_branches_stand_side_by_side():
    found = boxes(parse(flow_svg(parallel(), {}, "区行政审批局")))
    (ax, ay), (bx, by) = found["市监审查"], found["消防审查"]
    assert ay == by and ax != bx  # one layer, two columns
    assert found["汇总决定"][1] > found["消防复核"][1] > by  # the join below the longer branch


def test_hostile_names_come_out_as_text():
    hostile = '<script>alert("x")</script>'
    steps = [
        step("apply", hostile, [outcome("go", '"><img src=x onerror=alert(1)>', "end")]),
        step("end", "送达 & 办结", [outcome("done", "</text><script>")]),
    ]
    svg = flow_svg(steps, {}, "区行政审批局<b>")
    assert "<script>" not in svg and "<img" not in svg and "<b>" not in svg
    root = parse(svg)
    assert not list(root.iter(f"{SVG}script"))
    shown = texts(root)
    assert hostile in "".join(shown)  # wrapped over two lines of its box, as text
    assert "送达 & 办结" in shown and "</text><script>" in shown
    assert "区行政审批局<b>" in shown


def test_width_adapts_to_the_flow():
    narrow = parse(flow_svg(licensing()[:1], {}, "区行政审批局"))
    wide = parse(flow_svg(parallel(), {}, "区行政审批局"))
    assert float(wide.get("width")) > float(narrow.get("width"))


def test_long_names_wrap_inside_their_box():
    long_name = "对申请材料的真实性、合法性进行实质审查并提出审查意见"
    root = parse(flow_svg([step("a", long_name, [outcome("done", "办结")])], {}, "区行政审批局"))
    lines = [t for t in texts(root) if t and t in long_name]
    assert len(lines) == 2 and "".join(lines) == long_name


@settings(max_examples=100, deadline=None)
@given(random_flows())
def test_any_flow_draws_as_well_formed_svg(steps):
    root = parse(flow_svg(steps, {}, "区行政审批局"))
    assert float(root.get("width")) > 0
    shown = texts(root)
    assert all(s["name"] in shown for s in steps)
