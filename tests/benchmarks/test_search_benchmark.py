"""`make bench`: search over many published items and a cached guide page under load (docs/benchmarks.md).

Each runs in a child process with its own SQLite file, so it never touches the development database.
BENCH_SEARCH_ITEMS (default 100000) sets the catalogue size.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


def run(script, *args, database):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(HERE / script), *map(str, args)], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True, timeout=3600).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_search_api_latency(tmp_path):
    n = int(os.environ.get("BENCH_SEARCH_ITEMS", "100000"))
    result = run("search_bench.py", n, database=tmp_path / "search.sqlite3")
    print("\nsearch:", json.dumps(result, ensure_ascii=False))
    assert result["indexed"] == n
    assert result["api_p95_ms"] <= 50, "target: p95 ≤ 50 ms"
    assert result["suggest_p95_ms"] <= 50, "target: suggestions within 50 ms"


def test_cached_guide_page_under_load(tmp_path):
    database = tmp_path / "guide.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    for command in (["migrate", "-v0"], ["load_demo"], ["rebuild_search_index"]):
        subprocess.run([sys.executable, "manage.py", *command], env=env, cwd=ROOT, check=True, capture_output=True)
    result = run("guide_load.py", 15, 32, database=database)
    print("\nguide page:", json.dumps(result, ensure_ascii=False))
    assert result["errors"] == 0
    assert result["requests_per_second"] >= 500, "target: ≥ 500 req/s"
