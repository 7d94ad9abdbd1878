import pytest


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run, shared by tests/e2e and the browser tests of other folders."""
    from tests.e2e.conftest import launch_browser

    yield from launch_browser()


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# In CI (TONGBAN_FAIL_ON_SKIP=1) a skipped test that needs what CI has (PostgreSQL, Redis, a Celery worker,
# Chromium: markers `services` and `e2e`) is a failure. Elasticsearch cannot run here, so its tests may skip.
_skipped = []
_must_run = set()


def pytest_collection_modifyitems(items):
    _must_run.update(
        item.nodeid for item in items if item.get_closest_marker("services") or item.get_closest_marker("e2e")
    )


def pytest_runtest_logreport(report):
    if report.skipped and report.nodeid in _must_run:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    import os

    if os.environ.get("TONGBAN_FAIL_ON_SKIP") and _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    import os

    if os.environ.get("TONGBAN_FAIL_ON_SKIP") and _skipped:
        terminalreporter.write_line(f"FAILED: {len(_skipped)} test(s) skipped in CI: " + ", ".join(_skipped[:10]))
