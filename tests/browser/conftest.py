"""A real Chromium driven through Playwright's sync API against pytest-django's live server.

The browser is Debian's Chromium (``apt-get install chromium``), not Playwright's own
download: the CI machines have no route to Playwright's CDN. Where no browser is found
the tests skip, unless ``REQUIRE_BROWSER`` is set (CI sets it), when they fail.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def find_chromium() -> str | None:
    candidates = [os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium"]
    candidates += [shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(f"REQUIRE_BROWSER is set but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def _async_unsafe_allowed():
    # Playwright's sync API keeps an event loop in the test thread, and Django refuses
    # ORM calls from a thread with a running loop. The test code stays synchronous.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_async_unsafe_allowed):
    configured = os.environ.get("CHROMIUM_PATH")
    if configured and not os.access(configured, os.X_OK):
        pytest.fail(f"CHROMIUM_PATH={configured!r} is not an executable file", pytrace=False)
    executable = find_chromium()
    if executable is None:
        _unavailable("no Chromium found (set CHROMIUM_PATH or apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # No collectstatic manifest in tests: the live server's static handler serves the
    # files from STATICFILES_DIRS, and the manifest storage would fail to name them.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="ru-RU", viewport={"width": 1280, "height": 900}, device_scale_factor=1
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    # Anything the page asked for and did not get (a missing stylesheet, font or script).
    page.failed_requests = []

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            page.failed_requests.append(f"{response.status} {response.url}")

    page.on("response", on_response)
    page.on("requestfailed", lambda request: page.failed_requests.append(f"failed {request.url}"))
    yield page
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
