"""Browser tests with Debian's Chromium (Playwright cannot download its own browser here)."""

import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# --- Content-Security-Policy: every page any test opens is watched; a violation fails the test -----------------
# The browser reports a violation twice: as a console error ("Refused to … Content Security Policy …") and as a
# securitypolicyviolation event, which the init script (run by Playwright outside the page's policy) logs too.
CSP_WATCH = (
    "document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: '"
    " + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));"
)
_csp_violations: list[str] = []


def _watch_page(page):
    def on_console(message):
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or text.startswith("CSP violation")):
            _csp_violations.append(f"{page.url}: {text}")

    page.on("console", on_console)
    return page


def _watch_context(context):
    context.add_init_script(CSP_WATCH)
    context.on("page", _watch_page)
    return context


class WatchedBrowser:
    """The browser, with every context and page it makes watched for CSP violations."""

    def __init__(self, browser):
        self._browser = browser

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **kwargs):
        return _watch_context(self._browser.new_context(**kwargs))

    def new_page(self, **kwargs):
        page = self._browser.new_page(**kwargs)
        page.context.add_init_script(CSP_WATCH)
        return _watch_page(page)


@pytest.fixture(autouse=True)
def no_csp_violations():
    """Fails any browser test during which a page reported a Content-Security-Policy violation."""
    _csp_violations.clear()
    yield
    found, _csp_violations[:] = list(_csp_violations), []
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)


def launch_browser():
    """Debian's Chromium, watched for CSP violations; tests/conftest.py's session fixture `browser` holds the one
    instance of a run (Playwright's sync API runs one event loop per thread: a second instance cannot start)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield WatchedBrowser(browser)
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_site(transactional_db, live_server, settings):
    from django.apps import apps
    from django.core.management import call_command

    from publish import search
    from publish.seed import seed_synonyms
    from rules import calendar, seeds

    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    # A flushing (transactional) test may have removed the rows the migrations seed.
    seed_synonyms()
    calendar.seed_calendar()
    seeds.seed_flow_templates(apps, None)
    call_command("load_demo", verbosity=0)
    search.rebuild()
    return live_server.url


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def serious_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
