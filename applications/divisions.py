"""Administrative divisions (GB/T 2260) by level, for the division field's three selects: names from
data/regions, the same data catalog.validators checks codes against."""

import csv
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=1)
def _data():
    names, children = {}, {"": []}
    root = settings.DATA_DIR / "regions"
    with open(root / "provinces.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].ljust(6, "0")
            names[code] = row["name"]
            children[""].append(code)
    with open(root / "cities.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].ljust(6, "0")
            names[code] = row["name"]
            children.setdefault(row["provinceCode"].ljust(6, "0"), []).append(code)
    with open(root / "areas.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names[row["code"]] = row["name"]
            children.setdefault(row["cityCode"].ljust(6, "0"), []).append(row["code"])
    return names, children


def name(code: str) -> str:
    return _data()[0].get(code, "")


def children_of(code: str) -> list[tuple[str, str]]:
    """The divisions one level below `code` ("" for the provinces), as (code, name)."""
    names, children = _data()
    return [(c, names[c]) for c in children.get(code, [])]


def parents(code: str) -> list[str]:
    """province, city, county codes of a 6-digit code, as far as it goes."""
    if len(code) != 6 or not code.isdigit() or code not in _data()[0]:
        return []
    chain = [code[:2] + "0000"]
    if code[2:4] != "00" and code[:4] + "00" in _data()[0]:
        chain.append(code[:4] + "00")
    if code[4:] != "00":
        chain.append(code)
    return chain


def full_name(code: str) -> str:
    return "".join(name(c) for c in parents(code))


def chosen(province: str, city: str, county: str) -> str | None:
    """The deepest division chosen, consistent with the ones above it (a county of another city is ignored)."""
    names, children = _data()
    value = None
    if province in children[""]:
        value = province
        if city in children.get(province, []):
            value = city
            if county in children.get(city, []):
                value = county
    return value


def selects(value: str, levels, base_id: str, base_name: str) -> list[dict]:
    """The selects of a division field: each level's options under the level above it (empty until it is
    chosen, without JavaScript: the page's 选择下一级 button fills it)."""
    chain = parents(value)
    out, parent = [], ""
    labels = {"province": "省（自治区、直辖市）", "city": "市（地区、州）", "county": "县（市、区）"}
    for index, level in enumerate(levels):
        options = children_of(parent) if index == 0 or parent else []
        current = chain[index] if index < len(chain) else ""
        out.append({"level": level, "label": labels[level], "name": f"{base_name}.{level}",
                    "id": base_id if index == 0 else f"{base_id}-{level}",
                    "options": [{"value": c, "label": n, "selected": c == current} for c, n in options]})
        parent = current
    return out
