"""What runs after an import changed the data: registered by the apps above monitoring.

Monitoring sits below identification and risks (apps depend downward), so it does not call
them: each registers its follow-up here in its ``AppConfig.ready`` (which follow-ups exist is
theirs to say). ``import_follow_ups_run`` calls every one inside the transaction that writes
the import's rows and its «done» (or the rollback), and only in the worker whose claim won: a
follow-up creates its own job row there, so the recompute exists exactly when the data do, and
a message delivered twice makes no second one.
"""

from __future__ import annotations

from collections.abc import Callable

from monitoring.models import ImportJob

FollowUp = Callable[[ImportJob], object]
_follow_ups: dict[str, FollowUp] = {}


def import_follow_up_register(name: str, follow_up: FollowUp) -> None:
    """Run ``follow_up(job)`` after every done or rolled-back import (idempotent by ``name``)."""
    _follow_ups[name] = follow_up


def import_follow_ups_run(job: ImportJob) -> None:
    for follow_up in _follow_ups.values():
        follow_up(job)
