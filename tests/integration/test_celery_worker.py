"""A real Celery worker, over Redis, runs a registry import queued by the web code.

Everything else in the suite runs tasks eagerly; this module proves the deployed path:
``transaction.on_commit`` publishes to the broker, a worker process started as in
production (``-Q default,imports,reports``) picks the task from the ``imports`` queue
and writes to the same database the test reads.
"""

from __future__ import annotations

import io
import os
import re

import pytest
from django.conf import settings

from schools.models import RegistryImport, School
from schools.services import registry_import_create
from tests.integration.conftest import log_of, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),  # the worker must see committed rows
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis broker: set REDIS_URL"),
]

CSV = (
    "Код ОО;Полное наименование;Тип;Местность\n"
    "edu985001;Муниципальное бюджетное общеобразовательное учреждение «Заречная СОШ»;СОШ;Городская\n"
    "edu985002;Муниципальное бюджетное общеобразовательное учреждение «Луговая ООШ»;ООШ;Сельская\n"
).encode()


@pytest.fixture
def celery_worker(start_worker):
    return start_worker()


def _wait_until_finished(job: RegistryImport, worker) -> RegistryImport:
    def finished() -> bool:
        job.refresh_from_db()
        return job.is_finished

    wait_until(finished, what=f"registry import №{job.pk}", watch=worker)
    return job


def test_a_real_worker_runs_the_registry_import_queued_by_the_web_code(
    celery_worker, celery_publishes_to_the_broker, department
):
    assert settings.CELERY_BROKER_URL.startswith("redis://")

    # No atomic block around the call: on_commit fires at once and publishes the task.
    job = registry_import_create(user=department, uploaded_file=io.BytesIO(CSV), original_name="reestr.csv")

    job = _wait_until_finished(job, celery_worker)
    assert job.status == RegistryImport.Status.DONE, f"{job.errors}\n{log_of(celery_worker)}"
    assert (job.created_count, job.total_rows, job.errors) == (2, 2, [])
    schools = School.objects.filter(code__in=["edu985001", "edu985002"]).order_by("code")
    assert [(s.code, s.municipality_id, s.settlement) for s in schools] == [
        ("edu985001", department.municipality_id, School.Settlement.URBAN),
        ("edu985002", department.municipality_id, School.Settlement.RURAL),
    ]
    assert re.search(r"Task schools\.tasks\.import_registry\[[\w-]+\] succeeded", log_of(celery_worker))
