"""The schema as the migrations leave it: each app's history starts from one initial migration (the squash of
2026-12-01; later migrations follow it), in step with the models, and no index
that Django adds behind the models' backs (PostgreSQL's LIKE index beside a unique text column)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
APPS = ["catalog", "rules", "formbuilder", "applications", "publish", "imports"]


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree():
    out = StringIO()
    call_command("makemigrations", check=True, dry_run=True, stdout=out)  # SystemExit(1) when they do not
    assert "No changes detected" in out.getvalue()


@pytest.mark.parametrize("app", APPS)
def test_each_app_starts_from_one_initial_migration(app):
    migrations = sorted(p.name for p in (ROOT / app / "migrations").glob("0*.py"))
    assert migrations[0].startswith("0001_") and sum(m.startswith("0001_") for m in migrations) == 1, migrations
    numbers = [int(m[:4]) for m in migrations]
    assert numbers == list(range(1, len(numbers) + 1)), migrations  # one line of history, no gaps or forks


@pytest.mark.services
@pytest.mark.django_db
def test_no_like_index_on_the_projects_tables():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's LIKE indexes (CI runs this on PostgreSQL)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
                       " AND indexdef LIKE '%%pattern_ops%%' AND split_part(tablename, '_', 1) = ANY(%s)", [APPS])
        assert [name for (name,) in cursor.fetchall()] == []
