"""Search benchmark: N published items, the open-data search API's latency (p50/p95) and suggestions.

    DATABASE_URL=sqlite:////tmp/tongban-search-bench.sqlite3 python tests/benchmarks/search_bench.py 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_search python tests/benchmarks/search_bench.py 100000

SEARCH_BENCH_REBUILD=0 skips the index rebuild (times the queries over the index of an earlier run).

Builds the catalogue from the real demo list (1,135 names) implemented by many townships, as a province's list
repeats one item per implementing unit; then rebuilds the index and times the API with the labelled queries.
Prints one JSON object. Run by test_search_benchmark.py (`make bench`).
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOWNS = [f"{a}{b}镇" for a in "东南西北中花石龙凤桥溪河" for b in "山林坝湾口岭"] + [
    f"{a}{b}乡" for a in "大小新老上下前后" for b in "兴和安平庙"]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main(n):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from catalog.models import ServiceItem
    from publish import search
    from publish.seed import seed_synonyms
    from tests.publish.relevance import JUDGEMENTS

    seed_synonyms()
    if not ServiceItem.objects.exists():
        call_command("load_demo", verbosity=0)
    base = list(ServiceItem.objects.filter(live=True).values("name", "item_type", "department_id",
                                                              "main_item_name", "implementation_code"))
    existing = ServiceItem.objects.count()
    started = time.perf_counter()
    batch, i = [], 0
    while existing + i < n:
        row = base[i % len(base)]
        town = TOWNS[(i // len(base)) % len(TOWNS)]
        batch.append(ServiceItem(
            name=f"{row['name']}（{town}）", implementation_code=f"BENCH{i:08d}-{row['implementation_code'][:20]}",
            item_type=row["item_type"], department_id=row["department_id"], main_item_name=row["main_item_name"],
            live=True, acceptance_conditions=f"在{town}便民服务中心受理。", visits=i % 3, handled_online=i % 2 == 0,
            service_objects="1" if i % 3 else "2",
        ))
        i += 1
        if len(batch) == 5000:
            ServiceItem.objects.bulk_create(batch)
            batch = []
    if batch:
        ServiceItem.objects.bulk_create(batch)
    created = time.perf_counter() - started
    started = time.perf_counter()
    if os.environ.get("SEARCH_BENCH_REBUILD", "1") == "1":
        indexed = search.rebuild(batch_size=2000)
    else:  # SEARCH_BENCH_REBUILD=0: time the queries over the index built by an earlier run
        from publish.models import SearchDocument

        indexed = SearchDocument.objects.count()
    index_seconds = time.perf_counter() - started

    client = Client()
    queries = [q for q, _expected in JUDGEMENTS]
    for q in queries[:5]:
        client.get("/api/v1/items/", {"q": q})
    api, suggest = [], []
    for _round in range(3):
        for q in queries:
            t = time.perf_counter()
            response = client.get("/api/v1/items/", {"q": q, "page": _round + 1})
            api.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.content
            t = time.perf_counter()
            client.get("/search/suggest/", {"q": q[:2]})
            suggest.append((time.perf_counter() - t) * 1000)
    for prefix in ("sfz", "yyzz", "shebao", "jmsf"):
        t = time.perf_counter()
        client.get("/search/suggest/", {"q": prefix})
        suggest.append((time.perf_counter() - t) * 1000)
    # Cold: every query's first page with an empty cache (no cached results, synonyms or document count).
    from django.core.cache import cache

    cold = []
    for q in queries:
        cache.clear()
        t = time.perf_counter()
        response = client.get("/api/v1/items/", {"q": q})
        cold.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.content
    print(json.dumps({
        "items": ServiceItem.objects.filter(live=True).count(),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "create_seconds": round(created, 1),
        "index_seconds": round(index_seconds, 1),
        "indexed": indexed,
        "api_requests": len(api),
        "api_p50_ms": round(statistics.median(api), 1),
        "api_p95_ms": round(percentile(api, 95), 1),
        "api_cold_p50_ms": round(statistics.median(cold), 1),
        "api_cold_p95_ms": round(percentile(cold, 95), 1),
        "api_cold_max_ms": round(max(cold), 1),
        "suggest_p50_ms": round(statistics.median(suggest), 1),
        "suggest_p95_ms": round(percentile(suggest, 95), 1),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
