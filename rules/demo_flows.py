"""Demo flows for the four illustrative items (catalog/demo_guides.py): two of their own, one with 并联审批, one
copied from a template. Illustrative, like the guides: they follow the usual 权力运行流程 of such items, not a
department's official chart. Each item gets its steps as rows and a new published revision (DESIGN decision 10)."""

from django.db import transaction

from catalog.models import Department, ServiceItem

from . import vocabulary
from .flow import check_flow
from .models import FlowStep, FlowTemplate


def outcome(key, label, *next_steps):
    return {"key": key, "label": label, "next": list(next_steps)}


def step(key, name, stage, actor_role, time_limit, outcomes, **extra):
    return {"key": key, "name": name, "stage": stage, "actor_role": actor_role, "time_limit": time_limit,
            "outcomes": outcomes, **extra}


APPLY = step("apply", "申请", "", "applicant", None, [outcome("submit", "提交申请", "accept")])

DEMO_FLOWS = {
    "无犯罪记录证明": [
        APPLY,
        step("accept", "受理", "accept", "window", 1, [
            outcome("accept", "受理", "agent_check"),
            outcome("correct", "补正", "apply"),
            outcome("reject", "不予受理"),
        ]),
        # Only when someone applies on the applicant's behalf (the situation question 是否委托他人代办).
        step("agent_check", "核验委托手续", "review", "window", None, [
            outcome("pass", "核验通过", "review"),
            outcome("reject", "委托手续不全", "apply"),
        ], guard={"==": [{"var": "situation.agent"}, "yes"]}),
        step("review", "查询审核", "review", "reviewer", 1, [
            outcome("pass", "审核通过", "issue"),
            outcome("deny", "不予出具"),
        ]),
        step("issue", "出具证明", "deliver", "window", 1, [outcome("done", "办结")]),
    ],
    "居民身份证办理（包括临时）": [
        APPLY,
        step("accept", "受理并采集信息", "accept", "window", 1, [
            outcome("accept", "受理", "review"),
            outcome("correct", "补正", "apply"),
            outcome("reject", "不予受理"),
        ]),
        step("review", "审核", "review", "reviewer", 3, [
            outcome("pass", "审核通过", "produce"),
            outcome("deny", "不予办理"),
        ]),
        step("produce", "制证", "decide", "system", 14, [outcome("done", "制证完成", "collect")]),
        step("collect", "领取证件", "deliver", "window", 1, [outcome("done", "办结")]),
    ],
    # 并联审批: the registration and the seal's filing (区公安分局) at once, then one licence.
    "分公司设立登记": [
        APPLY,
        step("accept", "受理", "accept", "window", 0, [
            outcome("accept", "受理", "register_review", "seal_filing"),
            outcome("correct", "补正", "apply"),
            outcome("reject", "不予受理"),
        ]),
        step("register_review", "登记审查", "review", "reviewer", 1, [
            outcome("pass", "审查通过", "decide"),
            outcome("deny", "不予登记"),
        ]),
        step("seal_filing", "印章刻制备案", "review", "reviewer", 1, [
            outcome("pass", "备案完成", "decide"),
            outcome("return", "退回补正", "apply"),
        ], actor_department="区公安分局", guard={"==": [{"var": "situation.seal"}, "yes"]}),
        step("decide", "核准并发照", "decide", "reviewer", 0, [
            outcome("approve", "准予登记", "deliver"),
            outcome("deny", "不予登记"),
        ], join=True),
        step("deliver", "送达", "deliver", "window", 0, [outcome("delivered", "办结")]),
    ],
}
FROM_TEMPLATE = {"食品小经营店备案发放": "行政确认"}


def _department_ids(steps):
    names = {s["actor_department"] for s in steps if isinstance(s.get("actor_department"), str)}
    ids = dict(Department.objects.filter(short_name__in=names).values_list("short_name", "pk"))
    return [{**s, "actor_department": ids.get(s.get("actor_department"))} if s.get("actor_department") else s
            for s in steps]


def _checked(item, steps):
    keys = list(item.situation_questions.values_list("key", flat=True))
    messages = check_flow(steps, item.promised_limit, {"form.*", *vocabulary.variables(keys)} if keys else None)
    if messages:
        raise ValueError(f"{item.name}: " + "；".join(messages))
    return steps


@transaction.atomic
def add_demo_flows() -> int:
    """Give the illustrative items their flows as published rows; returns how many items got one."""
    done = 0
    flows = dict(DEMO_FLOWS)
    for name, template_name in FROM_TEMPLATE.items():
        template = FlowTemplate.objects.filter(name=template_name).first()
        if template is not None:
            flows[name] = template.steps
    for name, steps in flows.items():
        item = ServiceItem.objects.filter(name=name, live=True).first()
        if item is None or item.flow_steps.exists():
            continue
        steps = _checked(item, _department_ids(steps))
        FlowStep.objects.bulk_create([
            FlowStep(item=item, sort_order=order, key=s["key"], name=s["name"], stage=s.get("stage", ""),
                     actor_role=s.get("actor_role", "reviewer"), actor_department_id=s.get("actor_department"),
                     time_limit=s.get("time_limit"), outcomes=s["outcomes"], join=s.get("join", False),
                     guard=s.get("guard"))
            for order, s in enumerate(steps)
        ])
        item = ServiceItem.objects.get(pk=item.pk)
        item.save_revision().publish()
        done += 1
    return done
