"""The 权力运行流程图 of a declared flow, drawn as SVG on the server in pure Python (nothing to install).

Layout (a small Sugiyama-style layered drawing, top to bottom so that it reads on a phone):
1. Back edges (退回, see rules.flow.FlowGraph) are set aside; the rest of the flow is acyclic.
2. Layers by longest path from the start; an end outcome becomes a terminal one layer below its step; an edge
   that spans several layers gets invisible waypoints in the layers between, so that it never crosses a box.
3. Order within a layer by the barycentre of the neighbours (a few sweeps), so that parallel branches stand side
   by side in their own columns and lines cross little.
4. x: each node under the mean of its predecessors, pushed apart where boxes would overlap.
Forward edges are curves with the outcome's label; back edges are dashed, in lanes on the right margin.
Every text goes through ElementTree, so a step named <script> comes out as text.
"""

import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .flow import FlowGraph, ordered, outcomes_of, targets

FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"
NAME_SIZE, DETAIL_SIZE, LABEL_SIZE = 14, 12, 12
LINE_GAP, PAD_X, PAD_Y = 5, 12, 9
MIN_WIDTH, MAX_WIDTH = 132, 232
TERMINAL_HEIGHT, TERMINAL_WIDTH = 30, 76
LAYER_GAP, COLUMN_GAP, MARGIN, LANE_GAP = 58, 30, 16, 16
WAYPOINT_WIDTH = 14

STEP_FILL, STEP_STROKE = "#eef4fb", "#1f5aa6"
START_FILL, START_STROKE = "#e7f4ea", "#2e7d32"
END_FILL, END_STROKE = "#f3f4f6", "#4b5563"
REFUSAL_FILL, REFUSAL_STROKE = "#fdecec", "#b3261e"
EDGE, BACK_EDGE, TEXT, MUTED = "#374151", "#b45309", "#111827", "#4b5563"


@dataclass
class Node:
    id: str
    kind: str  # step, start, end, waypoint
    lines: list = field(default_factory=list)  # [(text, size, bold)]
    width: float = 0
    height: float = 0
    layer: int = 0
    x: float = 0  # centre
    y: float = 0  # top
    title: str = ""
    refusal: bool = False
    join: bool = False
    guarded: bool = False

    @property
    def bottom(self):
        return self.y + self.height


@dataclass
class Edge:
    source: str
    target: str
    label: str = ""
    outcome: int = 0  # the outcome's index in its step
    port: tuple = (0, 1)  # (index, count) of the source's outgoing outcomes: where on its bottom the edge leaves
    points: list = field(default_factory=list)


def text_width(text: str, size: float) -> float:
    """An estimate without font metrics: CJK and full-width characters are 1 em, the rest about 0.58 em."""
    return sum(size if unicodedata.east_asian_width(char) in "WF" else size * 0.58 for char in text)


def wrap(text: str, size: float, width: float, max_lines: int = 3) -> list[str]:
    lines, line = [], ""
    for char in text:
        if line and text_width(line + char, size) > width:
            lines.append(line)
            line = ""
        line += char
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines or [""]


def flow_svg(steps, departments: dict, item_department_name: str) -> str:
    """The flowchart of `steps` (plain dicts, see rules.flow) as an SVG document.

    `departments` maps a department id to its name, for steps with an actor_department; the others are done by
    the item's own department, `item_department_name`."""
    nodes, edges, back_edges = _graph(list(steps), departments, item_department_name)
    layers = _layers(nodes, edges)
    edges = _add_waypoints(nodes, edges, layers)
    _order(layers, edges)
    _place(nodes, layers, edges)
    return _draw(nodes, edges, back_edges, layers)


def _limit_text(step) -> str:
    limit = step.get("time_limit")
    if limit in (None, ""):
        return ""
    return _("即办") if int(limit) == 0 else _("%(days)s个工作日") % {"days": limit}


def _actor(step, departments, item_department_name) -> str:
    if step.get("actor_role") == "applicant":
        return _("申请人")
    if step.get("actor_role") == "system":
        return _("系统自动")
    department = step.get("actor_department")
    return departments.get(department, item_department_name) if department is not None else item_department_name


def _step_node(step, departments, item_department_name) -> Node:
    detail = " · ".join(part for part in (_actor(step, departments, item_department_name), _limit_text(step)) if part)
    text_room = MAX_WIDTH - 2 * PAD_X
    name = step.get("name") or step.get("key") or ""
    lines = [(line, NAME_SIZE, True) for line in wrap(name, NAME_SIZE, text_room, 2)]
    lines += [(line, DETAIL_SIZE, False) for line in wrap(detail, DETAIL_SIZE, text_room, 2)] if detail else []
    width = max(MIN_WIDTH, min(MAX_WIDTH, max(text_width(t, s) for t, s, _b in lines) + 2 * PAD_X))
    height = 2 * PAD_Y + sum(size for _t, size, _b in lines) + LINE_GAP * (len(lines) - 1)
    title = step.get("name") or ""
    if step.get("guard"):
        title += _("（按适用条件办理）")
    return Node(id=f"s:{step.get('key')}", kind="step", lines=lines, width=width, height=height, title=title,
                join=bool(step.get("join")), guarded=bool(step.get("guard")))


def _terminal(node_id, text, refusal=False) -> Node:
    width = max(TERMINAL_WIDTH, text_width(text, DETAIL_SIZE) + 2 * PAD_X)
    return Node(id=node_id, kind="end" if node_id != "start" else "start", lines=[(text, DETAIL_SIZE, False)],
                width=width, height=TERMINAL_HEIGHT, title=text, refusal=refusal)


def _graph(steps, departments, item_department_name):
    steps = [step for step in ordered(steps) if step.get("key")]
    graph = FlowGraph(steps)
    nodes = {"start": _terminal("start", _("开始"))}
    edges, back_edges = [], []
    for step in graph.steps:
        nodes.setdefault(f"s:{step['key']}", _step_node(step, departments, item_department_name))
    if graph.start:
        edges.append(Edge("start", f"s:{graph.start}"))
    for step in graph.steps:
        source = f"s:{step['key']}"
        for index, outcome in enumerate(outcomes_of(step)):
            label = str(outcome.get("label") or outcome.get("key") or "")
            nexts = [t for t in dict.fromkeys(targets(outcome)) if t in graph.by_key]
            if not targets(outcome):
                end_id = f"e:{step['key']}:{index}"
                nodes[end_id] = _terminal(end_id, _("结束"), refusal=label.startswith(("不予", "不", "驳回")))
                edges.append(Edge(source, end_id, label, index))
                continue
            labelled = False
            for target in nexts:
                if (step["key"], target) in graph.back_edges:
                    back_edges.append(Edge(source, f"s:{target}", label))
                else:
                    edges.append(Edge(source, f"s:{target}", "" if labelled else label, index))
                    labelled = True
    return nodes, edges, back_edges


def _layers(nodes, edges) -> list[list[Node]]:
    predecessors = {node_id: [] for node_id in nodes}
    for edge in edges:
        predecessors[edge.target].append(edge.source)
    layer, order = {}, list(nodes)

    def depth(node_id, trail=()):
        if node_id not in layer:
            # acyclic by construction (back edges are set aside); the trail only guards against a bad input
            layer[node_id] = max((depth(p, (*trail, node_id)) + 1 for p in predecessors[node_id]
                                  if p not in trail), default=0)
        return layer[node_id]

    for node_id in order:
        nodes[node_id].layer = depth(node_id)
    count = max(node.layer for node in nodes.values()) + 1
    layers = [[] for _ in range(count)]
    for node_id in order:
        layers[nodes[node_id].layer].append(nodes[node_id])
    return layers


def _add_waypoints(nodes, edges, layers) -> list[Edge]:
    """Split an edge that spans several layers into hops through invisible waypoints."""
    hops = []
    for edge in edges:
        source, target = nodes[edge.source], nodes[edge.target]
        chain = []
        for layer in range(source.layer + 1, target.layer):
            waypoint = Node(id=f"w:{edge.source}>{edge.target}:{layer}", kind="waypoint", width=WAYPOINT_WIDTH,
                            layer=layer)
            nodes[waypoint.id] = waypoint
            layers[layer].append(waypoint)
            chain.append(waypoint.id)
        edge.points = [edge.source, *chain, edge.target]
        hops.append(edge)
    return hops


def _neighbours(edges):
    up, down = {}, {}
    for edge in edges:
        for a, b in zip(edge.points, edge.points[1:], strict=False):
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
    return up, down


def _order(layers, edges, sweeps=4):
    up, down = _neighbours(edges)
    for sweep in range(sweeps):
        downward = sweep % 2 == 0
        sequence = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for index in sequence:
            reference = layers[index - 1] if downward else layers[index + 1]
            position = {node.id: i for i, node in enumerate(reference)}
            links = up if downward else down

            def barycentre(pair, links=links, position=position):
                i, node = pair
                linked = [position[n] for n in links.get(node.id, []) if n in position]
                return (sum(linked) / len(linked)) if linked else i

            layers[index] = [node for _i, node in sorted(enumerate(layers[index]), key=barycentre)]


def _place(nodes, layers, edges):
    up, _down = _neighbours(edges)
    y = MARGIN
    for layer in layers:
        height = max(node.height for node in layer) if layer else 0
        for node in layer:
            node.y = y + (height - node.height) / 2
        y += height + LAYER_GAP
        wanted = []
        for node in layer:
            parents = [nodes[p].x for p in up.get(node.id, [])]
            wanted.append(sum(parents) / len(parents) if parents else None)
        positions = []
        for i, node in enumerate(layer):
            here = wanted[i]
            if i:
                least = positions[-1] + (layer[i - 1].width + node.width) / 2 + COLUMN_GAP
                here = least if here is None or here < least else here
            positions.append(here if here is not None else 0)
        # Pushing apart moved nodes right of their parents: shift back by the steps' mean overshoot, keeping the
        # spacing. Terminals do not count, so the main line stays straight and its ends stand beside it.
        overshoot = [p - w for p, w, node in zip(positions, wanted, layer, strict=True)
                     if w is not None and node.kind == "step"]
        overshoot = overshoot or [p - w for p, w in zip(positions, wanted, strict=True) if w is not None]
        shift = sum(overshoot) / len(overshoot) if overshoot else 0
        for node, position in zip(layer, positions, strict=True):
            node.x = position - shift
    left = min(node.x - node.width / 2 for layer in layers for node in layer)
    for node in nodes.values():
        node.x += MARGIN - left
    _assign_ports(nodes, edges)


def _assign_ports(nodes, edges):
    """An outcome leaves its step at a point of the bottom edge; ports go left to right as their targets do."""
    by_source = {}
    for edge in edges:
        by_source.setdefault(edge.source, []).append(edge)
    for source, leaving in by_source.items():
        if nodes[source].kind != "step":
            continue
        # one port per outcome (a fork's branches share theirs), placed by the mean x of the outcome's targets
        groups = {}
        for edge in leaving:
            groups.setdefault(edge.outcome, []).append(nodes[edge.points[1]].x)
        order = sorted(groups, key=lambda outcome: sum(groups[outcome]) / len(groups[outcome]))
        for edge in leaving:
            edge.port = (order.index(edge.outcome), len(order))


def _port_x(node, port):
    index, count = port
    return node.x - node.width / 2 + node.width * (index + 1) / (count + 1)


def _draw(nodes, edges, back_edges, layers) -> str:
    real = [node for node in nodes.values() if node.kind != "waypoint"]
    right = max(node.x + node.width / 2 for node in nodes.values())
    bottom = max(node.bottom for node in real)
    lanes = _back_lanes(nodes, back_edges, right)
    width = (max(x for x, _i in lanes.values()) if lanes else right) + MARGIN + (LANE_GAP if lanes else 0)
    height = bottom + MARGIN
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {width:.0f} {height:.0f}",
        "width": f"{width:.0f}", "height": f"{height:.0f}", "role": "img", "font-family": FONT,
        "aria-labelledby": "flow-title",
    })
    ET.SubElement(svg, "title", {"id": "flow-title"}).text = _("办理流程图")
    _markers(svg)
    ET.SubElement(svg, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    edge_group = ET.SubElement(svg, "g", {"fill": "none", "stroke": EDGE, "stroke-width": "1.5"})
    label_group = ET.SubElement(svg, "g", {"font-size": str(LABEL_SIZE), "fill": TEXT})
    for edge in edges:
        _forward_edge(edge_group, label_group, nodes, edge)
    for edge in back_edges:
        _back_edge(edge_group, label_group, nodes, edge, *lanes[id(edge)])
    node_group = ET.SubElement(svg, "g")
    for node in real:
        _node(node_group, node)
    return ET.tostring(svg, encoding="unicode")


def _markers(svg):
    defs = ET.SubElement(svg, "defs")
    for marker_id, colour in (("arrow", EDGE), ("arrow-back", BACK_EDGE)):
        marker = ET.SubElement(defs, "marker", {
            "id": marker_id, "viewBox": "0 0 10 10", "refX": "9", "refY": "5", "markerWidth": "7",
            "markerHeight": "7", "orient": "auto-start-reverse",
        })
        ET.SubElement(marker, "path", {"d": "M0,0 L10,5 L0,10 z", "fill": colour})


def _forward_edge(edge_group, label_group, nodes, edge):
    source, target = nodes[edge.source], nodes[edge.target]
    points = [(_port_x(source, edge.port), source.bottom)]
    for waypoint_id in edge.points[1:-1]:
        waypoint = nodes[waypoint_id]
        layer_top = waypoint.y
        points.append((waypoint.x, layer_top))
    points.append((target.x, target.y))
    path = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        middle = (y0 + y1) / 2
        path.append(f"C{x0:.1f},{middle:.1f} {x1:.1f},{middle:.1f} {x1:.1f},{y1:.1f}")
    ET.SubElement(edge_group, "path", {"d": " ".join(path), "marker-end": "url(#arrow)"})
    if edge.label:
        (x0, y0), (x1, y1) = points[0], points[1]
        _label(label_group, (x0 + x1) / 2, y0 + min(LAYER_GAP, y1 - y0) * 0.45, edge.label)


def _label(group, x, y, text, colour=TEXT, anchor="middle"):
    # A white halo behind the letters keeps a label readable where it crosses a line.
    ET.SubElement(group, "text", {
        "x": f"{x:.1f}", "y": f"{y + LABEL_SIZE * 0.35:.1f}", "text-anchor": anchor, "fill": colour,
        "stroke": "#ffffff", "stroke-width": "4", "stroke-linejoin": "round", "paint-order": "stroke",
    }).text = text


def _back_lanes(nodes, back_edges, right) -> dict:
    """A lane (an x on the right margin) per back edge: shorter spans nearer the drawing."""
    spans = sorted(back_edges, key=lambda e: nodes[e.source].layer - nodes[e.target].layer)
    return {id(edge): (right + LANE_GAP * (i + 1), i) for i, edge in enumerate(spans)}


def _back_edge(edge_group, label_group, nodes, edge, lane, index):
    """退回: up out of the source's top, along the right margin, into the target's bottom; dashed."""
    source, target = nodes[edge.source], nodes[edge.target]
    offset = 8 + 6 * index
    x_out = source.x + source.width / 2 - 12 - 8 * index
    x_in = target.x + target.width / 2 - 12 - 8 * index
    y_out, y_in = source.y - offset, target.bottom + offset
    path = (f"M{x_out:.1f},{source.y:.1f} L{x_out:.1f},{y_out:.1f} L{lane:.1f},{y_out:.1f} "
            f"L{lane:.1f},{y_in:.1f} L{x_in:.1f},{y_in:.1f} L{x_in:.1f},{target.bottom:.1f}")
    ET.SubElement(edge_group, "path", {
        "d": path, "stroke": BACK_EDGE, "stroke-dasharray": "6 4", "marker-end": "url(#arrow-back)",
    })
    _label(label_group, lane - 4, y_out - LABEL_SIZE * 0.6, edge.label, BACK_EDGE, anchor="end")


def _node(group, node):
    box = ET.SubElement(group, "g")
    ET.SubElement(box, "title").text = node.title
    left = node.x - node.width / 2
    if node.kind == "step":
        attributes = {"fill": STEP_FILL, "stroke": STEP_STROKE, "stroke-width": "2.5" if node.join else "1.5",
                      "rx": "4"}
        if node.guarded:
            attributes["stroke-dasharray"] = "5 3"
    else:
        fill, stroke = (START_FILL, START_STROKE) if node.kind == "start" else (
            (REFUSAL_FILL, REFUSAL_STROKE) if node.refusal else (END_FILL, END_STROKE))
        attributes = {"fill": fill, "stroke": stroke, "stroke-width": "1.5", "rx": f"{node.height / 2:.1f}"}
    ET.SubElement(box, "rect", {"x": f"{left:.1f}", "y": f"{node.y:.1f}", "width": f"{node.width:.1f}",
                                "height": f"{node.height:.1f}", **attributes})
    if node.join:
        # 并联汇合: a bar across the top, as in the usual 并联审批 charts.
        ET.SubElement(box, "rect", {"x": f"{left:.1f}", "y": f"{node.y:.1f}", "width": f"{node.width:.1f}",
                                    "height": "4", "fill": STEP_STROKE})
    y = node.y + (PAD_Y if node.kind == "step" else (node.height - DETAIL_SIZE) / 2)
    for text, size, bold in node.lines:
        attributes = {"x": f"{node.x:.1f}", "y": f"{y + size * 0.88:.1f}", "text-anchor": "middle",
                      "font-size": str(size), "fill": TEXT if bold or node.kind != "step" else MUTED}
        if bold:
            attributes["font-weight"] = "bold"
        ET.SubElement(box, "text", attributes).text = text
        y += size + LINE_GAP
