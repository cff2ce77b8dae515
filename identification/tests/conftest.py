import pytest

from identification import services
from identification.models import Methodology, MethodologyVersion
from tests.factories import AcademicYearFactory, SchoolFactory


@pytest.fixture
def years(db):
    return {
        2023: AcademicYearFactory(start_year=2023),
        2024: AcademicYearFactory(start_year=2024),
        2025: AcademicYearFactory(start_year=2025),
    }


@pytest.fixture
def ten_schools(municipality, school, other_school):
    """The home municipality with ten schools: ``school``, ``other_school`` and eight more."""
    extra = [SchoolFactory(municipality=municipality, code=f"edu98010{i}") for i in range(8)]
    return [school, other_school, *extra]


def preset(kind: str) -> MethodologyVersion:
    # The first shipped preset of the kind (the risk zone has two: ВПР only, and all the data).
    return MethodologyVersion.objects.get(
        methodology=Methodology.objects.filter(kind=kind, region=None).order_by("pk").first(), number=1
    )


@pytest.fixture
def run_now(django_capture_on_commit_callbacks, department):
    """Create a run of a preset and execute it (Celery eager) as the department would."""

    def run(kind: str, year, version=None):
        with django_capture_on_commit_callbacks(execute=True):
            created = services.identification_run_create(
                user=department, version=version or preset(kind), year=year, municipality=department.municipality
            )
        created.refresh_from_db()
        return created

    return run
