"""Queueing Celery tasks after commit without losing work when the broker is down.

Every job the portal queues has its own row in the database (an import, a recompute, a
report) whose status says whether it ran. So a message the broker could not take is not
lost work: the row stays «queued» and the app's periodic sweep sends it again once the
broker is back (``results_imports_requeue_stale``, ``registry_imports_requeue_stale``).
What must not happen is the old behaviour: the data committed, then ``task.delay``
raising inside ``on_commit`` and the user seeing a 500 page for an upload that was stored.

Views that want to tell the user wrap the service call in ``watch()``::

    with queue.watch() as sent:
        job = results_import_create(...)
    if sent.delayed:
        messages.warning(request, queue.DELAYED_MESSAGE)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
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
# A job still «queued» after this long gets the same notice on its page, and the sweeps send
# it to the broker again (the claim in each task makes a second message harmless).
DELAYED_AFTER = timedelta(minutes=2)
RESEND_QUEUED_AFTER = timedelta(minutes=5)


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


def send(task, *args) -> bool:
    """Send ``task`` with ``args`` now; a broker outage is logged and reported, never raised."""
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

    The task's job row must already record that it is waiting (status «queued»): if the
    broker is down the message is dropped with a warning and the sweep sends it later.
    """
    transaction.on_commit(lambda: send(task, *args))


def is_delayed(queued_since: datetime | None) -> bool:
    """True when a job has waited in the queue longer than a worker normally takes to start it."""
    return queued_since is not None and queued_since < timezone.now() - DELAYED_AFTER
