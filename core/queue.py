"""Queueing Celery tasks after commit without losing work when the broker is down.

Every job the portal queues has its own row in the database (an import, a recompute, an
identification run, a report, a letter) whose status says whether it ran. So a message the
broker could not take is not lost work: the row stays «queued» (a letter «not sent») and the
app's periodic sweep sends it again once the broker is back. The sweeps share
``requeue_stale`` below; each app's is in its CELERY_BEAT_SCHEDULE entry.
What must not happen is the old behaviour: the data committed, then ``task.delay``
raising inside ``on_commit`` and the user seeing a 500 page for an upload that was stored.

Views that want to tell the user wrap the service call in ``watch()``::

    with queue.watch() as sent:
        job = results_import_create(...)
    if sent.delayed:
        messages.warning(request, queue.DELAYED_MESSAGE)

(``delayed_message`` words the same notice for actions other than an upload.)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import wraps

from django.contrib import messages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# kombu wraps every transport's connection errors into OperationalError when it publishes; the
# Redis ones are for a result backend that a task option might still reach. Not OSError: with
# eager tasks (tests) the task runs inside delay(), and its own errors must not pass as outages.
try:  # the Redis client is there whenever REDIS_URL is used; the embedded setup may lack it
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    BROKER_ERRORS: tuple[type[BaseException], ...] = (OperationalError, RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover
    BROKER_ERRORS = (OperationalError,)

DELAYED_MESSAGE = (
    "Файл сохранён, но обработка задерживается: очередь задач сейчас недоступна. "
    "Ничего не потеряно — обработка начнётся автоматически, как только очередь заработает; "
    "загружать файл повторно не нужно."
)


def delayed_message(*, saved: str, work: str) -> str:
    """The notice for an action whose job could not be queued: «Запуск сохранён, но расчёт задерживается…»."""
    return (
        f"{saved}, но {work} задерживается: очередь задач сейчас недоступна. "
        f"Ничего не потеряно — {work} начнётся автоматически, как только очередь заработает; "
        "повторять действие не нужно."
    )


LETTERS_DELAYED_MESSAGE = delayed_message(saved="Изменения сохранены", work="отправка писем")


def warn_when_delayed(message: str):
    """View decorator: if a send made while the view ran found the broker down, tell the user.

    For views that answer with a redirect (the notice shows on the next page); a view that
    renders its answer should use ``watch()`` itself and add the notice before rendering.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            with watch() as sent:
                response = view(request, *args, **kwargs)
            if sent.delayed:
                messages.warning(request, message)
            return response

        return wrapped

    return decorator


# A job still «queued» after this long gets the same notice on its page, and the sweeps send
# it to the broker again (the claim in each task makes a second message harmless).
DELAYED_AFTER = timedelta(minutes=2)
RESEND_QUEUED_AFTER = timedelta(minutes=5)
# A job «running» this long lost its worker (acks_late redelivers the message at once, but the
# claim refuses it while the row says «running»): the sweeps put it back in the queue.
STALE_RUNNING_AFTER = timedelta(minutes=30)
# Letters not sent are sent again only while they are news: an address the mail server keeps
# refusing must not be retried for ever, and a week-old «your report was accepted» helps nobody.
RESEND_LETTERS_WITHIN = timedelta(days=3)


@dataclass
class SendReport:
    """What happened to the tasks queued inside one ``watch()`` block."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def delayed(self) -> bool:
        return bool(self.failed)


_current: ContextVar[SendReport | None] = ContextVar("opora_queue_report", default=None)


@contextmanager
def watch() -> Iterator[SendReport]:
    """Collect the outcome of the sends made (on commit) inside the block."""
    report = SendReport()
    token = _current.set(report)
    try:
        yield report
    finally:
        _current.reset(token)


def task_named(name: str):
    """The registered Celery task called ``name`` (services queue by name and never import tasks)."""
    from celery import current_app

    try:
        return current_app.tasks[name]
    except KeyError:
        # A web process has imported only the task modules its views needed so far.
        current_app.loader.import_default_modules()
        return current_app.tasks[name]


def send(task, *args) -> bool:
    """Send ``task`` (a task or its name) with ``args`` now; a broker outage is logged and reported, never raised."""
    if isinstance(task, str):
        task = task_named(task)
    report = _current.get()
    name = getattr(task, "name", repr(task))
    try:
        task.delay(*args)
    except BROKER_ERRORS:
        logger.warning("broker unavailable: %s%r left queued for the periodic sweep", name, args, exc_info=True)
        if report is not None:
            report.failed.append(name)
        return False
    if report is not None:
        report.sent.append(name)
    return True


def enqueue_on_commit(task, *args) -> None:
    """Queue ``task.delay(*args)`` once the current transaction commits (at once outside one).

    ``task`` is the task or its registered name (services queue by name: they never import tasks).

    The task's job row must already record that it is waiting (status «queued»): if the
    broker is down the message is dropped with a warning and the sweep sends it later.
    """
    transaction.on_commit(lambda: send(task, *args))


def is_delayed(queued_since: datetime | None) -> bool:
    """True when a job has waited in the queue longer than a worker normally takes to start it."""
    return queued_since is not None and queued_since < timezone.now() - DELAYED_AFTER


def requeue_stale(*, jobs: QuerySet, task, lost: Q, stuck: Q | None = None, unstick: dict | None = None) -> list[int]:
    """Send ``task(pk)`` again for the rows of ``jobs`` whose message was lost or whose worker died.

    ``lost``: rows still waiting long after they were queued (the broker was down, or the
    message was dropped); they are sent again as they are. ``stuck``: rows a dead worker left
    «running»; each is moved back by ``unstick`` with a conditional update (only one sweep wins
    it, as in monitoring.imports.pipeline.job_claim) and then sent. Sending twice is harmless because
    every task claims its row before it works (``UPDATE … WHERE status = 'queued'``), so a job
    that was only slow, or is already done, does nothing on the second message.

    Sends on commit through ``enqueue_on_commit``: a broker still down is logged, the rows stay
    as they are and the next sweep tries again. Returns the ids sent, in order.
    """
    unstuck: list[int] = []
    if stuck is not None:
        for pk in jobs.filter(stuck).values_list("pk", flat=True):
            if jobs.filter(stuck, pk=pk).update(**(unstick or {})):
                unstuck.append(pk)
    ids = sorted(set(jobs.filter(lost).values_list("pk", flat=True)) | set(unstuck))
    for pk in ids:
        enqueue_on_commit(task, pk)
    return ids
