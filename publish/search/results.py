"""What a search gives back, whichever backend found it: SearchResult of Hit, the facets, highlighting."""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from catalog.codes import ItemType
from catalog.models import Department

from .. import text
from ..models import SearchDocument
from .fields import FACET_COUNTS


@dataclass
class Hit:
    document: SearchDocument
    score: float

    @property
    def code(self):
        return self.document.code

    @property
    def title(self):
        return self.document.title


class LazyFacets(Mapping):
    """Facets computed on first use: the API never shows them, the results page does (cached like the rest)."""

    def __init__(self, load):
        self._load, self._data = load, None

    def _loaded(self) -> dict:
        if self._data is None:
            self._data = self._load()
        return self._data

    def __getitem__(self, key):
        return self._loaded()[key]

    def __iter__(self):
        return iter(self._loaded())

    def __len__(self):
        return len(self._loaded())


@dataclass
class SearchResult:
    query: str
    terms: list[str]
    hits: list[Hit]
    total: int
    page: int
    page_size: int
    facets: Mapping = field(default_factory=dict)
    did_you_mean: str = ""

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_next(self):
        return self.page < self.pages

    def highlight(self, value: str):
        return highlight(value, self.terms)


def facets(by_department: dict[int, int], by_type: dict[str, int], counts: dict[str, int]) -> dict:
    """The facets as the pages and the API show them, from the counts per department and type and of each of
    fields.FACET_COUNTS."""
    names = Department.objects.in_bulk(list(by_department))
    labels = dict(ItemType.choices)
    return {
        "department": sorted(
            [{"value": pk, "label": str(names[pk]), "count": n} for pk, n in by_department.items() if pk in names],
            key=lambda row: (-row["count"], row["label"]),
        ),
        "item_type": [
            {"value": code, "label": str(labels.get(code, code)), "count": by_type[code]} for code in sorted(by_type)
        ],
        "audience": [
            {"value": "person", "label": "个人办事", "count": counts["person"]},
            {"value": "legal", "label": "法人办事", "count": counts["legal"]},
        ],
        "online": counts["online"],
        "one_visit": counts["one_visit"],
    }


def facets_from_rows(rows) -> dict:
    """facets() from rows of (department, item type, documents, then the count of each of FACET_COUNTS)."""
    by_department, by_type = {}, {}
    counts = dict.fromkeys(FACET_COUNTS, 0)
    for department_id, item_type, n, *met in rows:
        by_department[department_id] = by_department.get(department_id, 0) + n
        by_type[item_type] = by_type.get(item_type, 0) + n
        for name, value in zip(FACET_COUNTS, met, strict=True):
            counts[name] += value or 0
    return facets(by_department, by_type, counts)


def highlight(value: str, terms: list[str]):
    """value with each occurrence of the query's terms wrapped in <mark>; everything else escaped."""
    if not value:
        return ""
    lowered = text.normalise(value)
    marks = [False] * len(value)
    # NFKC may change lengths for a few characters; only highlight when positions line up.
    if len(lowered) == len(value):
        for term in sorted({t for t in terms if t}, key=len, reverse=True):
            start = lowered.find(term)
            while start != -1:
                for i in range(start, start + len(term)):
                    marks[i] = True
                start = lowered.find(term, start + len(term))
    out, open_ = [], False
    for char, marked in zip(value, marks, strict=True):
        if marked and not open_:
            out.append("<mark>")
            open_ = True
        elif not marked and open_:
            out.append("</mark>")
            open_ = False
        out.append(escape(char))
    if open_:
        out.append("</mark>")
    return mark_safe("".join(out))
