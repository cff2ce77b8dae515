from django.urls import reverse

from identification.models import SchoolStatus, StatusKind
from tests.factories import AcademicYearFactory


def test_the_departments_home_shows_this_years_support_lists(client, department, school, other_school):
    year = AcademicYearFactory(start_year=2025)
    SchoolStatus.objects.create(school=school, year=year, kind=StatusKind.LOW_RESULTS, approved_by=department)
    SchoolStatus.objects.create(
        school=other_school, year=year, kind=StatusKind.DIFFICULT_CONDITIONS, approved_by=department
    )
    client.force_login(department)

    body = client.get(reverse("core:home")).content.decode()

    card = body[body.index("Выявление ШНОР и ШССУ") :]
    assert "ШНОР, 2025/2026" in card
    assert '<div class="fs-3 fw-bold">1</div>' in card


def test_the_directors_home_shows_the_schools_status_and_its_decision(client, director, school, department):
    year = AcademicYearFactory(start_year=2025)
    SchoolStatus.objects.create(
        school=school, year=year, kind=StatusKind.LOW_RESULTS, approved_by=department, decision_number="87-од"
    )
    client.force_login(director)

    body = client.get(reverse("core:home")).content.decode()

    statuses = body[body.index('id="school-statuses"') :]
    assert "ШНОР — низкие образовательные результаты, 2025/2026" in statuses
    assert "решение № 87-од" in statuses
