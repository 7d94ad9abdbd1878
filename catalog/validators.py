"""Checks for the coded identifiers of the catalogue.

python-stdnum covers the unified social credit code (GB 32100, its own check digit) and the resident ID number
(GB 11643). It does not check the organisation code (GB 11714) embedded in a credit code, the division code, the
12-digit basic code or the 31-character implementation code: those are ours.

Every function here only judges; none rewrites a value.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from .codes import CodeStatus

_ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code_check_digit(body: str) -> str:
    """GB 11714: check digit of the 8-character organisation code body (weights 3,7,9,10,5,8,4,2 mod 11)."""
    total = sum(_ORG_CODE_ALPHABET.index(c) * w for c, w in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def is_valid_organisation_code(code: str) -> bool:
    code = code.replace("-", "").upper()
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", code):
        return False
    return organisation_code_check_digit(code[:8]) == code[8]


def check_credit_code(value: str) -> str | None:
    """Return an error message for a unified social credit code, or None when it is valid.

    GB 32100 check digit via python-stdnum, plus the embedded GB 11714 organisation code (characters 9–17),
    which stdnum does not verify.
    """
    value = (value or "").strip()
    if len(value) != 18:
        return _("统一社会信用代码应为18位，实际为%(n)d位") % {"n": len(value)}
    if value != value.upper():
        # stdnum upper-cases before checking; the standard's alphabet has capitals only.
        return _("统一社会信用代码只能使用数字和大写字母")
    try:
        uscc.validate(value)
    except (StdnumError, KeyError, ValueError):  # stdnum raises ValueError for some characters it cannot map
        return _("统一社会信用代码校验位不正确（GB 32100）")
    if not is_valid_organisation_code(value[8:17]):
        return _("统一社会信用代码中的组织机构代码校验位不正确（GB 11714）")
    return None


def check_resident_id(value: str) -> str | None:
    """Resident ID number (GB 11643): python-stdnum checks length, birth date, region and check digit."""
    value = (value or "").strip()
    if any(character.isspace() for character in value):
        # stdnum's digit test lets a newline through before the check digit.
        return _("居民身份证号码不能包含空格或换行")
    try:
        ric.validate(value)
    except (StdnumError, KeyError, ValueError):  # stdnum raises KeyError for a known province's unknown county
        return _("居民身份证号码不正确（GB 11643）")
    return None


@lru_cache(maxsize=1)
def division_codes() -> frozenset[str]:
    """The six-digit province, city and county codes (GB/T 2260) shipped in data/regions."""
    import csv

    codes = set()
    for name, width in (("provinces", 2), ("cities", 4), ("areas", 6)):
        with open(settings.DATA_DIR / "regions" / f"{name}.csv", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                codes.add(row["code"].ljust(6, "0")[:6] if width < 6 else row["code"])
    return frozenset(codes)


def check_division_code(value: str) -> str | None:
    """A 6-digit division code, or the 12-digit statistical code that pads it with zeros (511602000000)."""
    value = (value or "").strip()
    if not re.fullmatch(r"\d{6}(\d{6})?", value):
        return _("行政区划代码应为6位或12位数字")
    if len(value) == 12 and not value.endswith("000000"):
        # 12-digit codes below county level (towns, villages) are not in the shipped data.
        return None
    if value[:6] not in division_codes():
        return _("行政区划代码 %(code)s 不存在（GB/T 2260）") % {"code": value[:6]}
    return None


def check_basic_code(value: str, item_type: str | None = None) -> str | None:
    """12-digit basic catalogue code: 2 prefix + 2 type + 2 department + 3 main item + 3 sub-item.

    The type digits must agree with the item type when one is given.
    """
    value = (value or "").strip()
    if not re.fullmatch(r"\d{12}", value):
        return _("基本编码应为12位数字")
    if item_type and value[2:4] != item_type:
        return _("基本编码第3–4位（%(digits)s）与事项类型代码（%(type)s）不一致") % {
            "digits": value[2:4],
            "type": item_type,
        }
    return None


def check_implementation_code(value: str, item_type: str | None = None) -> str | None:
    """31-character national implementation code: 18-char credit code + 1 level digit + 12-digit basic code."""
    value = (value or "").strip()
    if len(value) != 31:
        return _("国家实施编码应为31位，实际为%(n)d位") % {"n": len(value)}
    credit_error = check_credit_code(value[:18])
    if credit_error:
        return _("实施编码中的部门代码部分：%(error)s") % {"error": credit_error}
    if value[18] not in "12345":
        return _("实施编码第19位应为行使层级代码1–5")
    basic_error = check_basic_code(value[19:], item_type)
    if basic_error:
        return _("实施编码中的基本编码部分：%(error)s") % {"error": basic_error}
    return None


# Sichuan implementation code: basic code - 12-digit area - 000 - credit code - level - sequence.
SICHUAN_CODE = re.compile(
    r"^(?P<basic>.+)-(?P<area>\d{12})-(?P<fixed>\d{3})-(?P<credit>[0-9A-Za-z]+)-(?P<level>\d)-(?P<seq>\d{2})$"
)


@dataclass(frozen=True)
class CodeVerdict:
    status: str
    message: str = ""


def judge_implementation_code(value: str, item_type: str | None = None) -> CodeVerdict:
    """Classify an implementation code as given: a checked national code, a regional one, or a broken one."""
    value = (value or "").strip()
    if not value:
        return CodeVerdict(CodeStatus.EMPTY, _("未填写实施编码"))
    if len(value) == 31 and re.fullmatch(r"[0-9A-Z]{31}", value):
        error = check_implementation_code(value, item_type)
        return CodeVerdict(CodeStatus.INVALID, error) if error else CodeVerdict(CodeStatus.VALID)
    regional = SICHUAN_CODE.match(value)
    if regional:
        # The credit-code part of a regional code can still be checked; the rest follows local rules.
        department = judge_credit_code(regional["credit"])
        if department.status == CodeStatus.INVALID:
            return CodeVerdict(
                CodeStatus.INVALID, _("地方实施编码中的部门代码：%(error)s") % {"error": department.message}
            )
        return CodeVerdict(CodeStatus.UNCHECKED, _("地方编码格式（四川），按原样保存，未按国家标准校验"))
    return CodeVerdict(CodeStatus.UNCHECKED, _("非国家标准格式的实施编码，按原样保存，无法校验"))


_regional_verdicts: dict[str, tuple[str, str]] = {}


def code_verdict(code: str, item_type: str) -> tuple[str, str]:
    """(status, message) of judge_implementation_code. A regional code's verdict depends on its credit-code part
    alone, so it is judged once per department."""
    match = SICHUAN_CODE.match(code or "") if len(code or "") != 31 else None
    found = _regional_verdicts.get(match["credit"]) if match else None
    if found is None:
        verdict = judge_implementation_code(code, item_type)
        found = (verdict.status, str(verdict.message)[:300])
        if match:
            _regional_verdicts[match["credit"]] = found
    return found


def judge_credit_code(value: str) -> CodeVerdict:
    value = (value or "").strip()
    if not value:
        return CodeVerdict(CodeStatus.EMPTY, _("未填写统一社会信用代码"))
    if re.fullmatch(r"[0-9A-Z]{8}-?[0-9X]", value):
        if is_valid_organisation_code(value):
            return CodeVerdict(CodeStatus.UNCHECKED, _("填写的是9位组织机构代码，不是统一社会信用代码"))
        return CodeVerdict(CodeStatus.INVALID, _("组织机构代码校验位不正确（GB 11714）"))
    error = check_credit_code(value)
    return CodeVerdict(CodeStatus.INVALID, error) if error else CodeVerdict(CodeStatus.VALID)


def _raise_if(error):
    if error:
        raise ValidationError(error)


def validate_credit_code(value):
    if value:
        _raise_if(check_credit_code(value))


def validate_resident_id(value):
    if value:
        _raise_if(check_resident_id(value))


def validate_division_code(value):
    if value:
        _raise_if(check_division_code(value))
