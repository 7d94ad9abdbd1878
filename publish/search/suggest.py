"""What the site offers beside the results: titles as the user types, "did you mean" on a near miss, and the
departments to call when nothing is found. All read the database's documents, whichever backend ranks."""

import bisect
import threading

from django.db.models import Count, Q

from catalog.models import Department

from .. import text
from ..models import SearchDocument
from . import cache


class Titles:
    """Every indexed title with its pinyin and initials, each field joined into one string, so a substring is
    found by str.find at C speed instead of a LIKE '%…%' scan of the table per keystroke."""

    FIELDS = ("title", "pinyin", "initials")

    def __init__(self, rows):
        self.rows = rows  # (title, code, pinyin, initials)
        self.text, self.offsets = {}, {}
        for index, name in ((0, "title"), (2, "pinyin"), (3, "initials")):
            values = [text.normalise(row[index]).replace("\n", " ") for row in rows]
            offsets, position = [], 0
            for value in values:
                offsets.append(position)  # the "\n" before the row's value
                position += len(value) + 1
            offsets.append(position)
            self.text[name] = "\n" + "\n".join(values) + "\n"
            self.offsets[name] = offsets

    def find(self, name: str, needle: str, at_start: bool, found: dict, limit: int):
        """Add to found (row index → at_start) the rows whose field contains (at_start: starts with) needle."""
        haystack, offsets = self.text[name], self.offsets[name]
        needle = needle.replace("\n", " ")
        if not needle:
            return
        if at_start:
            needle = "\n" + needle
        position = haystack.find(needle)
        while position != -1 and len(found) < limit:
            row = bisect.bisect_right(offsets, position) - 1
            found.setdefault(row, at_start)
            position = haystack.find(needle, offsets[row + 1])


_titles_lock = threading.Lock()
_titles: dict = {}


def titles() -> Titles:
    """The titles of the index, loaded once per process and publication generation."""
    key = cache.prefix()
    current = _titles.get(key)
    if current is None:
        with _titles_lock:
            current = _titles.get(key)
            if current is None:
                rows = list(SearchDocument.objects.order_by("id").values_list("title", "code", "pinyin", "initials"))
                current = Titles(rows)
                _titles.clear()
                _titles[key] = current
    return current


def suggest(prefix: str, limit: int = 8) -> list[dict]:
    """Top titles for what the user has typed so far: Chinese by title, latin letters by pinyin or initials."""
    prefix = text.normalise(prefix).strip()[:50]
    if not prefix:
        return []
    corpus = titles()
    found: dict[int, bool] = {}
    cap = limit * 20
    if text.looks_like_pinyin(prefix):
        compact = prefix.replace(" ", "")
        for at_start in (True, False):
            for name in ("initials", "pinyin"):
                corpus.find(name, compact, at_start, found, cap)
    else:
        for at_start in (True, False):
            corpus.find("title", prefix, at_start, found, cap)
    rows = [corpus.rows[index] for index in found]

    def rank(row):
        starts = row[0].startswith(prefix) or row[3].startswith(prefix) or row[2].startswith(prefix)
        return (not starts, len(row[0]), row[0])

    rows.sort(key=rank)
    seen, out = set(), []
    for row in rows:
        if row[0] in seen:
            continue
        seen.add(row[0])
        out.append({"title": row[0], "code": row[1]})
        if len(out) == limit:
            break
    return out


def did_you_mean(query: str) -> str:
    """On a near miss, a title that sounds like the query (same pinyin), e.g. 身份正 → 居民身份证…"""
    if text.looks_like_pinyin(query):
        found = suggest(query, limit=1)
        return found[0]["title"] if found else ""
    sound = text.pinyin(query)
    if len(sound) < 4:
        return ""
    corpus = titles()
    found: dict[int, bool] = {}
    corpus.find("pinyin", sound, False, found, 1000)
    if found:
        return min(corpus.rows[index][0] for index in found)
    # Else the longest indexed term that sounds like one of the query's terms.
    for term in sorted(text.query_terms(query), key=len, reverse=True):
        if len(term) < 2:
            continue
        corpus.find("pinyin", text.pinyin(term), False, found, 1)
        if found:
            return corpus.rows[next(iter(found))][0]
    return ""


def popular_departments(limit=5):
    """Departments with the most published items: offered on the empty-result page with their phone."""
    return Department.objects.filter(
        id__in=SearchDocument.objects.values("department_id")
    ).annotate(n=Count("items", filter=Q(items__live=True))).order_by("-n")[:limit]
