import io

import pytest

from monitoring import imports
from monitoring.models import ImportJob


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    """Upload bytes as a user and run the Celery task (eager) the way the page does."""

    def run(user, content: bytes, name: str = "results.xlsx") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = imports.results_import_create(user=user, uploaded_file=io.BytesIO(content), original_name=name)
        job.refresh_from_db()
        return job

    return run
