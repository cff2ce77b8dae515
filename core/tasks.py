"""Periodic housekeeping of core: thin tasks over one service each."""

from celery import shared_task

from core.idempotency import submit_tokens_purge
from core.ratelimit import rate_limits_purge


@shared_task(name="core.tasks.purge_rate_limits")
def purge_rate_limits() -> int:
    return rate_limits_purge()


@shared_task(name="core.tasks.purge_submit_tokens")
def purge_submit_tokens() -> int:
    return submit_tokens_purge()
