"""The rows the rules app starts with, seeded by its migration (and again by tests that flush the database).

- The working-day calendar, from data/holidays (github.com/NateScarlet/holiday-cn, MIT): every day of every year
  file, with the year's first State Council notice as its source. Years without days stay empty: the admin says
  so, and deadlines that reach them count weekends only.
- Flow templates (流程模板) that departments copy into their items and adapt: 行政许可, 行政许可（并联审批）,
  行政确认, 公共服务. The steps follow the usual 权力运行流程 (申请 → 受理 → 审查 → 决定 → 制证 → 送达); time
  limits are examples to adapt to each item's promised limit. Stages are catalog.codes.ResponsibilityStageKind
  values.

Kept out of the migration so that code and tests reach them by name; the functions take the migration's `apps`, so
they use the historical models there.
"""

import json
from datetime import date

from django.conf import settings


def holiday_files():
    return sorted((settings.BASE_DIR / "data" / "holidays").glob("[0-9][0-9][0-9][0-9].json"))


def calendar_rows(CalendarDay):
    """Every day of every year file as an unsaved CalendarDay (also used by rules.calendar.seed_calendar)."""
    rows = []
    for path in holiday_files():
        year = json.loads(path.read_text(encoding="utf-8"))
        source_url = year["papers"][0] if year["papers"] else ""
        rows.extend(
            CalendarDay(
                date=date.fromisoformat(day["date"]),
                is_off_day=day["isOffDay"],
                name=day["name"],
                source_url=source_url,
            )
            for day in year["days"]
        )
    return rows


def load_days(apps, schema_editor):
    """The migration's operation (and its reverse, delete_days)."""
    CalendarDay = apps.get_model("rules", "CalendarDay")
    rows = calendar_rows(CalendarDay)
    CalendarDay.objects.using(schema_editor.connection.alias).bulk_create(rows, ignore_conflicts=True)


def delete_days(apps, schema_editor):
    CalendarDay = apps.get_model("rules", "CalendarDay")
    dates = [
        date.fromisoformat(day["date"])
        for path in holiday_files()
        for day in json.loads(path.read_text(encoding="utf-8"))["days"]
    ]
    CalendarDay.objects.using(schema_editor.connection.alias).filter(date__in=dates).delete()


# --- flow templates ---
def outcome(key, label, *next_steps):
    return {"key": key, "label": label, "next": list(next_steps)}


def step(key, name, stage, actor_role, time_limit, outcomes, join=False):
    return {
        "key": key,
        "name": name,
        "stage": stage,
        "actor_role": actor_role,
        "time_limit": time_limit,
        "outcomes": outcomes,
        "join": join,
    }


APPLY = step("apply", "申请", "", "applicant", None, [outcome("submit", "提交申请", "accept")])


def acceptance(then, refuse_label="不予受理"):
    return step("accept", "受理", "accept", "window", 1, [
        outcome("accept", "受理", *then),
        outcome("correct", "补正", "apply"),
        outcome("reject", refuse_label),
    ])


TEMPLATES = [
    {
        "name": "行政许可",
        "item_type": "01",
        "description": "申请 → 受理 → 审查 → 决定 → 制证 → 送达。材料不齐的一次性告知补正（补正期间不计入时限），"
                       "不符合条件的不予受理；审查后作出准予或不予许可的决定。",
        "steps": [
            APPLY,
            acceptance(["review"]),
            step("review", "审查", "review", "reviewer", 3, [
                outcome("pass", "审查通过", "decide"),
                outcome("return", "退回补正", "apply"),
            ]),
            step("decide", "决定", "decide", "reviewer", 1, [
                outcome("approve", "准予许可", "certify"),
                outcome("deny", "不予许可"),
            ]),
            step("certify", "制证", "deliver", "reviewer", 1, [outcome("done", "制证完成", "deliver")]),
            step("deliver", "送达", "deliver", "window", 1, [outcome("delivered", "办结")]),
        ],
    },
    {
        "name": "行政许可（并联审批）",
        "item_type": "01",
        "description": "一窗受理后，两个部门同时审查（并联审批），都审查完毕后汇合作出决定，再送达。"
                       "请在两个审查环节选择各自的办理部门。",
        "steps": [
            APPLY,
            acceptance(["review_a", "review_b"]),
            step("review_a", "部门一审查", "review", "reviewer", 3, [
                outcome("pass", "审查通过", "decide"),
                outcome("deny", "不予通过"),
            ]),
            step("review_b", "部门二审查", "review", "reviewer", 3, [
                outcome("pass", "审查通过", "decide"),
                outcome("deny", "不予通过"),
            ]),
            step("decide", "汇总决定", "decide", "reviewer", 1, [
                outcome("approve", "准予许可", "deliver"),
                outcome("deny", "不予许可"),
            ], join=True),
            step("deliver", "送达", "deliver", "window", 1, [outcome("delivered", "办结")]),
        ],
    },
    {
        "name": "行政确认",
        "item_type": "07",
        "description": "申请 → 受理 → 审核 → 出具确认结果。",
        "steps": [
            APPLY,
            acceptance(["verify"]),
            step("verify", "审核", "review", "reviewer", 2, [
                outcome("confirm", "予以确认", "issue"),
                outcome("refuse", "不予确认"),
            ]),
            step("issue", "出具结果", "deliver", "window", 1, [outcome("done", "办结")]),
        ],
    },
    {
        "name": "公共服务",
        "item_type": "20",
        "description": "申请 → 受理 → 办理 → 办结。",
        "steps": [
            APPLY,
            acceptance(["handle"], refuse_label="不予办理"),
            step("handle", "办理", "decide", "reviewer", 2, [outcome("done", "办结")]),
        ],
    },
]


def seed_flow_templates(apps, schema_editor):
    FlowTemplate = apps.get_model("rules", "FlowTemplate")
    for template in TEMPLATES:
        FlowTemplate.objects.get_or_create(name=template["name"], defaults=template)


def unseed_flow_templates(apps, schema_editor):
    FlowTemplate = apps.get_model("rules", "FlowTemplate")
    FlowTemplate.objects.filter(name__in=[template["name"] for template in TEMPLATES]).delete()
