import io

import pytest

from monitoring import imports as services
from monitoring.models import ImportJob


@pytest.fixture
def load(django_capture_on_commit_callbacks):
    """Upload bytes as a user (None — an operator) and run the import and the recompute after
    it (Celery eager) the way the page does."""

    def run(content: bytes, user=None, name: str = "results.xlsx") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.results_import_create(user=user, uploaded_file=io.BytesIO(content), original_name=name)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE, job.errors
        return job

    return run
