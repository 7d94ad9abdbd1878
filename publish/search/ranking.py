"""How the database backends rank: the query's terms and synonyms, their idf, and the exact score of the best
candidates that the database's own rank (bm25, ts_rank) selected.

score = Σ idf × query weight × field weight (fields.TEXT_FIELDS), times the squared coverage of the query, then
the phrase bonus (rerank). The query's terms and their synonyms are Elasticsearch's too (weighted_query_terms).
"""

import math
from dataclasses import dataclass

from .. import text
from ..models import SearchDocument, Synonym, TermFrequency
from . import cache
from .documents import DOCUMENTS
from .fields import WEIGHTS

SYNONYM_FACTOR = 0.9
# Candidates ranked by the database and rescored here (coverage, phrase bonus) before paging; deeper pages keep
# the database's order.
RERANK_DEPTH = 200
# A near miss (a query term no document has) with fewer results than this offers "did you mean".
DID_YOU_MEAN_BELOW = 5
# A term in more than this share of documents (许可, 办理, 证明 …) does not select documents by itself: it only
# adds to the score of documents that a more specific term selected (like Elasticsearch's common-terms query).
COMMON_TERM_SHARE = 0.05
# The selective terms that select candidates are the rarest, until together they occur in about this many
# documents (at least one term): the others, which would flood the candidates with documents matching only a
# by-word of a synonym (社会, 卡 …), still score. Below this size every selective term selects.
SELECT_POOL = 4000

# A citizen who names a licence without saying which step usually wants the first application, not its
# renewal, change or cancellation: a light nudge among titles that match equally well otherwise.
FIRST_STEP_WORDS = ("核发", "新办", "设立", "申领", "首次", "认定", "成立", "审批", "办理")
LATER_STEP_WORDS = ("延续", "变更", "注销", "换发", "补办", "补领", "补发", "迁移", "作废", "年检", "信息变更")


def _load_synonym_table() -> list[tuple[str, list[str]]]:
    pairs = []
    for synonym in Synonym.objects.all():
        words = synonym.expansion_list
        pairs.append((text.normalise(synonym.term), words))
        if synonym.two_way:
            for word in words:
                pairs.append((text.normalise(word), [synonym.term]))
    return pairs


def synonym_table(key_prefix: str | None = None) -> list[tuple[str, list[str]]]:
    return cache.cached(key_prefix or cache.prefix(), "synonyms", _load_synonym_table)


def weighted_query_terms(query: str, key_prefix: str | None = None) -> dict[str, float]:
    """The query's terms with weight 1, plus the terms of any synonym whose word occurs in the query."""
    weights = {term: 1.0 for term in text.query_terms(query)}
    normalised = text.normalise(query)
    for word, expansions in synonym_table(key_prefix):
        if word and word in normalised:
            for expansion in expansions:
                for term in text.query_terms(expansion):
                    weights.setdefault(term, SYNONYM_FACTOR)
    return weights


def term_statistics(query_weights: dict[str, float]) -> tuple[dict[str, float], list[str]]:
    """idf of the query's indexed terms, and the terms that select candidates, rarest first."""
    frequencies = dict(
        TermFrequency.objects.filter(term__in=[DOCUMENTS, *query_weights], documents__gt=0).values_list(
            "term", "documents"
        )
    )
    total = frequencies.pop(DOCUMENTS, 0) or SearchDocument.objects.count() or 1
    idf = {term: math.log(1 + total / frequencies[term]) for term in query_weights if term in frequencies}
    selective = sorted((t for t in idf if frequencies[t] <= max(50, total * COMMON_TERM_SHARE)),
                       key=lambda t: (frequencies[t], t))
    if not selective and idf:
        selective = [min(idf, key=lambda t: frequencies[t])]
    selecting, pool = [], 0
    for term in selective:
        if selecting and pool + frequencies[term] > SELECT_POOL:
            break
        selecting.append(term)
        pool += frequencies[term]
    return idf, selecting


@dataclass
class Ranking:
    """What a query and its filters yield, independent of the page: cached per publication generation."""

    terms: list[str]
    weights: dict[str, float]
    idf: dict[str, float]
    selective: list[str]
    scored: list[tuple[int, float]]  # the best RERANK_DEPTH (document id, score), best first
    total: int
    did_you_mean: str = ""


def term_weight(term: str, fields) -> float:
    """The strongest field a term occurs in, plus a little for each further field (fields: padded term strings,
    in fields.TEXT_FIELDS order)."""
    weight, needle = 0.0, f" {term} "
    for terms, field_weight in zip(fields, WEIGHTS, strict=True):
        if needle in terms:
            weight = max(weight, field_weight) + min(weight, field_weight) * 0.1
    return weight


def score_rows(rows, query: str, weights: dict[str, float], idf: dict[str, float]) -> list[tuple[int, float]]:
    """Exact scores of (id, title, title_terms, main_terms, body_terms) rows, best first.

    Σ idf × query weight × field weight, times the squared coverage: the share of the query's own terms (by idf)
    a document matches, so a title that has all of 营业 执照 营业执照 in its body outranks one that merely has
    营业 in its title. Synonyms count towards it. Then the phrase bonus (rerank)."""
    original = sum(idf[t] for t, w in weights.items() if t in idf and w == 1.0) or sum(idf.values())
    scored = []
    for pk, title, title_terms, main_terms, body_terms in rows:
        fields = (f" {title_terms} ", f" {main_terms} ", f" {body_terms} ")
        raw = covered = 0.0
        for term, term_idf in idf.items():
            weight = term_weight(term, fields)
            if weight:
                raw += term_idf * weights[term] * weight
                covered += term_idf * weights[term] / original
        score = raw * min(covered, 1.0) ** 2
        scored.append((rerank(title, score, query), len(title), pk))
    scored.sort(key=lambda row: (-row[0], row[1], row[2]))
    return [(pk, score) for score, _length, pk in scored]


def rerank(title: str, score: float, query: str) -> float:
    """The phrase bonus (the whole query in the title), and the nudge towards a licence's first step."""
    title = text.normalise(title)
    q = text.normalise(query)
    if title == q:
        score *= 3
    elif q in title:
        score *= 2
    if not any(word in q for word in LATER_STEP_WORDS):
        if any(word in title for word in LATER_STEP_WORDS):
            score *= 0.9
        elif any(word in title for word in FIRST_STEP_WORDS):
            score *= 1.05
    return score
