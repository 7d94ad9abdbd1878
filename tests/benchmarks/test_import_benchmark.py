"""make bench: import 100,000 items with 400,000 materials into a fresh SQLite and a fresh PostgreSQL database.

Prints rows/s for reading, validating and writing, the total, and the peak memory of the importing process,
next to the time python-calamine alone needs to read the same file. BENCH_ITEMS changes the size.
Each import runs in its own process (import_workbook.py) so that its peak memory is its own.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ITEMS = int(os.environ.get("BENCH_ITEMS", "100000"))
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@localhost:5432/postgres")
PG_DB = "tongban_bench_imports"


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    path = Path(os.environ.get("BENCH_FILE", tmp_path_factory.mktemp("bench") / f"items-{ITEMS}.xlsx"))
    if not path.exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "import_workbook.py"), "generate", str(path), str(ITEMS)],
                       check=True, cwd=ROOT)
        print(f"\ngenerated {path} ({path.stat().st_size / 2**20:.1f} MB) in {time.perf_counter() - started:.1f} s")
    return path


def calamine_alone(path):
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    workbook = CalamineWorkbook.from_path(str(path))
    rows = sum(sum(1 for _ in workbook.get_sheet_by_name(name).iter_rows()) for name in workbook.sheet_names)
    return rows, time.perf_counter() - started


def run_child(path, database_url, key_check=True):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "IMPORTS_MAX_ROWS": str(max(ITEMS * 5, 500000)), "BULK_KEY_CHECK": "1" if key_check else "0"}
    out = subprocess.run([sys.executable, str(HERE / "import_workbook.py"), "import", str(path)], env=env,
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def report(label, figures, rows):
    t = figures["timings"]
    items = figures["items"]
    print(f"\n{label}: {items} items, {figures['materials']} materials, {figures['revisions']} revisions")
    for phase in ("read", "validate", "write"):
        print(f"  {phase:9s} {t[phase]:7.1f} s  {rows / t[phase]:9.0f} rows/s")
    for phase in sorted(k for k in t if k.startswith("write: ")):
        print(f"    {phase[7:]:27s} {t[phase]:7.1f} s")
    print(f"  total     {figures['total']:7.1f} s  {items / figures['total']:9.0f} items/s end to end"
          f" (one transaction: items, materials, revisions, log entries, public search index)")
    if figures["upkeep_after_commit"] >= 0.05:
        upkeep = "SQLite checkpoint" if label == "SQLite" else "GIN pending list merged"
        print(f"  then, in the background: {upkeep} {figures['upkeep_after_commit']:.1f} s")
    print(f"  peak RSS  {figures['peak_rss_mb']:7.0f} MB")


def test_import_benchmark(workbook, tmp_path):
    rows, seconds = calamine_alone(workbook)
    print(f"\ncalamine alone: {rows} rows in {seconds:.1f} s ({rows / seconds:.0f} rows/s)")

    sqlite = run_child(workbook, f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    assert sqlite["errors"] == [] and sqlite["items"] == ITEMS and sqlite["materials"] == 4 * ITEMS
    assert sqlite["revisions"] == ITEMS and sqlite["search_documents"] == ITEMS
    report("SQLite", sqlite, rows)
    # The SQLite database (1 GB) deleted and the disk cache flushed: the kernel is then not still writing it out
    # while PostgreSQL is measured.
    for path in tmp_path.glob("bench.sqlite3*"):
        path.unlink()
    os.sync()

    # PostgreSQL twice: with BULK_KEY_CHECK (the keys checked once per table) and without (a trigger per row).
    for key_check in (True, False):
        if not _fresh_pg_database():
            return
        try:
            pg = run_child(workbook, PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}", key_check=key_check)
            assert pg["errors"] == [] and pg["items"] == ITEMS and pg["search_documents"] == ITEMS
            report(f"PostgreSQL, BULK_KEY_CHECK {'on' if key_check else 'off'}", pg, rows)
        finally:
            _drop_pg_database()


def _fresh_pg_database() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    except Exception as exc:  # no PostgreSQL here: say so rather than fail the SQLite figures
        print(f"\nPostgreSQL skipped: {exc}")
        return False
    return True


def _drop_pg_database():
    import psycopg

    with psycopg.connect(PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
