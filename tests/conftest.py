import pytest


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run, shared by tests/e2e and the browser tests of other folders."""
    from tests.e2e.conftest import launch_browser

    yield from launch_browser()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """Rows written once for a module's tests: a module-scoped fixture that requests this one writes them inside
    `with module_db.unblock():`, in a transaction rolled back after the module's last test. Each test's own
    transaction nests inside it (a savepoint rolled back after the test), so every test starts from those rows and
    nothing else. Not for a module with transactional tests (transactional_db, live_server): they flush the tables."""
    from django.db import transaction

    with django_db_blocker.unblock():
        module = transaction.atomic()
        module.__enter__()
    yield django_db_blocker
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# In CI (TONGBAN_FAIL_ON_SKIP=1) a skipped test that needs what CI has (PostgreSQL, Redis, a Celery worker,
# Chromium: markers `services` and `e2e`) is a failure. Elasticsearch cannot run here, so its tests may skip.
# Judged from the report's keywords (its markers among them), not from the collected items: under pytest-xdist the
# controller, which decides the exit status, collects nothing and only receives the workers' reports.
MUST_RUN_MARKERS = ("services", "e2e")
_skipped = []


def pytest_runtest_logreport(report):
    if report.skipped and any(marker in report.keywords for marker in MUST_RUN_MARKERS):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    import os

    if os.environ.get("TONGBAN_FAIL_ON_SKIP") and _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    import os

    if os.environ.get("TONGBAN_FAIL_ON_SKIP") and _skipped:
        terminalreporter.write_line(f"FAILED: {len(_skipped)} test(s) skipped in CI: " + ", ".join(_skipped[:10]))
