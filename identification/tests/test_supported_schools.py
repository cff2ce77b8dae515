from django.utils import timezone

from identification.models import SchoolStatus, StatusKind
from identification.selectors import supported_schools
from tests.factories import AcademicYearFactory


def test_supported_schools_are_those_with_an_active_low_results_or_social_status(school, other_school, department):
    year = AcademicYearFactory(start_year=2025)
    SchoolStatus.objects.create(school=school, year=year, kind=StatusKind.LOW_RESULTS, approved_by=department)
    SchoolStatus.objects.create(
        school=other_school, year=year, kind=StatusKind.DIFFICULT_CONDITIONS, revoked_at=timezone.now()
    )

    assert list(supported_schools()) == [school]


def test_a_high_result_school_is_not_supported(school):
    year = AcademicYearFactory(start_year=2025)
    SchoolStatus.objects.create(school=school, year=year, kind=StatusKind.HIGH_RESULTS)

    assert not supported_schools().exists()
