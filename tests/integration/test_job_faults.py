"""Faults for every job kind (issue #15): a worker killed mid-job, the broker lost, a message
delivered again, the same job run twice at once. Each job ends done once, or failed with a
message: never twice, never half.

Real processes: Celery workers as deployed (``-Q default,imports,reports``), killed with SIGKILL
while they hold the job's write transaction open (the test-only pause in
``core.jobs.services.job_finish``, core/testing_hooks.py): every row written, nothing committed.

They run on the database of the suite's pass. On the embedded default (SQLite, no broker: plain
``make test``) the in-memory test database is copied to a file the workers open, and the broker
is kombu's filesystem transport in the test's folder, as ``make run`` has it. On PostgreSQL with
``REDIS_URL`` (.ci/run's second pass) the workers share pytest-django's test database and Redis.
"""

from __future__ import annotations

import importlib
import io
import os
import re
import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from core.jobs.models import Job
from core.jobs.services import attempts_message, jobs_sweep, time_limit_message
from core.queue import task_named
from core.testing_hooks import PAUSE_BEFORE_COMMIT
from tests.integration.conftest import kill, log_of, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),  # the workers must see committed rows
]

PARTICIPANTS = 40


# --- The database and the broker the workers share ----------------------------------------------


@pytest.fixture
def worker_database(tmp_path):
    """PostgreSQL: the test database as it is. SQLite: the in-memory test database copied to a file,
    and this process switched to that file for the test (the workers cannot open a memory database)."""
    if connection.vendor == "postgresql":
        yield
        return
    if connection.vendor != "sqlite":
        pytest.skip(f"no worker database recipe for {connection.vendor}")
    path = tmp_path / "jobs.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    original, original_settings = connections["default"], connections.settings["default"]
    settings_dict = {**original.settings_dict, "NAME": str(path)}
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "NAME": str(path)}
    wrapper = original.__class__(settings_dict, alias="default")
    connections["default"] = wrapper
    connections.settings["default"] = settings_dict  # threads (the heartbeat) open the file too
    try:
        yield
    finally:
        wrapper.close()
        connections["default"] = original
        connections.settings["default"] = original_settings


@pytest.fixture
def worker_broker(var_dir):
    """Redis when ``REDIS_URL`` is set, else the filesystem transport in the test's folder (the workers
    started by ``start_worker`` get ``VAR_DIR`` = that folder, so they read the same queue)."""
    from config.celery import app

    if os.environ.get("REDIS_URL"):
        yield app
        import redis

        # A killed worker's unacknowledged message would come back to a later test run's worker.
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("unacked", "unacked_index")
        return
    folders = {name: var_dir / "celery" / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    previous = app.conf.broker_transport_options
    app.conf.broker_transport_options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "store_processed": False,
        "control_folder": str(folders["control"]),
    }
    _reset_connections(app)
    try:
        yield app
    finally:
        app.conf.broker_transport_options = previous
        _reset_connections(app)


def _reset_connections(app) -> None:
    """Drop the publisher's pooled connections: the next send connects with the current options.

    kombu keeps producer pools in a process-wide registry keyed by the connection: it is cleared
    too, or a later send would take a producer whose connection pool was closed here."""
    import kombu.pools

    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def published(app):
    """Inside: tasks go to the broker (a worker runs them). Outside: eagerly, in this process."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


# --- Every job kind, created through the service a user triggers -----------------------------------


@dataclass
class World:
    department: object
    school: object
    year: object


@pytest.fixture
def world(worker_database, department, school, other_school):
    from identification.models import Methodology
    from monitoring.models import Subject
    from roadmaps.tests.builders import year

    # A transactional test's flush took the rows the migrations seeded.
    Subject.objects.get_or_create(code="01", defaults={"name": "Русский язык", "fis_oko_abbr": "РУ"})
    if not Methodology.objects.exists():
        importlib.import_module("identification.migrations.0003_methodology_presets").seed(apps, None)
    return World(department=department, school=school, year=year(2025))


@dataclass
class Kind:
    name: str
    create: Callable[[World], Job]
    # The kind's data as figures: nothing of them before the job is done, exactly once after.
    data: Callable[[Job], tuple]
    done: tuple | Callable[[Job], tuple]

    def expected(self, job: Job) -> tuple:
        return self.done(job) if callable(self.done) else self.done


def _f1(school) -> bytes:
    from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row

    return vpr_f1_xlsx(VprSheet(schools={school.code: [vpr_row(str(n)) for n in range(1, PARTICIPANTS + 1)]}))


REGISTRY_CSV = (
    "Код ОО;Полное наименование;Тип;Местность\n"
    "edu985401;Муниципальное бюджетное общеобразовательное учреждение «Заречная СОШ»;СОШ;Городская\n"
    "edu985402;Муниципальное бюджетное общеобразовательное учреждение «Луговая ООШ»;ООШ;Сельская\n"
).encode()


def _results_import(world: World):
    from monitoring.imports import results_import_create

    return results_import_create(
        user=world.department, uploaded_file=io.BytesIO(_f1(world.school)), original_name="f1.xlsx"
    )


def _results_data(job) -> tuple:
    from core.models import AuditEvent
    from identification.models import IndicatorRecompute
    from monitoring.models import ParticipantResult

    return (
        ParticipantResult.objects.count(),
        IndicatorRecompute.objects.filter(import_job_id=job.pk).count(),  # the follow-up
        AuditEvent.objects.filter(action="results_import.done").count(),
    )


def _registry_import(world: World):
    from schools.services import registry_import_create

    return registry_import_create(user=world.department, uploaded_file=io.BytesIO(REGISTRY_CSV), original_name="r.csv")


def _registry_data(job) -> tuple:
    from schools.models import School

    return (School.objects.filter(code__in=["edu985401", "edu985402"]).count(),)


def _identification_run(world: World):
    from identification.models import Methodology, MethodologyVersion
    from identification.services import identification_run_create

    version = MethodologyVersion.objects.get(methodology=Methodology.objects.get(kind="low_results"), number=1)
    return identification_run_create(
        user=world.department, version=version, year=world.year, municipality=world.department.municipality
    )


def _run_data(job) -> tuple:
    from identification.models import RunResult

    return (RunResult.objects.filter(run_id=job.pk).count(),)


def _indicator_recompute(world: World):
    from identification.services import indicator_recompute_request

    return indicator_recompute_request(user=world.department, municipality=world.department.municipality)


def _recompute_data(job) -> tuple:
    job.refresh_from_db()
    return (job.values_written,)


def _risk_recompute(world: World):
    from risks.services import recompute_job_create

    return recompute_job_create(user=world.department, year=world.year)


def _risk_data(job) -> tuple:
    job.refresh_from_db()
    return (bool(job.summary),)


def _report(world: World):
    from reports.services import report_request_create

    return report_request_create(user=world.department, kind="agreements", params={}, title="Реестр соглашений")


def _snapshot(world: World):
    from reports.services import snapshot_queue
    from roadmaps.tests.builders import roadmap_of

    return snapshot_queue(roadmap=roadmap_of(school=world.school, created_by=world.department))


def _export(world: World):
    from reports.services import municipal_export_request

    return municipal_export_request(user=world.department, municipality=world.department.municipality)


def _file_data(job) -> tuple:
    job.refresh_from_db()
    return (bool(job.file) and job.file.size > 0,)


def _notification(world: World):
    from roadmaps.services import notification_queue

    return notification_queue(
        kind="report_accepted", recipients=["director@example.ru"], subject="Отчёт принят", body="…"
    )


def _notification_data(job) -> tuple:
    job.refresh_from_db()
    return (job.sent_at is not None,)


def _event_letter(world: World):
    from events.models import Letter
    from events.services import registration_create
    from events.tests.factories import EventFactory

    event = EventFactory(municipality=world.department.municipality, capacity=10)
    registration = registration_create(event=event, full_name="Иванова Мария Сергеевна", email="ivanova@example.ru")
    return Letter.objects.get(registration=registration)


def _event_letter_data(job) -> tuple:
    job.refresh_from_db()
    return (job.registration.confirmation_sent_at is not None,)


KINDS = [
    Kind("results_import", _results_import, _results_data, (PARTICIPANTS, 1, 1)),
    Kind("registry_import", _registry_import, _registry_data, (2,)),
    Kind("identification_run", _identification_run, _run_data, (2,)),  # both schools of the municipality judged
    Kind("indicator_recompute", _indicator_recompute, _recompute_data, lambda job: (job.values_written,)),
    Kind("risk_recompute", _risk_recompute, _risk_data, (True,)),
    Kind("report", _report, _file_data, (True,)),
    Kind("snapshot", _snapshot, _file_data, (True,)),
    Kind("municipal_export", _export, _file_data, (True,)),
    # Letters: the mail server has taken a letter before its row says «sent»; a worker killed in
    # between sends it again on the retry (at least once, never lost). The rows end done once.
    Kind("roadmap_letter", _notification, _notification_data, (True,)),
    Kind("event_letter", _event_letter, _event_letter_data, (True,)),
]
NOTHING = {
    "results_import": (0, 0, 0),
    "registry_import": (0,),
    "identification_run": (0,),
    "indicator_recompute": (0,),
    "risk_recompute": (False,),
    "report": (False,),
    "snapshot": (False,),
    "municipal_export": (False,),
    "roadmap_letter": (False,),
    "event_letter": (False,),
}


def _row(job: Job) -> Job:
    return type(job)._default_manager.get(pk=job.pk)


def _make_silent(job: Job) -> None:
    """Ten minutes pass: the dead worker's heartbeat is older than JOBS_STALE_AFTER_SECONDS."""
    silent_since = timezone.now() - timedelta(seconds=settings.JOBS_STALE_AFTER_SECONDS + 60)
    type(job)._default_manager.filter(pk=job.pk).update(heartbeat_at=silent_since)


def _open_transactions() -> int:
    if connection.vendor != "postgresql":
        return 0  # SQLite: the dead process's lock went with it
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
        )
        return cursor.fetchone()[0]


def _wait_paused(job: Job, worker) -> None:
    """Until the worker holds ``job``'s write transaction open at the test pause."""
    paused = re.compile(rf"{PAUSE_BEFORE_COMMIT}: {re.escape(type(job)._meta.label)} {job.pk} pauses")
    wait_until(lambda: paused.search(log_of(worker, tail=50_000)), what=f"{job} reaches its commit", watch=worker)


# --- Kill the worker mid-job ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
def test_a_worker_killed_mid_job_leaves_nothing_and_the_retry_finishes_the_job_once(
    kind, world, worker_broker, start_worker
):
    worker = start_worker(kind.name, **{PAUSE_BEFORE_COMMIT: "120"})
    with published(worker_broker):
        job = kind.create(world)

    _wait_paused(job, worker)
    kill(worker)  # every row written, nothing committed
    wait_until(lambda: _open_transactions() == 0, what="the database ends the dead worker's session", timeout=30)

    row = _row(job)
    assert (row.status in type(job).RUNNING_STATUSES, row.attempts) == (True, 1)
    assert kind.data(job) == NOTHING[kind.name]  # never half

    # Ten minutes later the beat sweep takes the job back; the message runs (here, eagerly).
    _make_silent(job)
    assert jobs_sweep() == {type(job)._meta.label: [job.pk]}

    row = _row(job)
    assert (row.status, row.attempts, row.error) == (type(job).DONE, 2, "")
    assert kind.data(job) == kind.expected(job)
    assert row.heartbeat_at is not None and row.finished_at is not None

    # The killed worker's message comes back (Celery redelivers what was never acknowledged):
    # the claim refuses it and nothing happens at all — no work, no second follow-up.
    task_named(type(job).TASK_NAME).delay(job.pk)
    assert (_row(job).status, _row(job).attempts) == (type(job).DONE, 2)
    assert kind.data(job) == kind.expected(job)
    assert jobs_sweep() == {}


def test_a_job_whose_worker_is_killed_every_time_fails_after_the_last_attempt_with_a_russian_message(
    world, worker_broker, start_worker, settings
):
    from monitoring.models import ImportJob

    settings.JOBS_MAX_ATTEMPTS = 2
    kind = KINDS[0]
    with published(worker_broker):
        job = kind.create(world)
        for attempt in (1, 2):
            worker = start_worker(f"dies-{attempt}", **{PAUSE_BEFORE_COMMIT: "120"})
            _wait_paused(job, worker)
            kill(worker)
            wait_until(lambda: _open_transactions() == 0, what="the dead worker's session", timeout=30)
            _make_silent(job)
            jobs_sweep()  # attempt 1: queued again (sent to the broker); attempt 2: failed

    row = _row(job)
    assert (row.status, row.attempts) == (ImportJob.Status.FAILED, 2)
    assert row.error == attempts_message(2)
    assert row.errors == [{"sheet": "", "row": 0, "column": "", "message": row.error}]
    assert kind.data(job) == NOTHING[kind.name]
    assert not row.file  # the upload (personal data) goes when the job ends, failed too


# --- Run past the time limit ---------------------------------------------------------------------


def test_a_job_past_its_soft_time_limit_in_a_prefork_worker_fails_once_with_a_russian_message(
    world, worker_broker, start_worker, monkeypatch
):
    """The deployed pool (prefork) is the one that can stop a task: at the soft limit the child gets
    SoftTimeLimitExceeded inside the job's write transaction, which rolls back, and the job fails
    with the limit in its message. The child lives on; the sweep and a second delivery do nothing."""
    from monitoring.models import ImportJob

    soft, hard = 5, 90  # seconds, on the imports queue; the import then sits at its commit for a minute
    kind = KINDS[0]
    # The limits travel in the message: Celery sends the sender's (task.delay here, the web process
    # in production) and the worker applies those. Both read CELERY_IMPORTS_*_TIME_LIMIT, as a
    # deployment gives web and worker the same environment.
    task = task_named(ImportJob.TASK_NAME)
    monkeypatch.setattr(task, "soft_time_limit", soft)
    monkeypatch.setattr(task, "time_limit", hard)
    monkeypatch.setattr(task, "_exec_options", None)
    worker = start_worker(
        "time-limit",
        pool="prefork",
        **{PAUSE_BEFORE_COMMIT: "60"},
        CELERY_IMPORTS_SOFT_TIME_LIMIT=str(soft),
        CELERY_IMPORTS_TIME_LIMIT=str(hard),
    )
    with published(worker_broker):
        job = kind.create(world)

    wait_until(lambda: _row(job).status == type(job).FAILED, what=f"{job} fails at {soft} s", watch=worker)

    row = _row(job)
    assert (row.status, row.attempts, row.error) == (type(job).FAILED, 1, time_limit_message(soft))
    assert row.error.startswith("Задача превысила отведённое время (5 с)")
    assert row.errors == [{"sheet": "", "row": 0, "column": "", "message": row.error}]
    assert kind.data(job) == NOTHING[kind.name]  # nothing written, no recompute, no audit entry
    log = log_of(worker, tail=50_000)
    assert "SoftTimeLimitExceeded" in log or "hit its soft time limit" in log
    assert worker.poll() is None  # the worker did not die of it

    # Failed once: the sweep leaves it, and the message delivered again finds nothing to claim.
    _make_silent(job)
    assert jobs_sweep() == {}
    task_named(type(job).TASK_NAME).delay(job.pk)
    assert (_row(job).status, _row(job).attempts, _row(job).error) == (type(job).FAILED, 1, row.error)
    assert kind.data(job) == NOTHING[kind.name]


# --- Lose the broker --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
def test_a_job_queued_while_the_broker_is_down_runs_once_when_the_sweep_finds_it_back(kind, world, broker):
    broker.up = False
    job = kind.create(world)  # the page says the work is delayed (core.queue); the row waits, queued

    assert (_row(job).status, _row(job).attempts) == (type(job).QUEUED, 0)
    type(job)._default_manager.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    assert jobs_sweep() == {type(job)._meta.label: [job.pk]}  # the broker is still down: logged, kept
    assert _row(job).status == type(job).QUEUED and kind.data(job) == NOTHING[kind.name]

    broker.up = True
    jobs_sweep()

    row = _row(job)
    assert (row.status, row.attempts) == (type(job).DONE, 1)
    assert kind.data(job) == kind.expected(job)
    assert jobs_sweep() == {}


# --- The same job twice at once, two imports of one file at once ------------------------------------


def test_the_same_message_delivered_to_two_workers_at_once_runs_every_job_once(world, worker_broker, start_worker):
    # Each worker holds a job it won for two seconds before its commit: the other one's claim
    # comes while the first is at work.
    workers = [start_worker(f"twin-{n}", **{PAUSE_BEFORE_COMMIT: "2"}) for n in (1, 2)]
    jobs = []
    with published(worker_broker):
        for kind in KINDS:
            job = kind.create(world)
            task_named(type(job).TASK_NAME).delay(job.pk)  # the same message again
            jobs.append((kind, job))

    for kind, job in jobs:
        wait_until(lambda job=job: _row(job).is_finished, what=f"{kind.name} №{job.pk}", watch=workers[0], timeout=180)
    for kind, job in jobs:
        row = _row(job)
        assert (kind.name, row.status, row.attempts) == (kind.name, type(job).DONE, 1), row.error
        assert kind.data(job) == kind.expected(job), kind.name
    logs = log_of(workers[0], tail=200_000) + log_of(workers[1], tail=200_000)
    assert len(re.findall(r"is not queued: nothing to do", logs)) >= len(KINDS)


def test_two_imports_of_the_same_file_at_once_the_second_waits_and_reports_no_changes(
    world, worker_broker, start_worker
):
    from monitoring.models import ImportJob, ParticipantResult

    workers = [start_worker(f"same-file-{n}", **{PAUSE_BEFORE_COMMIT: "3"}) for n in (1, 2)]
    with published(worker_broker):
        first, second = _results_import(world), _results_import(world)

    for job in (first, second):
        wait_until(lambda job=job: _row(job).is_finished, what=f"import №{job.pk}", watch=workers[0], timeout=120)
    rows = sorted((_row(first), _row(second)), key=lambda job: job.finished_at)
    assert [job.status for job in rows] == [ImportJob.Status.DONE, ImportJob.Status.DONE], [j.errors for j in rows]
    assert [(job.rows_created, job.slices_written) for job in rows] == [(PARTICIPANTS, 1), (0, 0)]
    assert rows[1].slices_unchanged == 1  # «без изменений», not «Внутренняя ошибка … Сообщите администратору»
    assert ParticipantResult.objects.count() == PARTICIPANTS
