"""Thin Celery tasks: ids in, one service call; each safe to run twice."""

from __future__ import annotations

from celery import shared_task

from risks import services


@shared_task
def run_recompute_job(job_id: int) -> None:
    services.recompute_job_run(job_id=job_id)


@shared_task
def recompute_after_import(year_id: int, school_ids: list[int] | None = None) -> str:
    """For the post-import hook: signals and risk levels of the school-years a job touched."""
    return services.risks_recompute(year=year_id, school_ids=school_ids)


@shared_task
def recompute_school_profile(year_id: int, school_id: int) -> None:
    services.risk_profile_compute(year=year_id, school_ids=[school_id])


@shared_task(name="risks.tasks.requeue_stale_risks")
def requeue_stale_risks() -> list[int]:
    return services.risk_profiles_resend_behind()
