"""A real Celery worker, over Redis, runs a registry import queued by the web code.

Everything else in the suite runs tasks eagerly; this module proves the deployed path:
``transaction.on_commit`` publishes to the broker, a worker process started as in
production (``-Q default,imports,reports``) picks the task from the ``imports`` queue
and writes to the same database the test reads.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from schools.models import RegistryImport, School
from schools.services import registry_import_create

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),  # the worker must see committed rows
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis broker: set REDIS_URL"),
]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT = 60
CSV = (
    "Код ОО;Полное наименование;Тип;Местность\n"
    "edu985001;Муниципальное бюджетное общеобразовательное учреждение «Заречная СОШ»;СОШ;Городская\n"
    "edu985002;Муниципальное бюджетное общеобразовательное учреждение «Луговая ООШ»;ООШ;Сельская\n"
).encode()


def _database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            pytest.skip("the SQLite test database is in memory: a worker process cannot share it")
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if connection.vendor != "postgresql":
        pytest.skip(f"no DATABASE_URL recipe for {connection.vendor}")
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def var_dir(tmp_path, settings):
    # The worker opens the upload the web code stored: both must share MEDIA_ROOT.
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def celery_worker(var_dir):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    log_path = var_dir / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "default,imports,reports",
                "--pool=solo",
                "--concurrency=1",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"test-{os.getpid()}@%h",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker.log_path = log_path
    try:
        yield worker
    finally:
        # Always stop it: a live worker would hold connections to the test database,
        # and pytest-django could not drop it at the end of the session.
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


@pytest.fixture
def celery_publishes_to_the_broker():
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield app
    finally:
        app.conf.task_always_eager = previous


def _worker_log(worker) -> str:
    return worker.log_path.read_text(errors="replace")[-4000:]


def _wait_until_finished(job: RegistryImport, worker) -> RegistryImport:
    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode}:\n{_worker_log(worker)}")
        time.sleep(0.25)
    pytest.fail(f"the import is still «{job.get_status_display()}» after {WORKER_TIMEOUT} s:\n{_worker_log(worker)}")


def test_a_real_worker_runs_the_registry_import_queued_by_the_web_code(
    celery_worker, celery_publishes_to_the_broker, department
):
    assert settings.CELERY_BROKER_URL.startswith("redis://")

    # No atomic block around the call: on_commit fires at once and publishes the task.
    job = registry_import_create(user=department, uploaded_file=io.BytesIO(CSV), original_name="reestr.csv")

    job = _wait_until_finished(job, celery_worker)
    assert job.status == RegistryImport.Status.DONE, f"{job.errors}\n{_worker_log(celery_worker)}"
    assert (job.created_count, job.total_rows, job.errors) == (2, 2, [])
    schools = School.objects.filter(code__in=["edu985001", "edu985002"]).order_by("code")
    assert [(s.code, s.municipality_id, s.settlement) for s in schools] == [
        ("edu985001", department.municipality_id, School.Settlement.URBAN),
        ("edu985002", department.municipality_id, School.Settlement.RURAL),
    ]
    assert re.search(r"Task schools\.tasks\.import_registry\[[\w-]+\] succeeded", _worker_log(celery_worker))
