import datetime as dt

import pytest

from roadmaps.models import Roadmap
from roadmaps.tests.builders import period_of, roadmap_of, year


@pytest.fixture
def current_year(db):
    return year(2025)


@pytest.fixture
def programme(school, director, current_year):
    """An approved programme of ``school`` with two measures (the first needs evidence)."""
    return roadmap_of(school=school, created_by=director, measures=2)


@pytest.fixture
def draft_programme(school, director, current_year):
    return roadmap_of(school=school, created_by=director, status=Roadmap.Status.DRAFT, title="Черновик программы")


@pytest.fixture
def period(municipality, department):
    return period_of(municipality, created_by=department)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what the code queues on commit (the Celery tasks run eagerly in tests)."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
