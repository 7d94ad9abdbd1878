"""What a rule of an item may name (DESIGN, "One rule set per item"): its situation questions' answers
(``situation.<key>``), its form's fields (``form.<key>``), the applicant's profile (``applicant.<key>``) and the
item's published elements (``item.<field>``). A rule that names anything else is refused when it is saved."""

from catalog.models import ServiceItem

# The applicant's profile as the platform knows it (一号申请): filled from the account or, at a window, by staff.
APPLICANT_FIELDS = {
    "applicant.type": "申请人类型：person（自然人）或 company（法人和其他组织）",
    "applicant.name": "姓名或单位名称",
    "applicant.id_number": "居民身份证号码",
    "applicant.credit_code": "统一社会信用代码",
    "applicant.age": "年龄（周岁）",
    "applicant.sex": "性别：男 或 女",
    "applicant.region": "所在行政区划代码",
    "applicant.mobile": "手机号码",
}

_ITEM_KINDS = {"CharField", "TextField", "BooleanField", "PositiveIntegerField", "PositiveSmallIntegerField"}
ITEM_FIELDS = {
    f"item.{field.name}": str(field.verbose_name)
    for field in ServiceItem._meta.concrete_fields
    if field.get_internal_type() in _ITEM_KINDS and field.editable
}


def variables(situation_keys=(), form_keys=()) -> set[str]:
    """The dotted names a rule of an item with these questions and form fields may use (for logic.validate)."""
    return {
        *(f"situation.{key}" for key in situation_keys),
        *(f"form.{key}" for key in form_keys),
        *APPLICANT_FIELDS,
        *ITEM_FIELDS,
    }


def item_values(item) -> dict:
    """The item's published elements as rules see them (``item.<field>``)."""
    return {name[5:]: getattr(item, name[5:]) for name in ITEM_FIELDS}
