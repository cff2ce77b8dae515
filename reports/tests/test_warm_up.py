"""The PDF renderer is warmed where reports are rendered: in each prefork child (issue #20)."""

from celery.concurrency.prefork import TaskPool as PreforkPool
from celery.concurrency.thread import TaskPool as ThreadPool
from celery.signals import worker_process_init, worker_ready

import core.pdf
import reports.tasks  # noqa: F401 — connects the handlers, as the worker's autodiscovery does


def _count_warm_ups(monkeypatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(core.pdf, "warm_up", lambda: calls.append(1) or 0.0)
    return calls


class _Consumer:
    def __init__(self, pool):
        self.pool = pool


def test_each_prefork_child_warms_the_renderer_when_it_starts(monkeypatch):
    calls = _count_warm_ups(monkeypatch)

    worker_process_init.send(sender=None)

    assert calls == [1]


def test_a_prefork_parent_does_not_warm_up_but_a_threads_worker_does(monkeypatch):
    calls = _count_warm_ups(monkeypatch)

    worker_ready.send(sender=_Consumer(PreforkPool.__new__(PreforkPool)))
    assert calls == []
    worker_ready.send(sender=_Consumer(ThreadPool.__new__(ThreadPool)))
    assert calls == [1]


def test_a_failing_warm_up_does_not_stop_the_worker(monkeypatch):
    def broken():
        raise OSError("no fonts")

    monkeypatch.setattr(core.pdf, "warm_up", broken)

    worker_process_init.send(sender=None)  # logged, not raised
