"""Faults (issue #10): a worker killed in the middle of an import, and Redis down.

Real processes: Celery workers (killed with SIGKILL), gunicorn, a redis-server of the test's
own that it starts and stops. The imports pause before their commit through the test-only
hook ``OPORA_TEST_PAUSE_BEFORE_COMMIT`` (core/testing_hooks.py), so the kill lands after
every row was written and before anything was committed: the worst moment.
"""

from __future__ import annotations

import http.client
import importlib
import io
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.testing_hooks import PAUSE_BEFORE_COMMIT
from identification.models import IdentificationRun, IndicatorRecompute, Methodology, MethodologyVersion, TaskStatus
from monitoring.imports import results_import_create, results_imports_requeue_stale
from monitoring.models import ImportJob, ParticipantResult, Subject
from monitoring.tasks import import_results
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row
from schools.models import RegistryImport, School
from schools.services import registry_import_create, registry_imports_requeue_stale
from tests.factories import AcademicYearFactory
from tests.integration.conftest import PROJECT_ROOT, kill, log_of, process_env, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),  # the workers and the server must see committed rows
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis broker: set REDIS_URL"),
]

PARTICIPANTS = 40
REGISTRY_CSV = (
    "Код ОО;Полное наименование;Тип;Местность\n"
    "edu985201;Муниципальное бюджетное общеобразовательное учреждение «Заречная СОШ»;СОШ;Городская\n"
    "edu985202;Муниципальное бюджетное общеобразовательное учреждение «Луговая ООШ»;ООШ;Сельская\n"
).encode()
REGISTRY_CODES = ["edu985201", "edu985202"]
PAUSED = f"{PAUSE_BEFORE_COMMIT}:"
SUCCEEDED = re.compile(r"Task monitoring\.tasks\.import_results\[[\w-]+\] succeeded")


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (set DATABASE_URL): a worker killed mid-transaction is rolled back by the "
            "server, and the workers must share the test database"
        )


@pytest.fixture(autouse=True)
def subjects(db):
    # Transactional tests flush the tables, the subjects a migration seeded with them.
    Subject.objects.get_or_create(code="01", defaults={"name": "Русский язык", "fis_oko_abbr": "РУ"})


@pytest.fixture
def broker_leftovers():
    """Drop what a killed worker leaves in the broker: its unacknowledged message would be
    delivered again after the visibility timeout (an hour) to a worker of a later test run."""
    yield
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("unacked", "unacked_index")


def _f1(school) -> bytes:
    rows = [vpr_row(str(number)) for number in range(1, PARTICIPANTS + 1)]
    return vpr_f1_xlsx(VprSheet(schools={school.code: rows}))


def _open_transactions() -> int:
    """Sessions of other processes holding a transaction open on the test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
        )
        return cursor.fetchone()[0]


def test_a_worker_killed_before_the_commit_of_a_results_import_leaves_no_rows_and_the_retry_writes_them_once(
    postgresql, start_worker, celery_publishes_to_the_broker, broker_leftovers, department, school
):
    first = start_worker("first", **{PAUSE_BEFORE_COMMIT: "120"})
    job = results_import_create(user=department, uploaded_file=io.BytesIO(_f1(school)), original_name="f1.xlsx")

    wait_until(lambda: PAUSED in log_of(first), what="the first worker reaches the commit", watch=first)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.WRITING
    assert _open_transactions() == 1  # every row is written, inside the worker's open transaction
    kill(first)

    wait_until(lambda: _open_transactions() == 0, what="PostgreSQL ends the dead worker's session", timeout=30)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.WRITING  # the dead worker could not record anything
    assert ParticipantResult.objects.filter(import_job=job).count() == 0
    assert ParticipantResult.objects.count() == 0

    # Its heartbeat stopped with the worker: ten minutes later the beat sweep queues it again.
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.JOBS_STALE_AFTER_SECONDS + 60)
    )
    second = start_worker("second")
    assert results_imports_requeue_stale() == [job.pk]

    def finished() -> bool:
        job.refresh_from_db()
        return job.is_finished

    wait_until(finished, what=f"results import №{job.pk} after the retry", watch=second)
    assert (job.status, job.requeued, job.rows_created) == (ImportJob.Status.DONE, 1, PARTICIPANTS), job.errors
    assert ParticipantResult.objects.filter(import_job=job).count() == PARTICIPANTS

    # The killed worker's message comes back one day (Celery redelivers unacknowledged ones):
    # the claim refuses it, and nothing is written twice.
    import_results.delay(job.pk)
    wait_until(
        lambda: len(SUCCEEDED.findall(log_of(second, tail=100_000))) == 2, what="the late delivery", watch=second
    )
    assert ParticipantResult.objects.count() == PARTICIPANTS
    job.refresh_from_db()
    assert (job.status, job.rows_created) == (ImportJob.Status.DONE, PARTICIPANTS)


def test_a_worker_killed_before_the_commit_of_a_registry_import_leaves_no_schools_and_the_retry_adds_them_once(
    postgresql, start_worker, celery_publishes_to_the_broker, broker_leftovers, department
):
    first = start_worker("first", **{PAUSE_BEFORE_COMMIT: "120"})
    job = registry_import_create(user=department, uploaded_file=io.BytesIO(REGISTRY_CSV), original_name="reestr.csv")

    wait_until(lambda: PAUSED in log_of(first), what="the first worker reaches the commit", watch=first)
    assert _open_transactions() == 1
    kill(first)

    wait_until(lambda: _open_transactions() == 0, what="PostgreSQL ends the dead worker's session", timeout=30)
    job.refresh_from_db()
    assert job.status == RegistryImport.Status.RUNNING
    assert School.objects.filter(code__in=REGISTRY_CODES).count() == 0

    # Its heartbeat stopped with the worker: ten minutes later the sweep takes it back.
    RegistryImport.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.JOBS_STALE_AFTER_SECONDS + 60)
    )
    second = start_worker("second")
    assert registry_imports_requeue_stale() == [job.pk]

    def finished() -> bool:
        job.refresh_from_db()
        return job.is_finished

    wait_until(finished, what=f"registry import №{job.pk} after the retry", watch=second)
    assert (job.status, job.created_count) == (RegistryImport.Status.DONE, 2), job.errors
    assert School.objects.filter(code__in=REGISTRY_CODES).count() == 2


# --- Redis down ------------------------------------------------------------------------------


class Browser:
    """A signed-in user's HTTP session against the test server (cookies and CSRF by hand)."""

    def __init__(self, base: str, user):
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        self.netloc = urlsplit(base).netloc
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        self.cookies = {settings.SESSION_COOKIE_NAME: session.session_key}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection(self.netloc, timeout=30)
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        conn.request(method, path, body=body, headers={"Cookie": cookie, **(headers or {})})
        response = conn.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response.status, response.headers, content.decode(errors="replace")

    def get(self, path: str):
        return self.request("GET", path)

    def post_form(self, path: str, data: dict[str, str]):
        from urllib.parse import urlencode

        status, _headers, _page = self.get(path)  # sets the CSRF cookie
        assert status == 200, path
        body = urlencode({"csrfmiddlewaretoken": self.cookies[settings.CSRF_COOKIE_NAME], **data}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, path: str, name: str, content: bytes):
        status, _headers, _page = self.get(path)  # sets the CSRF cookie
        assert status == 200, path
        boundary = uuid.uuid4().hex
        token = self.cookies[settings.CSRF_COOKIE_NAME]
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def _celery_call(task_name: str, env: dict[str, str]) -> None:
    """What beat does: publish one periodic task (here to the spare Redis)."""
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "config", "call", task_name],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )


def test_with_redis_down_pages_work_uploads_are_kept_and_processed_once_redis_is_back(
    spare_redis, start_server, start_worker, var_dir, department, school
):
    spare_redis.start()
    spare_redis.stop()  # a real Redis, now down: the server and the worker are configured for it
    base = start_server(REDIS_URL=spare_redis.url)
    browser = Browser(base, department)

    for path in (
        reverse("core:public_home"),
        reverse("core:home"),
        reverse("schools:list"),
        reverse("schools:detail", args=[school.pk]),
        reverse("monitoring:import_list"),
        reverse("monitoring:import_upload"),
        reverse("schools:import"),
    ):
        status, _headers, _page = browser.get(path)
        assert status == 200, path
    status, _headers, health = browser.get(reverse("core:health"))
    assert (status, json.loads(health)) == (503, {"database": "ok", "broker": "unavailable"})

    status, headers, _page = browser.upload(reverse("monitoring:import_upload"), "f1.xlsx", _f1(school))
    job = ImportJob.objects.get()
    assert (status, headers["Location"]) == (302, job.get_absolute_url())
    status, _headers, page = browser.get(headers["Location"])
    assert status == 200 and "обработка задерживается" in page.lower() and "ничего не потеряно" in page.lower()
    assert job.status == ImportJob.Status.QUEUED and job.file.size > 0

    status, headers, _page = browser.upload(reverse("schools:import"), "reestr.csv", REGISTRY_CSV)
    registry_job = RegistryImport.objects.get()
    assert (status, headers["Location"]) == (302, registry_job.get_absolute_url())
    assert "обработка задерживается" in browser.get(headers["Location"])[2].lower()
    assert registry_job.status == RegistryImport.Status.QUEUED

    # The department starts an identification run: saved, and the page says the work is delayed.
    for module in ("identification.migrations.0003_methodology_presets",):  # a flush took the seeded presets
        importlib.import_module(module).seed(apps, None)
    version = MethodologyVersion.objects.get(methodology=Methodology.objects.get(kind="low_results"), number=1)
    year = AcademicYearFactory(start_year=2025)
    status, headers, _page = browser.post_form(
        reverse("identification:run_create"),
        {"version": str(version.pk), "year": str(year.pk), "municipality": str(department.municipality_id)},
    )
    run = IdentificationRun.objects.get()
    assert (status, headers["Location"]) == (302, reverse("identification:run_detail", args=[run.pk]))
    assert "расчёт задерживается" in browser.get(headers["Location"])[2].lower()
    assert run.status == TaskStatus.QUEUED

    # Redis is back; a few minutes later beat runs the sweep, which sends the three jobs again.
    spare_redis.start()
    ten_minutes_ago = timezone.now() - timedelta(minutes=10)
    ImportJob.objects.filter(pk=job.pk).update(created_at=ten_minutes_ago)
    RegistryImport.objects.filter(pk=registry_job.pk).update(created_at=ten_minutes_ago)
    IdentificationRun.objects.filter(pk=run.pk).update(created_at=ten_minutes_ago)
    worker = start_worker("after-outage", REDIS_URL=spare_redis.url)
    env = process_env(var_dir, REDIS_URL=spare_redis.url)
    _celery_call("core.tasks.sweep_jobs", env)  # the one sweep of every job kind

    def all_finished() -> bool:
        job.refresh_from_db()
        registry_job.refresh_from_db()
        run.refresh_from_db()
        return job.is_finished and registry_job.is_finished and run.is_finished

    wait_until(all_finished, what="the imports and the run started while Redis was down", watch=worker)
    assert run.status == TaskStatus.DONE and run.schools_count > 0, run.error
    # The import's recompute, queued by the worker once the import was written, runs too.
    wait_until(
        lambda: IndicatorRecompute.objects.filter(import_job=job, status=TaskStatus.DONE).exists(),
        what="the recompute after the import",
        watch=worker,
    )
    assert (job.status, job.rows_created) == (ImportJob.Status.DONE, PARTICIPANTS), job.errors
    assert ParticipantResult.objects.count() == PARTICIPANTS
    assert (registry_job.status, registry_job.created_count) == (RegistryImport.Status.DONE, 2), registry_job.errors
    assert School.objects.filter(code__in=REGISTRY_CODES).count() == 2
    status, _headers, page = browser.get(job.get_absolute_url())
    assert status == 200 and 'data-status="done"' in page and "задерживается" not in page
