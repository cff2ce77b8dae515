"""Periodic housekeeping of core: thin tasks over one service each."""

from celery import shared_task

from core.idempotency import submit_tokens_purge
from core.jobs.services import jobs_sweep
from core.letters import letter_send
from core.ratelimit import rate_limits_purge


@shared_task(name="core.tasks.purge_rate_limits")
def purge_rate_limits() -> int:
    return rate_limits_purge()


@shared_task(name="core.tasks.purge_submit_tokens")
def purge_submit_tokens() -> int:
    return submit_tokens_purge()


@shared_task(name="core.tasks.sweep_jobs")
def sweep_jobs() -> dict[str, list[int]]:
    """The one sweep of every job kind (core.jobs): lost messages sent again, stale jobs taken back."""
    return jobs_sweep()


@shared_task(name="core.tasks.send_letter")
def send_letter(letter_id: int) -> bool:
    """One letter of the outbox (core.letters): claimed, so a second message sends nothing."""
    return letter_send(letter_id=letter_id)
