"""The declared handling flow (办理流程) of an item: checks and the plain helpers that move a case along it.

A flow is a list of steps, plain dicts with FlowStep's field names, so the same code checks a submitted admin form,
a flow template and a published revision:

    {"key": "accept", "name": "受理", "stage": "accept", "actor_role": "window", "actor_department": None,
     "time_limit": 1, "join": False, "guard": None, "sort_order": 1,
     "outcomes": [{"key": "accept", "label": "受理", "next": ["review"]},
                  {"key": "reject", "label": "不予受理", "next": []}]}

The rules a flow must keep (check_flow):
- The step with the lowest sort_order is the start; no other step may be left without a way in (a second start).
- Step keys are unique, every step has at least one outcome, every `next` names an existing step.
- Every step is reachable from the start.
- From every step an end (an outcome with an empty `next`) can be reached. A 退回 or 补正 back to an earlier step
  is a cycle, and cycles are allowed as long as some step in them has a way out: every lap is a decision of a
  person, and the clock stops while an applicant corrects (补正期间不计入时限). What is refused is a trap, a set of
  steps from which no end can be reached.
- Back edges (退回) are the edges that close a cycle in a depth-first walk from the start, outcomes in their order;
  the other edges form the forward flow, which has no cycle. Limits and parallel branches are judged on it.
- An outcome with several `next` steps starts parallel branches (并联审批). They must meet at one join step
  (join=True) before anything else is shared, and a join must be where some parallel branches meet (at least two
  incoming branches): a join reached by alternatives only would wait forever.
- The time limits along any forward path from the start to an end add up to at most the promised limit (parallel
  branches count their longest, which the longest path does by itself). Back edges are not counted: they are clock
  stops or a restart of the same work.
- Guards are valid rules (rules.logic.validate); the start has none, since a skipped start leaves no flow.

Semantics of a guard (next_steps): a step whose guard does not hold is passed over as if it had ended with its
first outcome, so list the ordinary outcome first.
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from . import logic

STEP_FIELDS = ("key", "name", "stage", "actor_role", "actor_department", "time_limit", "outcomes", "join", "guard")


class FlowError(ValueError):
    """A request to move along a flow that the flow does not allow (unknown step or outcome)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def step_dict(step) -> dict:
    """A FlowStep row as the plain dict the functions here take."""
    data = {field: getattr(step, field) for field in STEP_FIELDS if field != "actor_department"}
    data["actor_department"] = step.actor_department_id
    data["sort_order"] = step.sort_order
    return data


def ordered(steps: Iterable[dict]) -> list[dict]:
    """Steps by sort_order (a missing sort_order keeps the list's order)."""
    indexed = list(enumerate(steps))
    indexed.sort(key=lambda pair: (pair[1].get("sort_order") if pair[1].get("sort_order") is not None else pair[0],
                                   pair[0]))
    return [step for _index, step in indexed]


def start_step(steps) -> dict | None:
    steps = ordered(steps)
    return steps[0] if steps else None


def outcomes_of(step) -> list[dict]:
    outcomes = step.get("outcomes") or []
    return [outcome for outcome in outcomes if isinstance(outcome, dict)] if isinstance(outcomes, list) else []


def targets(outcome) -> list[str]:
    nexts = outcome.get("next") or []
    if isinstance(nexts, str):
        nexts = [nexts]
    return [key for key in nexts if isinstance(key, str)] if isinstance(nexts, list) else []


def ends(steps) -> list[tuple[dict, dict]]:
    """The (step, outcome) pairs that end the flow: outcomes with no next step."""
    return [(step, outcome) for step in ordered(steps) for outcome in outcomes_of(step) if not targets(outcome)]


def next_steps(steps, step_key: str, outcome_key: str, data=None) -> list[dict]:
    """The steps that follow `step_key` ended with `outcome_key`; [] when the flow ends there.

    Several steps: parallel branches. A step whose guard does not hold for `data` is passed over (as if it had
    ended with its first outcome); guards are evaluated with rules.logic."""
    by_key = {step["key"]: step for step in steps}
    step = by_key.get(step_key)
    if step is None:
        raise FlowError(_("流程中没有环节「%(key)s」") % {"key": step_key})
    outcome = next((o for o in outcomes_of(step) if o.get("key") == outcome_key), None)
    if outcome is None:
        message = _("环节「%(step)s」没有办理结果「%(outcome)s」")
        raise FlowError(message % {"step": step.get("name"), "outcome": outcome_key})
    result, seen = [], set()
    _follow(targets(outcome), by_key, data or {}, result, seen)
    return result


def _follow(keys, by_key, data, result, seen):
    for key in keys:
        if key in seen or key not in by_key:
            continue
        seen.add(key)
        step = by_key[key]
        # "!!" gives JSON Logic's own truthiness (json-logic-js), not Python's.
        if step.get("guard") in (None, "", {}) or logic.apply({"!!": [step["guard"]]}, data):
            result.append(step)
            continue
        first = outcomes_of(step)[:1]
        if first:
            _follow(targets(first[0]), by_key, data, result, seen)


# --- the graph of a flow -------------------------------------------------------------------------------------------


class FlowGraph:
    """The steps as a graph: edges by outcome, back edges (退回) told from the forward flow."""

    def __init__(self, steps):
        self.steps = ordered(steps)
        self.by_key = {}
        for step in self.steps:
            self.by_key.setdefault(step.get("key"), step)
        self.start = self.steps[0]["key"] if self.steps else None
        # (source, outcome index, target) for every next that names a step
        self.edges = [
            (step["key"], index, target)
            for step in self.steps
            for index, outcome in enumerate(outcomes_of(step))
            for target in targets(outcome)
            if target in self.by_key
        ]
        self.back_edges = self._find_back_edges()
        self.forward = {key: [] for key in self.by_key}
        for source, _index, target in self.edges:
            if (source, target) not in self.back_edges and target not in self.forward[source]:
                self.forward[source].append(target)

    def successors(self, key):
        return [target for source, _index, target in self.edges if source == key]

    def _find_back_edges(self) -> set[tuple[str, str]]:
        """Edges to a step still on the depth-first stack: from the start first, then any step not yet visited."""
        back, state = set(), {}
        roots = [self.start] + [step["key"] for step in self.steps]
        for root in roots:
            if root is None or root in state:
                continue
            state[root] = "open"
            stack = [(root, iter(self.successors(root)))]
            while stack:
                key, children = stack[-1]
                child = next(children, None)
                if child is None:
                    state[key] = "done"
                    stack.pop()
                elif state.get(child) == "open":
                    back.add((key, child))
                elif child not in state:
                    state[child] = "open"
                    stack.append((child, iter(self.successors(child))))
        return back

    def reachable(self, roots, edges=None, stop=()) -> set[str]:
        edges = edges or {key: self.successors(key) for key in self.by_key}
        seen, todo = set(), [root for root in roots if root in self.by_key]
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            if key not in stop:
                todo.extend(edges.get(key, []))
        return seen

    def topological(self) -> list[str]:
        """The forward flow in topological order (Kahn), ties in the steps' order."""
        incoming = {key: 0 for key in self.by_key}
        for nexts in self.forward.values():
            for target in nexts:
                incoming[target] += 1
        order, ready = [], [step["key"] for step in self.steps if incoming[step["key"]] == 0]
        position = {step["key"]: i for i, step in enumerate(self.steps)}
        while ready:
            ready.sort(key=position.get)
            key = ready.pop(0)
            order.append(key)
            for target in self.forward[key]:
                incoming[target] -= 1
                if incoming[target] == 0:
                    ready.append(target)
        return order

    def forks(self):
        """(step, outcome, forward targets) of every outcome with several next steps."""
        for step in self.steps:
            for outcome in outcomes_of(step):
                nexts = [key for key in dict.fromkeys(targets(outcome)) if key in self.by_key]
                if len(nexts) > 1:
                    yield step, outcome, nexts

    def meeting_join(self, branches) -> tuple[str | None, str | None]:
        """The first join that every branch reaches, or (None, the first step they share) if there is none."""
        order = {key: i for i, key in enumerate(self.topological())}
        reached = [self.reachable([branch], self.forward) for branch in branches]
        common = set.intersection(*reached)
        joins = sorted((key for key in common if self.by_key[key].get("join")), key=lambda k: order.get(k, 0))
        if joins:
            return joins[0], None
        shared = sorted(common, key=lambda k: order.get(k, 0))
        return None, shared[0] if shared else None


# --- check_flow ----------------------------------------------------------------------------------------------------


def check_flow(steps, promised_limit=None, variables=None) -> list[str]:
    """Chinese messages, each naming the offending step; [] when the flow is sound (or has no steps)."""
    steps = [step for step in steps if step]
    if not steps:
        return []
    messages = _check_shape(steps)
    if messages:
        return messages  # the graph checks below need unique keys and well-formed outcomes
    graph = FlowGraph(steps)
    messages += _check_edges(graph)
    if messages:
        return messages
    messages += _check_reachability(graph)
    messages += _check_parallel(graph)
    if promised_limit is not None:
        messages += _check_limit(graph, promised_limit)
    messages += _check_guards(graph, variables)
    return messages


def _name(step) -> str:
    return step.get("name") or step.get("key") or "?"


def _check_shape(steps) -> list[str]:
    messages, seen = [], {}
    for step in steps:
        key = step.get("key")
        if not key or not isinstance(key, str):
            messages.append(_("环节「%(name)s」没有环节标识") % {"name": _name(step)})
        elif key in seen:
            messages.append(
                _("环节「%(name)s」的标识「%(key)s」与环节「%(other)s」重复")
                % {"name": _name(step), "key": key, "other": _name(seen[key])}
            )
        else:
            seen[key] = step
        outcomes = step.get("outcomes")
        if not isinstance(outcomes, list) or not outcomes:
            messages.append(_("环节「%(name)s」没有办理结果，请至少写一个（如“办结 → 结束”）") % {"name": _name(step)})
            continue
        outcome_keys = set()
        for outcome in outcomes:
            if not isinstance(outcome, dict) or not outcome.get("key") or not outcome.get("label"):
                messages.append(_("环节「%(name)s」有一个办理结果缺少标识或名称") % {"name": _name(step)})
                continue
            if outcome["key"] in outcome_keys:
                messages.append(
                    _("环节「%(name)s」的办理结果标识「%(key)s」重复") % {"name": _name(step), "key": outcome["key"]}
                )
            outcome_keys.add(outcome["key"])
            nexts = outcome.get("next", [])
            if not isinstance(nexts, list) or not all(isinstance(key, str) for key in nexts):
                messages.append(
                    _("环节「%(name)s」的办理结果「%(label)s」的去向应为环节标识的列表")
                    % {"name": _name(step), "label": outcome["label"]}
                )
    return messages


def _check_edges(graph) -> list[str]:
    messages = []
    for step in graph.steps:
        for outcome in outcomes_of(step):
            for target in targets(outcome):
                if target not in graph.by_key:
                    messages.append(
                        _("环节「%(name)s」的办理结果「%(label)s」指向不存在的环节「%(target)s」")
                        % {"name": _name(step), "label": outcome["label"], "target": target}
                    )
    return messages


def _check_reachability(graph) -> list[str]:
    messages = []
    has_way_in = {target for source, _index, target in graph.edges if source != target}
    start = graph.by_key[graph.start]
    if start.get("join"):
        messages.append(_("第一个环节「%(name)s」是流程的起点，不能设为汇合") % {"name": _name(start)})
    reachable = graph.reachable([graph.start])
    for step in graph.steps[1:]:
        if step["key"] not in has_way_in:
            messages.append(
                _("环节「%(name)s」没有任何环节通向它：流程只能有一个起点（第一个环节「%(start)s」）")
                % {"name": _name(step), "start": _name(start)}
            )
        elif step["key"] not in reachable:
            messages.append(
                _("环节「%(name)s」从起点「%(start)s」无法到达") % {"name": _name(step), "start": _name(start)}
            )
    # A trap: steps from which no end can be reached (a cycle without an exit, or a path into one).
    ending = {step["key"] for step, _outcome in ends(graph.steps)}
    reversed_edges = {}
    for source, _index, target in graph.edges:
        reversed_edges.setdefault(target, []).append(source)
    can_end = graph.reachable(ending, reversed_edges)
    for step in graph.steps:
        if step["key"] in reachable and step["key"] not in can_end:
            messages.append(
                _("从环节「%(name)s」出发无法到达流程的结束（办理结果形成没有出口的循环）") % {"name": _name(step)}
            )
    return messages


def _check_parallel(graph) -> list[str]:
    messages, meeting_points = [], set()
    for step, outcome, branches in graph.forks():
        label = {"name": _name(step), "label": outcome["label"]}
        if any((step["key"], branch) in graph.back_edges for branch in branches):
            messages.append(_("环节「%(name)s」的办理结果「%(label)s」分出的并联分支不能退回到前面的环节") % label)
            continue
        join, shared = graph.meeting_join(branches)
        if join is None:
            if shared is not None:
                messages.append(
                    _("环节「%(name)s」的办理结果「%(label)s」分出的并联分支在环节「%(shared)s」交汇，请把它设为汇合环节")
                    % {**label, "shared": _name(graph.by_key[shared])}
                )
            else:
                messages.append(_("环节「%(name)s」的办理结果「%(label)s」分出的并联分支没有在汇合环节汇合") % label)
            continue
        meeting_points.add(join)
        # Before the join each branch keeps to itself: a step two branches share would run twice.
        owner = {}
        for branch in branches:
            for key in graph.reachable([branch], graph.forward, stop={join}) - {join}:
                if key in owner and owner[key] != branch:
                    messages.append(
                        _("并联分支「%(a)s」和「%(b)s」在汇合环节「%(join)s」之前共用了环节「%(shared)s」")
                        % {
                            "a": _name(graph.by_key[owner[key]]),
                            "b": _name(graph.by_key[branch]),
                            "join": _name(graph.by_key[join]),
                            "shared": _name(graph.by_key[key]),
                        }
                    )
                owner.setdefault(key, branch)
    incoming = {key: set() for key in graph.by_key}
    for source, targets_ in graph.forward.items():
        for target in targets_:
            incoming[target].add(source)
    for step in graph.steps:
        if not step.get("join"):
            continue
        if len(incoming[step["key"]]) < 2:
            messages.append(_("汇合环节「%(name)s」至少要有两条并联分支通向它") % {"name": _name(step)})
        elif step["key"] not in meeting_points:
            messages.append(
                _("环节「%(name)s」设为汇合，但没有并联分支在此汇合：只由选择性结果到达的汇合会一直等待")
                % {"name": _name(step)}
            )
    return messages


def longest_path(graph) -> tuple[int, list[str]]:
    """The forward path from the start to an end with the largest sum of time limits: (days, step keys)."""
    best: dict[str, tuple[int, list[str]]] = {}
    for key in reversed(graph.topological()):
        own = _limit(graph.by_key[key])
        tails = [best[target] for target in graph.forward[key] if target in best]
        days, path = max(tails, key=lambda tail: tail[0]) if tails else (0, [])
        best[key] = (own + days, [key, *path])
    return best.get(graph.start, (0, []))


def _limit(step) -> int:
    value = step.get("time_limit")
    try:
        return max(int(value), 0) if value not in (None, "") else 0
    except (TypeError, ValueError):
        return 0


def _check_limit(graph, promised_limit) -> list[str]:
    days, path = longest_path(graph)
    if days <= promised_limit:
        return []
    names = " → ".join(_name(graph.by_key[key]) for key in path if _limit(graph.by_key[key]))
    return [
        _("沿「%(names)s」各环节的时限合计 %(days)s 个工作日，超过承诺办结时限 %(limit)s 个工作日")
        % {"names": names, "days": days, "limit": promised_limit}
    ]


def _check_guards(graph, variables) -> list[str]:
    messages = []
    for step in graph.steps:
        guard = step.get("guard")
        if guard in (None, "", {}):
            continue
        if step["key"] == graph.start:
            messages.append(_("第一个环节「%(name)s」是流程的起点，不能设适用条件") % {"name": _name(step)})
            continue
        try:
            logic.validate(guard, variables)
        except logic.RuleError as error:
            message = _("环节「%(name)s」的适用条件有误：%(error)s")
            messages.append(message % {"name": _name(step), "error": error.message})
    return messages
