"""Celery tasks of identification: thin, take ids, safe to run twice (each claims its row)."""

from celery import shared_task

from identification import services


@shared_task(name="identification.tasks.recompute_indicators")
def recompute_indicators(recompute_id: int) -> None:
    services.indicator_recompute_run(recompute_id=recompute_id)


@shared_task(name="identification.tasks.run_identification")
def run_identification(run_id: int) -> None:
    services.identification_run_execute(run_id=run_id)


@shared_task(name="identification.tasks.indicators_after_import")
def indicators_after_import(job_id: int) -> None:
    # No longer sent (identification.followups writes the recompute itself); kept
    # for the messages a broker may still hold from before.
    services.indicators_after_import(job_id=job_id)
