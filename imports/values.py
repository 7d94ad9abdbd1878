"""Turning spreadsheet cells into model values: coded or named choices, numbers written as text, full-width
digits, 是/否 flags, time limits written as “20个工作日”. Each function returns (value, error message or None)."""

import re
import unicodedata
from functools import cache

from django.utils.translation import gettext as _

from catalog.codes import SICHUAN_ITEM_TYPES, ItemType, TimeUnit
from rules.models import key_validator

from .reader import cell_text

SEPARATORS = re.compile(r"[,，、;；/|\s]+")
TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "支持", "可以", "需要"}
FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无", "不支持", "不可以", "不需要"}


def text(value) -> str:
    # Text keeps its own punctuation (full-width brackets are content); only the edges are trimmed.
    return cell_text(value).strip(" \t\r\n\u3000")


def compact(value) -> str:
    """Codes and numbers: full-width digits and letters folded to ASCII, every space removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell_text(value)))


@cache
def choice_lookup(choices) -> dict[str, str]:
    lookup = {}

    def add(name, code):
        name = compact(name).lower()
        if name:
            lookup.setdefault(name, code)

    for code, label in choices.choices:
        add(code, code)
        add(code.lstrip("0"), code)
        label = str(label)
        add(label, code)
        add(label.split("：")[0], code)
        add(label.removeprefix("行政"), code)
        add(label.removesuffix("责任"), code)
        add(label.removesuffix("级"), code)
    if choices is ItemType:
        for code, national in SICHUAN_ITEM_TYPES.items():
            lookup.setdefault(code, national)
    if choices is TimeUnit:
        add("天", TimeUnit.NATURAL_DAY)
        add("日", TimeUnit.NATURAL_DAY)
    roman = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "ⅰ": "1", "ⅱ": "2", "ⅲ": "3", "ⅳ": "4"}
    if "1" in lookup and "Ⅰ级" in "".join(str(label) for _c, label in choices.choices):
        for numeral, code in roman.items():
            add(numeral, code)
            add(numeral + "级", code)
    return lookup


def parse_choice(value, choices):
    raw = compact(value).lower()
    if not raw:
        return "", None
    code = choice_lookup(choices).get(raw)
    if code is None:
        allowed = "、".join(f"{c} {label}" for c, label in choices.choices)
        return None, _("无法识别的取值，可填：%(allowed)s") % {"allowed": allowed}
    return str(code), None


def parse_multi(value, choices):
    parts = [p for p in SEPARATORS.split(unicodedata.normalize("NFKC", cell_text(value))) if p]
    codes = []
    for part in parts:
        code, error = parse_choice(part, choices)
        if error:
            return None, _("“%(part)s”：%(error)s") % {"part": part, "error": error}
        if code not in codes:
            codes.append(code)
    return ",".join(codes), None


def parse_int(value):
    raw = compact(value)
    if not raw:
        return None, None
    if re.fullmatch(r"\d+", raw):
        return int(raw), None
    return None, _("应为不小于0的整数")


LIMIT = re.compile(r"^(\d+)(?:个)?(工作日|自然日|天|日)?$")


def parse_limit(value):
    """(number, unit code or None). “20个工作日” gives (20, '2')."""
    raw = compact(value)
    if not raw:
        return (None, None), None
    match = LIMIT.match(raw)
    if not match:
        return (None, None), _("应为天数，如 20 或 20个工作日")
    unit = {"工作日": TimeUnit.WORKING_DAY, "自然日": TimeUnit.NATURAL_DAY, "天": TimeUnit.NATURAL_DAY,
            "日": TimeUnit.NATURAL_DAY}.get(match[2])
    return (int(match[1]), str(unit) if unit else None), None


def parse_bool(value):
    raw = compact(value).lower()
    if not raw:
        return None, None
    if raw in TRUE:
        return True, None
    if raw in FALSE:
        return False, None
    return None, _("应为 是 或 否")


LEGAL_LINE = re.compile(
    r"^(?P<law>《[^》]+》)"
    r"(?P<article>第[^：:\s]{1,40}?条(?:第[^：:\s]{1,20}?款)?(?:第[^：:\s]{1,20}?项)?)?"
    r"(?:[：:]\s*(?P<text>.*))?$",
    re.S,
)


def parse_legal_bases(value):
    """One basis per line: 《法律法规名称》第X条：条款内容. Lines in another shape are kept whole as the law."""
    bases = []
    for line in text(value).splitlines():
        line = line.strip(" \u3000\t")
        if not line:
            continue
        match = LEGAL_LINE.match(line)
        if match:
            law, article, body = match["law"], match["article"] or "", match["text"] or ""
        else:
            law, article, body = line, "", ""
        if len(law) > 300:
            return None, _("法律法规名称超过300字：每条依据请单独一行，写成“《名称》第X条：内容”")
        bases.append((law, article, body))
    return bases, None


def format_legal_bases(bases) -> str:
    lines = []
    for law, article, body in bases:
        lines.append(f"{law}{article}：{body}" if body else f"{law}{article}")
    return "\n".join(lines)


OPTION_SEPARATORS = re.compile(r"[,，、;；]")
MAX_OPTIONS = 50
MAX_OPTION_LENGTH = 100


def parse_options(value):
    """A situation question's options: “是、否”, or with values of their own, “yes=是、no=否”.

    Options are separated by 、，,；; (or one a line, when the cell has several lines); where no value is given the
    value is the label. Values are what rules compare, labels what people read: both may be Chinese text."""
    raw = text(value)
    if not raw:
        return [], None
    parts = raw.splitlines() if "\n" in raw else OPTION_SEPARATORS.split(raw)
    options, values, labels = [], set(), set()
    for part in parts:
        part = part.strip(" \t\u3000")
        if not part:
            continue
        option_value, sign, label = part.replace("＝", "=").partition("=")
        option_value, label = option_value.strip(" \t\u3000"), label.strip(" \t\u3000")
        if not sign:
            label = option_value
        if not option_value or not label:
            return None, _("选项“%(part)s”缺少值或名称：写作“名称”或“值=名称”") % {"part": part}
        if max(len(option_value), len(label)) > MAX_OPTION_LENGTH:
            return None, _("选项“%(part)s”超过%(max)d字") % {"part": part[:20], "max": MAX_OPTION_LENGTH}
        if label in labels:
            return None, _("选项“%(v)s”重复") % {"v": label}
        if option_value in values:
            return None, _("选项值“%(v)s”重复") % {"v": option_value}
        values.add(option_value)
        labels.add(label)
        options.append({"value": option_value, "label": label})
    if len(options) > MAX_OPTIONS:
        return None, _("选项最多%(max)d个") % {"max": MAX_OPTIONS}
    return options, None


def format_options(options) -> str:
    """The options as parse_options reads them: “是、否”, “yes=是、no=否”; one a line where a name holds a comma."""
    parts = [option["label"] if option["value"] == option["label"] else f"{option['value']}={option['label']}"
             for option in options or ()]
    joined = "、".join(parts)
    return "\n".join(parts) if len(OPTION_SEPARATORS.split(joined)) != len(parts) else joined


def parse_key(value):
    """A situation question's key (问题标识): what rules name as situation.<key>, so ASCII and checked as saved."""
    raw = compact(value)
    if not raw:
        return "", None
    if not key_validator.regex.fullmatch(raw):
        return None, _("问题标识“%(key)s”不可用：%(rule)s") % {"key": raw[:50], "rule": key_validator.message}
    return raw, None
