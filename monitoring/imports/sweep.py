"""Jobs a dead worker or a lost message left behind: the job layer's one sweep (core.jobs)."""

from __future__ import annotations

from core.jobs.services import job_sweep
from monitoring.models import ImportJob


def results_imports_requeue_stale() -> list[int]:
    """Send again the imports left «queued»; queue again those whose worker's heartbeat stopped,
    or fail them after JOBS_MAX_ATTEMPTS claims («Задача не завершилась после N попыток…»).

    The write is one transaction with the job's «done», so a job whose worker died has written
    nothing and a rerun is safe; the sweep moves each job by a conditional update only one wins.
    """
    return job_sweep(ImportJob).ids
