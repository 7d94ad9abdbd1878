"""make bench: submissions end to end on PostgreSQL under gunicorn, 50 applicants at once, against a minimal view
that inserts one row in the same run (issue 15; goals: at least half that view's rate, p99 ≤ 200 ms). The load
runs in a process of its own (submission_load.py) on a fresh database; BENCH_SUBMISSIONS sets how many."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
COUNT = int(os.environ.get("BENCH_SUBMISSIONS", "1500"))
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@localhost:5432/postgres")
PG_DB = "tongban_bench_submissions"


def _admin(statement):
    import psycopg

    with psycopg.connect(PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(statement)


def test_submissions_under_load():
    try:
        _admin(f"DROP DATABASE IF EXISTS {PG_DB}")
        _admin(f"CREATE DATABASE {PG_DB}")
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL on this machine
        pytest.skip(f"PostgreSQL: {exc}")
    try:
        env = {**os.environ, "DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"}
        out = subprocess.run([sys.executable, str(HERE / "submission_load.py"), str(COUNT)], env=env, cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout
    finally:
        _admin(f"DROP DATABASE IF EXISTS {PG_DB}")
    figures = json.loads(out.strip().splitlines()[-1])
    insert, submit = figures["insert_row"], figures["submit"]
    print(f"\nsubmissions under gunicorn (2 workers × 8 threads), {figures['connections']} applicants at once, "
          f"PostgreSQL:\n"
          f"  minimal view, one row inserted  {insert['per_second']:7.1f}/s  p50 {insert['p50_ms']:6.1f} ms"
          f"  p99 {insert['p99_ms']:6.1f} ms  ({insert['requests']} requests)\n"
          f"  submission (check page POST)    {submit['per_second']:7.1f}/s  p50 {submit['p50_ms']:6.1f} ms"
          f"  p99 {submit['p99_ms']:6.1f} ms  ({submit['requests']} requests)\n"
          f"  ratio {figures['ratio']:.2f} (goal ≥ 0.5), submissions stored {figures['submissions_stored']}")
    # Every submission made it, once; the goals are reported (docs/benchmarks.md), not asserted: the load client
    # shares the server's two cores, and the insert view itself misses the p99 here under 50 connections.
    assert submit["ok"] == submit["requests"] == figures["submissions_stored"]
    met = figures["ratio"] >= 0.5 and submit["p99_ms"] <= 200
    print(f"  goals (≥ 0.5× the insert view, p99 ≤ 200 ms): {'met' if met else 'NOT met'}")
