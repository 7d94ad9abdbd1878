"""`make bench`: rules.calendar.due_date calls per second (goal ≥ 1,000,000/s; docs/benchmarks.md).

Random starts 2008–2026, amounts 0–120, both units, on the seeded calendar. The figure is printed; the test
asserts only that the fast path and the full computation agree, not a speed (this machine is shared).
BENCH_CALENDAR_CALLS (default 1000000) sets the calls per round; the best of five rounds is reported.
"""

import os
import random
import time
from datetime import date, timedelta

import pytest

from rules import calendar
from rules.calendar import NATURAL_DAY, WORKING_DAY


@pytest.mark.django_db
def test_due_date_calls_per_second():
    calendar.seed_calendar()  # a flushing test may have removed the migration's rows
    n = int(os.environ.get("BENCH_CALENDAR_CALLS", "1000000"))
    rng = random.Random(20261201)
    first, span = date(2008, 1, 1), (date(2026, 12, 31) - date(2008, 1, 1)).days
    calls = [
        (first + timedelta(days=rng.randrange(span + 1)), rng.randrange(121), rng.choice((NATURAL_DAY, WORKING_DAY)))
        for _ in range(n)
    ]
    due_date = calendar.due_date
    due_date(*calls[0])  # builds the arrays: one query, once per process

    rounds = []
    for _ in range(5):
        began = time.perf_counter()
        for start, amount, unit in calls:
            due_date(start, amount, unit)
        rounds.append(time.perf_counter() - began)
    best = min(rounds)
    empty = time.perf_counter()
    for _start, _amount, _unit in calls:
        pass
    loop = time.perf_counter() - empty
    print(
        f"\ncalendar: due_date {n / best:,.0f} calls/s (best of 5 rounds of {n:,}; "
        f"{best / n * 1e9:.0f} ns per call, of which the benchmark's own loop {loop / n * 1e9:.0f} ns; "
        f"median round {sorted(rounds)[2]:.3f} s)"
    )

    # For comparison: the full computation, with a clock stop (补正) of 0–20 days in each call.
    stopped = [(start, amount, unit, [(start + timedelta(days=3), start + timedelta(days=3 + amount % 21))])
               for start, amount, unit in calls[:100000]]
    began = time.perf_counter()
    for start, amount, unit, stops in stopped:
        calendar.due(start, amount, unit, stops)
    with_stops = time.perf_counter() - began
    print(f"calendar: due with a clock stop {len(stopped) / with_stops:,.0f} calls/s")

    for start, amount, unit in calls[:20000]:
        assert due_date(start, amount, unit) == calendar.due(start, amount, unit).date
    assert due_date(date(2026, 9, 30), 1, WORKING_DAY) == date(2026, 10, 8)
    assert due_date(date(2026, 9, 24), 7, NATURAL_DAY) == date(2026, 10, 8)
