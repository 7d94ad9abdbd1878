"""`make bench`: POST /api/v1/items/<code>/evaluate/ for an item with 20 situation questions and 30 materials with
rules (goal: p95 ≤ 10 ms; docs/benchmarks.md). Requests go through Django's whole stack (middleware, URL, view,
JSON), in process; the figure is printed and the test asserts only that the answers changed the list."""

import json
import os
import random
import statistics
import time

import pytest
from django.test import Client

from rules.models import SituationQuestion
from tests.catalog.factories import MaterialFactory, ServiceItemFactory


@pytest.mark.django_db
def test_evaluate_endpoint_latency():
    item = ServiceItemFactory(name="二十个情形问题的事项", promised_limit=10)
    for index in range(20):
        SituationQuestion.objects.create(
            item=item, sort_order=index, key=f"q{index}", text=f"问题{index}", kind="multiple" if index % 5 == 4
            else "single", options=[{"value": v, "label": v} for v in ("a", "b", "c")],
            asked_when={"!=": [{"var": f"situation.q{index - 1}"}, "c"]} if index % 3 == 2 else None,
        )
    for index in range(30):
        q = index % 20
        rule = ({"some": [{"var": f"situation.q{q}"}, {"in": [{"var": ""}, ["a", "b"]]}]} if q % 5 == 4
                else {"and": [{"in": [{"var": f"situation.q{q}"}, ["a", "b"]]},
                              {"!=": [{"var": f"situation.q{(q + 1) % 20}"}, "c"]}]})
        MaterialFactory(item=item, sort_order=index, name=f"材料{index}", required_when=rule)
    item.save_revision().publish()

    rng = random.Random(20261201)
    url = f"/api/v1/items/{item.implementation_code}/evaluate/"
    client = Client()
    n = int(os.environ.get("BENCH_EVALUATE_REQUESTS", "2000"))
    bodies = []
    for _ in range(n):
        answers = {f"q{i}": (rng.sample("abc", 2) if i % 5 == 4 else rng.choice("abc")) for i in range(20)}
        bodies.append(json.dumps({"answers": answers}))
    client.post(url, bodies[0], content_type="application/json")  # compiles the rule set once
    times, sizes = [], set()
    for body in bodies:
        began = time.perf_counter()
        response = client.post(url, body, content_type="application/json")
        times.append(time.perf_counter() - began)
        assert response.status_code == 200
        sizes.add(len(response.json()["materials"]))
    times.sort()
    p50, p95, p99 = (times[int(len(times) * q)] * 1000 for q in (0.50, 0.95, 0.99))
    print(f"\nevaluate: {n:,} requests, 20 questions, 30 materials: p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
          f"p99 {p99:.2f} ms, mean {statistics.mean(times) * 1000:.2f} ms")
    assert len(sizes) > 5  # the answers really change the list
