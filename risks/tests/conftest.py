import itertools

import pytest

from monitoring.models import ContextData, ImportJob, ParticipantResult, Subject
from tests.factories import AcademicYearFactory

_keys = itertools.count()


@pytest.fixture
def year(db):
    return AcademicYearFactory(start_year=2025)


@pytest.fixture
def russian(db):
    return Subject.objects.get_or_create(code="01", defaults={"name": "Русский язык", "fis_oko_abbr": "РУ"})[0]


@pytest.fixture
def maths(db):
    return Subject.objects.get_or_create(code="02", defaults={"name": "Математика", "fis_oko_abbr": "МА"})[0]


@pytest.fixture
def job(db):
    return ImportJob.objects.create(original_name="test.xlsx", sha256="f" * 64, status=ImportJob.Status.DONE)


@pytest.fixture
def add_results(year, russian, job):
    """add_results(school, [(primary, mark, journal), …], procedure="vpr", subject=russian, grade=4)."""

    def add(school, rows, *, procedure="vpr", subject=None, grade=4, replaced=False, in_year=None):
        ParticipantResult.objects.bulk_create(
            ParticipantResult(
                year=in_year or year,
                procedure=procedure,
                subject=subject or russian,
                grade=grade,
                school=school,
                participant_key=f"{next(_keys):032x}",
                primary_score=primary,
                mark=mark,
                journal_mark=journal,
                import_job=job,
                replaced_by=job if replaced else None,
            )
            for primary, mark, journal in rows
        )

    return add


@pytest.fixture
def add_context(year, job):
    def add(school, **values):
        return ContextData.objects.create(year=year, school=school, import_job=job, **values)

    return add


@pytest.fixture
def operator(db):
    """The portal's operator: the only one who changes the shared «500+» catalogue (schools.catalogues)."""
    from tests.factories import UserFactory

    return UserFactory(username="operator", role="", is_superuser=True, is_staff=True)
