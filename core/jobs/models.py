"""The abstract job row every kind of background work extends (imports, runs, reports, exports).

A job row is the record of the work: the Celery message only says «look at row N». Its
``status`` says where the work is, ``attempts`` how many times a worker claimed it (and is the
fencing token of the current claim: a worker whose job was taken back cannot write over the
next one), ``heartbeat_at`` when the worker last showed it is alive. The fields are the same in
every app so that one claim, one heartbeat, one finish and one sweep (``core.jobs.services``)
serve all of them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "В очереди"
    RUNNING = "running", "Выполняется"
    DONE = "done", "Готово"
    FAILED = "failed", "Ошибка"


class Job(models.Model):
    """Abstract: a concrete job sets ``TASK_NAME`` (the Celery task that runs one row, by name).

    A kind with more running stages than «running» (the results import: parsing, validating,
    writing) overrides ``status`` with its own choices and lists them in ``RUNNING_STATUSES``;
    ``CLAIMED_STATUS`` is the first of them, set by the claim.
    """

    TASK_NAME: ClassVar[str] = ""
    QUEUED: ClassVar[str] = JobStatus.QUEUED
    CLAIMED_STATUS: ClassVar[str] = JobStatus.RUNNING
    RUNNING_STATUSES: ClassVar[tuple[str, ...]] = (JobStatus.RUNNING,)
    DONE: ClassVar[str] = JobStatus.DONE
    FAILED: ClassVar[str] = JobStatus.FAILED
    FINISHED_STATUSES: ClassVar[tuple[str, ...]] = (JobStatus.DONE, JobStatus.FAILED)
    # What the user reads when the work crashed on something unforeseen (empty: the layer's own words).
    CRASH_MESSAGE: ClassVar[str] = ""
    # A job still queued this long after it was made is no longer sent by the sweep (a letter that is
    # no longer news); None: sent however late.
    RESEND_WITHIN: ClassVar[timedelta | None] = None

    status = models.CharField(
        "статус", max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(
        "попыток", default=0, help_text="Сколько раз обработчик брал задачу в работу."
    )
    progress = models.PositiveSmallIntegerField("готовность, %", default=0)
    error = models.TextField("ошибка", blank=True)
    created_at = models.DateTimeField("создана", auto_now_add=True)
    started_at = models.DateTimeField("начата", null=True, blank=True)
    # Touched by the worker every few seconds while it runs (core.jobs.services): a running job
    # whose heartbeat stopped lost its worker, however long the work itself takes.
    heartbeat_at = models.DateTimeField("признак жизни", null=True, blank=True)
    finished_at = models.DateTimeField("завершена", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED_STATUSES

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING_STATUSES

    @classmethod
    def failure_fields(cls, message: str) -> dict:
        """Extra fields a failed job of this kind stores besides ``error`` (an import: its error list)."""
        return {}

    @classmethod
    def job_ended(cls, pk: int) -> None:
        """Called once the job is done or failed, inside the transaction that says so (an import
        deletes its upload on commit). Whoever ended it: the worker, or the sweep after the last attempt."""
