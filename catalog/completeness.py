"""Guide completeness (办事指南要素完整度): what is missing or doubtful in an item's guide.

One plain function, assess(item), returns a score from 0 to 100 and the reasons. Editors use it to chase
departments; the admin listing filters on the stored flags. Works on unsaved items and drafts too: it reads the
item's in-memory child rows (modelcluster), so it judges exactly what is being edited.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .codes import CaseType, CodeStatus, ItemType, TimeUnit

# code: (weight, reason). Weights say how much a gap hurts a citizen trying to use the guide.
CHECKS = {
    "code_invalid": (15, _("实施编码校验未通过")),
    "code_unchecked": (5, _("实施编码为地方格式，无法按国家标准校验")),
    "no_conditions": (10, _("未填写受理条件")),
    "no_materials": (15, _("未填写申请材料")),
    "material_incomplete": (10, _("有申请材料未填写来源渠道或必要性")),
    "no_case_type": (5, _("未填写办件类型")),
    "no_promised_limit": (10, _("未填写承诺办结时限")),
    "promised_case_without_limit": (10, _("承诺件未填写承诺办结时限")),
    "no_statutory_limit": (5, _("行政许可未填写法定办结时限")),
    "promised_exceeds_statutory": (15, _("承诺时限长于法定时限")),
    "no_service_object": (5, _("未填写服务对象")),
    "no_legal_basis": (10, _("未填写设定依据")),
    "no_handling_flow": (5, _("未填写办理流程")),
    "no_place": (5, _("未填写办理地点或办理时间")),
    "no_consultation": (5, _("未填写咨询方式")),
    "online_without_url": (5, _("标注网上办理但未填写网办地址")),
    "no_visits": (5, _("未填写到办事现场次数")),
}

# Items a citizen or company applies for; penalties, inspections and coercive measures have no applicant.
APPLIED_TYPES = {
    ItemType.LICENSING,
    ItemType.BENEFIT,
    ItemType.CONFIRMATION,
    ItemType.REWARD,
    ItemType.ADJUDICATION,
    ItemType.OTHER_POWER,
    ItemType.PUBLIC_SERVICE,
}


@dataclass
class CompletenessReport:
    flags: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return max(0, 100 - sum(CHECKS[flag][0] for flag in self.flags))

    @property
    def reasons(self) -> list[str]:
        return [str(CHECKS[flag][1]) for flag in self.flags]

    @property
    def flags_text(self) -> str:
        # Wrapped in commas so a filter can match ",flag," exactly on any database.
        return f",{','.join(self.flags)}," if self.flags else ""


def flags_from_text(text: str) -> list[str]:
    return [flag for flag in (text or "").split(",") if flag in CHECKS]


def reasons_from_text(text: str) -> list[str]:
    return [str(CHECKS[flag][1]) for flag in flags_from_text(text)]


def _in_calendar_days(amount: int, unit: str) -> float:
    # Five working days make roughly a calendar week; good enough to flag a doubtful limit, not to compute one.
    return amount * 7 / 5 if unit == TimeUnit.WORKING_DAY else amount


class _Attributes:
    """A model instance read as a mapping (deferred fields still load)."""

    def __init__(self, obj):
        self.obj = obj

    def __getitem__(self, key):
        return getattr(self.obj, key)


def assess(item) -> CompletenessReport:
    materials = [_Attributes(m) for m in item.materials.all()]
    return assess_values(_Attributes(item), materials, bool(list(item.legal_bases.all())))


def assess_values(item: dict, materials: list[dict], has_legal_basis: bool) -> CompletenessReport:
    """assess() on plain values: the item's fields by name, its materials' fields (the bulk import's content)."""
    report = CompletenessReport()
    flag = report.flags.append

    if item["code_status"] == CodeStatus.INVALID:
        flag("code_invalid")
    elif item["code_status"] in (CodeStatus.UNCHECKED, CodeStatus.EMPTY):
        flag("code_unchecked")

    item_type, case_type = item["item_type"], item["case_type"]
    promised, statutory = item["promised_limit"], item["statutory_limit"]
    if item_type in APPLIED_TYPES:
        if not item["acceptance_conditions"].strip():
            flag("no_conditions")
        if not materials:
            flag("no_materials")
        if not case_type:
            flag("no_case_type")
        if promised is None and case_type != CaseType.IMMEDIATE:
            flag("promised_case_without_limit" if case_type == CaseType.PROMISED else "no_promised_limit")
        if not item["service_objects"]:
            flag("no_service_object")
        if not item["handling_flow"].strip():
            flag("no_handling_flow")
        if not (item["address"].strip() and item["office_hours"].strip()):
            flag("no_place")
        if not item["consultation_channels"].strip():
            flag("no_consultation")
        if item["visits"] is None:
            flag("no_visits")
    if any(not m["source"] or not m["necessity"] for m in materials):
        flag("material_incomplete")
    if item_type == ItemType.LICENSING and statutory is None:
        flag("no_statutory_limit")
    if (
        promised is not None
        and statutory is not None
        and _in_calendar_days(promised, item["promised_limit_unit"])
        > _in_calendar_days(statutory, item["statutory_limit_unit"])
    ):
        flag("promised_exceeds_statutory")
    if not has_legal_basis:
        flag("no_legal_basis")
    if item["handled_online"] and not item["online_url"]:
        flag("online_without_url")
    return report


def summary_by_department(items):
    """Per department: item count, average score, items under 50, and the most frequent gaps.

    `items` is a queryset already limited to what the user may see. One aggregate query plus one pass over the
    flags column; fine for 10^5 items.
    """
    from collections import Counter, defaultdict

    from django.db.models import Avg, Count, Q

    rows = (
        items.values("department_id", "department__name")
        .annotate(
            count=Count("id"), average=Avg("completeness_score"), poor=Count("id", filter=Q(completeness_score__lt=50))
        )
        .order_by("average", "department__name")
    )
    gaps = defaultdict(Counter)
    for department_id, flags in items.values_list("department_id", "completeness_flags").iterator():
        gaps[department_id].update(flags_from_text(flags))
    return [
        {
            "department": row["department__name"],
            "department_id": row["department_id"],
            "count": row["count"],
            "average": round(row["average"] or 0),
            "poor": row["poor"],
            "top_gaps": [(str(CHECKS[flag][1]), n, flag) for flag, n in gaps[row["department_id"]].most_common(3)],
        }
        for row in rows
    ]
