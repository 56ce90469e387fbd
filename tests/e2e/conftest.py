"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"Chromium is required for browser tests but {CHROMIUM} is missing")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # expect()'s own default is 5 s, short for this machine kind under the suite

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.SITE_URL = settings.SUBSCRIPTIONS_SITE_URL = live_server.url
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    # Playwright's own default. 15 s was too short on this machine kind under the full suite (2 slow cores shared by
    # two xdist workers, Chromium, the live server, PostgreSQL and the integration tests' Celery workers and beats):
    # a checkout that takes 0.6 s alone once took more than 15 s to reach its thank-you page.
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def axe_check():
    """Fail on serious or critical accessibility violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page) -> None:
        results = axe.run(page)
        bad = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
        summary = [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}" for v in bad]
        assert not bad, f"Accessibility violations on {page.url}:\n" + "\n".join(summary)

    return check
