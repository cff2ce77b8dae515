"""A real Chromium driven through Playwright's sync API against pytest-django's live server.

The browser is Debian's Chromium (``apt-get install chromium``), not Playwright's own
download: the CI machines have no route to Playwright's CDN. Where no browser is found
the tests skip, unless ``REQUIRE_BROWSER`` is set (CI sets it), when they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
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
    context.set_default_timeout(30_000)  # a loaded CI machine answers slowly, not wrongly
    page = context.new_page()
    # Anything the page asked for and did not get (a missing stylesheet, font or script).
    page.failed_requests = []

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            page.failed_requests.append(f"{response.status} {response.url}")

    page.on("response", on_response)

    def on_request_failed(request):
        # A request the browser dropped because the page moved on (a font still loading when the
        # test clicks to the next page) is not a missing file: those answer 4xx above.
        if "ERR_ABORTED" not in (request.failure or ""):
            page.failed_requests.append(f"failed {request.url}: {request.failure}")

    page.on("requestfailed", on_request_failed)
    yield page
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


class HeldTasks:
    """The Celery broker and worker of a browser test, played by the test itself.

    The messages the app sends (``delay``/``apply_async``) are held here instead of running
    eagerly inside the request, so the page shows a job «В очереди» and polls it; the test
    then runs them (``run``) while the page stays open, and watches the page follow.

    With PostgreSQL the live server has its own connections, as a real web process would. With
    SQLite's in-memory test database it shares the test thread's one connection, and two threads
    must not use one connection at once: then the server's requests and the held tasks take
    turns (a lock taken at ``request_started`` and given back at ``request_finished``), and a
    task that wants to let the page look in the middle of its work says so with ``server_turn``.
    There the page's requests run inside the task's open transaction and see its uncommitted rows,
    which a real web process would not; the jobs record their progress outside that transaction,
    so both databases show the same page.
    """

    def __init__(self, *, shared_connection: bool):
        self.messages: list[tuple[object, tuple, dict]] = []
        self._turn = threading.Lock() if shared_connection else None
        self._request = threading.local()  # whether this server thread holds the turn

    def apply_async(self, task, args=None, kwargs=None, **options) -> None:
        self.messages.append((task, tuple(args or ()), dict(kwargs or {})))

    def names(self) -> list[str]:
        return [task.name for task, _, _ in self.messages]

    def run(self, name: str) -> list[str]:
        """Run the held messages of task ``name``, then the messages they send in turn (an import
        queues the recompute of indicators), as a worker would; the names of the tasks run."""
        queue = [message for message in self.messages if message[0].name == name]
        if not queue:
            raise AssertionError(f"no {name} message held; held: {self.names()}")
        self.messages = [message for message in self.messages if message[0].name != name]
        ran = []
        with self._taking_turn():
            while queue:
                task, args, kwargs = queue.pop(0)
                already = len(self.messages)
                task(*args, **kwargs)
                queue += self.messages[already:]
                del self.messages[already:]
                ran.append(task.name)
        return ran

    @contextmanager
    def server_turn(self):
        """Inside a running task: let the live server answer the page for a while."""
        if self._turn is None:
            yield
            return
        self._turn.release()
        try:
            yield
        finally:
            self._turn.acquire()

    @contextmanager
    def _taking_turn(self):
        if self._turn is None:
            yield
            return
        with self._turn:
            yield

    def _request_started(self, **kwargs):
        self._turn.acquire()
        self._request.holds_turn = True

    def _request_finished(self, **kwargs):
        if getattr(self._request, "holds_turn", False):
            self._request.holds_turn = False
            self._turn.release()


@pytest.fixture
def held_tasks(live_server, settings, monkeypatch):
    from celery.app.task import Task
    from django.core.signals import request_finished, request_started

    settings.CELERY_TASK_ALWAYS_EAGER = False
    held = HeldTasks(shared_connection=bool(live_server.thread.connections_override))
    # Every shared_task's delay() comes down to Task.apply_async: nothing reaches a broker.
    monkeypatch.setattr(Task, "apply_async", lambda task, *args, **kwargs: held.apply_async(task, *args, **kwargs))
    if held._turn is not None:
        request_started.connect(held._request_started, dispatch_uid="held_tasks_started")
        request_finished.connect(held._request_finished, dispatch_uid="held_tasks_finished")
    yield held
    request_started.disconnect(dispatch_uid="held_tasks_started")
    request_finished.disconnect(dispatch_uid="held_tasks_finished")
