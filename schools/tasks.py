"""Celery tasks of the registry: thin, take ids, safe to run twice."""

from celery import shared_task

from schools import services


@shared_task(name="schools.tasks.import_registry")
def import_registry(job_id: int) -> None:
    services.registry_import_run(job_id=job_id)


@shared_task(name="schools.tasks.purge_registry_uploads")
def purge_registry_uploads() -> int:
    return services.registry_imports_purge()
