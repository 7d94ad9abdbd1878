"""Search relevance over the real demo catalogue: recall@5 and MRR of the labelled queries in relevance.py.

The thresholds are the figures measured when the test was written, minus a small margin: a change that makes
search worse for citizens fails here. Run with -s to see the report.
"""

import pytest
from django.core.management import call_command

from publish import search
from publish.seed import seed_synonyms

from .relevance import JUDGEMENTS

MIN_RECALL_AT_5 = 0.95  # measured 0.979 (47/48)
MIN_MRR = 0.88  # measured 0.926


@pytest.fixture
def demo_catalogue(db):
    seed_synonyms()  # a flushing (transactional) test may have removed the migration's rows
    call_command("load_demo", verbosity=0)
    search.rebuild()


def evaluate():
    rows = []
    for query, expected in JUDGEMENTS:
        titles = [hit.title for hit in search.search(query, page_size=5, record=False).hits]
        rank = next((i + 1 for i, title in enumerate(titles) if title in expected), None)
        rows.append((query, rank, titles))
    recall = sum(1 for _q, rank, _t in rows if rank) / len(rows)
    mrr = sum(1 / rank for _q, rank, _t in rows if rank) / len(rows)
    return recall, mrr, rows


def test_labelled_queries_find_the_right_items(demo_catalogue):
    assert len(JUDGEMENTS) >= 40
    recall, mrr, rows = evaluate()
    misses = [f"{q} → {titles}" for q, rank, titles in rows if not rank]
    print(f"\nrelevance: {len(rows)} queries, recall@5 = {recall:.3f}, MRR = {mrr:.3f}")
    for line in misses:
        print("  miss:", line)
    assert recall >= MIN_RECALL_AT_5, misses
    assert mrr >= MIN_MRR, misses
