"""Claim, heartbeat, finish, fail and the one stale sweep of every kind of job (``core.jobs.models.Job``).

How a job runs (``job_run``):

1. **Claim**: ``UPDATE … SET status = running, attempts = attempts + 1 WHERE status = queued``.
   Only one worker wins; a message delivered again (Celery's ``acks_late`` redelivery, the sweep's
   resend, a double click) finds the row no longer queued and does **nothing at all** — no work,
   no follow-up, no log line above INFO.
2. **Heartbeat**: while the work runs, a thread of the worker touches ``heartbeat_at`` every
   ``JOBS_HEARTBEAT_SECONDS``. A job is stale when its heartbeat is older than
   ``JOBS_STALE_AFTER_SECONDS``, never because it started long ago: a large import that is still
   beating is never given to a second worker. (A worker that hangs while alive is stopped by
   Celery's hard time limit, and then its heartbeat stops too.)
3. **Finish**: ``job_finish`` is called by the work *inside its data transaction*: the rows and
   «done» commit together or not at all, on SQLite and on PostgreSQL. Follow-up jobs (the
   recompute after an import) are created in that same transaction, so they exist exactly when
   the data do — and only when this worker's claim won.
4. **Fail**: an error the user can act on is raised as ``JobFailed`` (Russian message); anything
   else is logged and stored as an internal error. Nothing of the failed attempt is kept.

Every write after the claim is conditional on ``attempts`` (the claim's fencing token): a worker
whose job was taken back by the sweep cannot overwrite the next attempt; its ``job_finish``
raises ``JobLost`` and its transaction rolls back.

The sweep (``jobs_sweep``, on the beat schedule as ``core.tasks.sweep_jobs``) sends again the jobs
left «queued» (the broker was down) and takes back the stale ones: queued again, or failed with
«Задача не завершилась после N попыток…» once ``JOBS_MAX_ATTEMPTS`` claims died.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.jobs.models import Job
from core.queue import RESEND_QUEUED_AFTER, enqueue_on_commit
from core.testing_hooks import pause_before_commit

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "Внутренняя ошибка при выполнении задачи; ничего не записано. Сообщите администратору."
OUT_OF_MEMORY = (
    "Задаче не хватило памяти, и она остановлена; ничего не записано. "
    "Если это загрузка, разделите файл на части или сообщите администратору."
)


def time_limit_message(seconds: float | None) -> str:
    """The error of a job stopped at its soft time limit (minutes; seconds under a minute)."""
    limit = ""
    if seconds:
        limit = f" ({round(seconds / 60)} мин)" if seconds >= 60 else f" ({round(seconds)} с)"
    return f"Задача превысила отведённое время{limit} и остановлена; ничего не записано. Сообщите администратору."


def attempts_message(attempts: int) -> str:
    """The final error of a job whose worker died ``attempts`` times (the user reads it on the job's page)."""
    word = "попытки" if attempts % 10 == 1 and attempts % 100 != 11 else "попыток"
    return (
        f"Задача не завершилась после {attempts} {word}: обработчик останавливался (сбой или нехватка памяти); "
        "ничего не записано. Запустите её снова или сообщите администратору."
    )


class JobFailed(Exception):
    """Raised by a job's work: the job fails with ``message`` (Russian, for the user) and ``fields``."""

    def __init__(self, message: str, **fields) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class JobRetry(Exception):
    """Raised by a job's work on a passing failure (the mail server refused): the job goes back to the
    queue for the sweep to send again, or fails with ``message`` once it had JOBS_MAX_ATTEMPTS claims."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class JobLost(Exception):
    """This worker's claim is no longer current (the sweep took the job back): write nothing."""


# --- Settings ----------------------------------------------------------------------------------


def heartbeat_interval() -> float:
    return float(settings.JOBS_HEARTBEAT_SECONDS)


def stale_after() -> timedelta:
    return timedelta(seconds=settings.JOBS_STALE_AFTER_SECONDS)


def max_attempts() -> int:
    return int(settings.JOBS_MAX_ATTEMPTS)


# --- Queueing ----------------------------------------------------------------------------------


def job_enqueue(job: Job) -> None:
    """Send the job's task (by name: services never import tasks) once the transaction commits.

    The row already says «queued»: if the broker is down the message is dropped with a warning
    and the sweep sends it later (core.queue).
    """
    enqueue_on_commit(type(job).TASK_NAME, job.pk)


# --- One claim -------------------------------------------------------------------------------------


@dataclass
class Claim:
    """A worker's hold on one job: the row and the attempt number it claimed."""

    model: type[Job]
    pk: int
    attempt: int
    lost: bool = field(default=False, compare=False)

    def rows(self):
        """The job's row while it is still this claim's (running, same attempt)."""
        return self.model._default_manager.filter(
            pk=self.pk, attempts=self.attempt, status__in=self.model.RUNNING_STATUSES
        )

    def update(self, **fields) -> None:
        """Write ``fields`` to the job if it is still ours; ``JobLost`` otherwise."""
        if not self.rows().update(**fields):
            self.lost = True
            raise JobLost(f"{self.model._meta.label} {self.pk} attempt {self.attempt}")

    pending: dict = field(default_factory=dict, compare=False)

    def progress(self, percent: int, **fields) -> None:
        """Show how far the work got. Inside the work's transaction the row would stay locked (and the
        figure invisible) until the commit: there the heartbeat thread writes it on its next beat."""
        values = {"progress": max(0, min(int(percent), 99)), **fields}
        if transaction.get_connection().in_atomic_block:
            self.pending = {**self.pending, **values}
        else:
            self.update(heartbeat_at=timezone.now(), **values)


def job_claim(model: type[Job], pk: int, **fields) -> Claim | None:
    """Take a queued job for this worker; ``None`` when it is not queued (taken, finished, gone)."""
    current = model._default_manager.filter(pk=pk, status=model.QUEUED).values_list("attempts", flat=True).first()
    if current is None:
        return None
    now = timezone.now()
    values = {"started_at": now, "heartbeat_at": now, "finished_at": None, "progress": 0, "error": "", **fields}
    won = model._default_manager.filter(pk=pk, status=model.QUEUED, attempts=current).update(
        status=model.CLAIMED_STATUS, attempts=current + 1, **values
    )
    return Claim(model, pk, current + 1) if won else None


def job_finish(claim: Claim, **fields) -> None:
    """Mark the job done with ``fields``; call it inside the transaction that writes the job's data.

    Raises ``JobLost`` (rolling the caller's transaction back) if the job is no longer this claim's.
    """
    if not transaction.get_connection().in_atomic_block:
        logger.debug("%s %s finished outside a transaction", claim.model._meta.label, claim.pk)
    # Test-only (core/testing_hooks.py): the fault tests kill the worker here, with the data
    # written and nothing committed.
    pause_before_commit(f"{claim.model._meta.label} {claim.pk}")
    now = timezone.now()
    claim.update(**{"status": claim.model.DONE, "finished_at": now, "heartbeat_at": now, "progress": 100, **fields})
    claim.model.job_ended(claim.pk)


def job_fail(claim: Claim, message: str, **fields) -> bool:
    """Mark the job failed with a Russian ``message``; False when it was no longer this claim's."""
    now = timezone.now()
    values = {**claim.model.failure_fields(message), **fields}
    failed = claim.rows().update(status=claim.model.FAILED, error=message, finished_at=now, heartbeat_at=now, **values)
    if failed:
        claim.model.job_ended(claim.pk)
    return bool(failed)


def job_release(claim: Claim, message: str) -> None:
    """Give a claimed job back to the queue after a passing failure; the sweep sends it again once it
    waited RESEND_QUEUED_AFTER. After the last attempt it fails with ``message`` instead."""
    if claim.attempt >= max_attempts():
        job_fail(claim, message)
        return
    claim.rows().update(status=claim.model.QUEUED, heartbeat_at=timezone.now(), error=message)


def job_park(claim: Claim, status: str, **fields) -> None:
    """Set a claimed job aside at a step that waits for a person (the import's matching step): the
    claim is released (the row is neither running nor queued, so the sweep leaves it alone) and
    the job resumes through ``job_resume`` once the person answered."""
    now = timezone.now()
    if not claim.rows().update(status=status, heartbeat_at=now, progress=0, **fields):
        claim.lost = True
        raise JobLost(f"{claim.model._meta.label} {claim.pk} attempt {claim.attempt}")


def job_resume(model: type[Job], pk: int, parked_status: str, **fields) -> bool:
    """Queue a parked job again (a conditional update: only the first of two submits wins)."""
    resumed = model._default_manager.filter(pk=pk, status=parked_status).update(
        status=model.QUEUED, attempts=0, error="", **fields
    )
    if resumed:
        enqueue_on_commit(model.TASK_NAME, pk)
    return bool(resumed)


@contextmanager
def heartbeat(claim: Claim) -> Iterator[None]:
    """Touch the job's ``heartbeat_at`` from a thread while the block runs (the work may block for minutes
    in one SQL statement or one PDF render, and must still look alive)."""
    interval = heartbeat_interval()
    if interval <= 0:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    pending, claim.pending = claim.pending, {}
                    if not claim.rows().update(heartbeat_at=timezone.now(), **pending):
                        return  # finished, or taken back: nothing more to say
                except DatabaseError:
                    # SQLite: the work holds the write lock in a long transaction. The beat after it
                    # comes in time (JOBS_STALE_AFTER_SECONDS is many beats).
                    logger.info("heartbeat of %s %s skipped", claim.model._meta.label, claim.pk, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{claim.model._meta.label}-{claim.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval)


def job_run(model: type[Job], pk: int, work: Callable[[Claim], object], **claim_fields) -> bool:
    """Claim the job and run ``work(claim)``; True when this call ran it (finished or failed).

    ``work`` writes its data and calls ``job_finish(claim, …)`` in one transaction; it raises
    ``JobFailed`` for an outcome the user must read. A job ``work`` left running is failed as an
    internal error, so no row stays «running» behind a worker that returned.
    """
    claim = job_claim(model, pk, **claim_fields)
    if claim is None:
        logger.info("%s %s is not queued: nothing to do", model._meta.label, pk)
        return False
    with heartbeat(claim):
        try:
            work(claim)
        except JobLost:
            logger.warning("%s %s was taken back while it ran: its result is dropped", model._meta.label, pk)
            return False
        except JobFailed as failure:
            job_fail(claim, failure.message, **failure.fields)
        except JobRetry as retry:
            logger.warning("%s %s will be tried again: %s", model._meta.label, pk, retry.__cause__ or retry)
            job_release(claim, retry.message)
        except SoftTimeLimitExceeded:
            logger.error("%s %s hit its soft time limit", model._meta.label, pk)
            job_fail(claim, time_limit_message(_soft_limit_of(model)))
        except MemoryError:
            logger.exception("%s %s ran out of memory", model._meta.label, pk)
            job_fail(claim, OUT_OF_MEMORY)
        except Exception:
            logger.exception("%s %s crashed", model._meta.label, pk)
            job_fail(claim, model.CRASH_MESSAGE or INTERNAL_ERROR)
        else:
            if job_fail(claim, model.CRASH_MESSAGE or INTERNAL_ERROR):
                logger.error("%s %s: the work returned without finishing the job", model._meta.label, pk)
    return True


def job_is_done(model: type[Job], pk: int) -> bool:
    return model._default_manager.filter(pk=pk, status=model.DONE).exists()


def _soft_limit_of(model: type[Job]) -> float | None:
    from celery import current_app

    task = current_app.tasks.get(model.TASK_NAME)
    return getattr(task, "soft_time_limit", None)


# --- Locks on the data a job writes -------------------------------------------------------------------


def job_lock(*keys: str) -> None:
    """Serialise the jobs that write the same data: call inside the write transaction.

    PostgreSQL: a transaction-level advisory lock per key (sorted, so two jobs never wait for
    each other crosswise); the second job waits for the first to commit and then sees its rows
    (it reports «без изменений» instead of failing on a unique index). SQLite: nothing to do —
    every write transaction is IMMEDIATE (config/settings.py) and holds the database's write lock.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


# --- The sweep ---------------------------------------------------------------------------------------


def job_models() -> list[type[Job]]:
    """Every concrete job kind of the installed apps."""
    return [model for model in apps.get_models() if issubclass(model, Job) and model.TASK_NAME]


@dataclass
class SweepResult:
    resent: list[int] = field(default_factory=list)  # still queued long after they were queued
    requeued: list[int] = field(default_factory=list)  # stale: back in the queue
    failed: list[int] = field(default_factory=list)  # stale after the last attempt: failed

    @property
    def handled(self) -> list[int]:
        return self.requeued + self.failed

    @property
    def ids(self) -> list[int]:
        return sorted(set(self.resent)) + self.handled


def job_sweep(model: type[Job], *, now: datetime | None = None) -> SweepResult:
    """Send again the lost messages of ``model``'s jobs and take back its stale ones (see the module doc).

    Idempotent and safe beside running workers: every move is a conditional update on the row's
    status, attempt and heartbeat, so two sweeps never both move one job, and a job whose worker
    beats again in the meantime is left alone. Messages go out on commit; a broker still down is
    logged and the next sweep tries again.
    """
    now = now or timezone.now()
    result = SweepResult()
    waiting_since = now - RESEND_QUEUED_AFTER
    # A job put back by the sweep keeps its old created_at: its heartbeat says when it was put back.
    lost = Q(status=model.QUEUED, created_at__lt=waiting_since) & (
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=waiting_since)
    )
    if model.RESEND_WITHIN is not None:
        lost &= Q(created_at__gte=now - model.RESEND_WITHIN)
    for pk in model._default_manager.filter(lost).order_by("pk").values_list("pk", flat=True):
        enqueue_on_commit(model.TASK_NAME, pk)
        result.resent.append(pk)

    silent_since = now - stale_after()
    stale = Q(status__in=model.RUNNING_STATUSES) & (
        Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True, started_at__lt=silent_since)
    )
    cap = max_attempts()
    for pk, attempts in model._default_manager.filter(stale).order_by("pk").values_list("pk", "attempts"):
        mine = model._default_manager.filter(stale, pk=pk, attempts=attempts)
        if attempts >= cap:
            message = attempts_message(attempts)
            if mine.update(status=model.FAILED, finished_at=now, error=message, **model.failure_fields(message)):
                logger.error("%s %s failed after %s attempts", model._meta.label, pk, attempts)
                model.job_ended(pk)
                result.failed.append(pk)
        elif mine.update(status=model.QUEUED, progress=0, heartbeat_at=now):
            logger.warning("%s %s lost its worker (attempt %s): queued again", model._meta.label, pk, attempts)
            enqueue_on_commit(model.TASK_NAME, pk)
            result.requeued.append(pk)
    return result


def jobs_sweep(*, now: datetime | None = None) -> dict[str, list[int]]:
    """The one periodic sweep over every job kind: ``{"app.Model": [ids sent, put back or failed]}``."""
    swept = {}
    for model in job_models():
        ids = job_sweep(model, now=now).ids
        if ids:
            swept[model._meta.label] = ids
    return swept
