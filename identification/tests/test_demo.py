from accounts.models import Role
from identification.demo import demo_seed
from identification.models import IdentificationRun, SchoolStatus, StatusKind
from identification.tests.helpers import context, results
from tests.factories import AcademicYearFactory, MunicipalityFactory, SchoolFactory, UserFactory


def test_demo_seed_approves_both_years_lists_and_leaves_the_risk_zone_to_decide(region):
    district = MunicipalityFactory(region=region, oktmo="99610000", name="Заречный муниципальный район")
    UserFactory(username="uo", role=Role.DEPARTMENT, municipality=district)
    before = AcademicYearFactory(start_year=2023)
    previous = AcademicYearFactory(start_year=2024)
    current = AcademicYearFactory(start_year=2025)
    schools = [SchoolFactory(municipality=district, code=f"edu99000{i}") for i in range(10)]
    for i, school in enumerate(schools):
        for year in (before, previous, current):
            # School 0 has the most «2» every year and the poorest families.
            results(school=school, year=year, marks=[2] * (8 if i == 0 else i % 3) + [4] * 12)
            context(school=school, year=year, contingent=400, low_income_share=60 if i == 0 else 5 + i)

    line = demo_seed()

    support = {StatusKind.LOW_RESULTS, StatusKind.DIFFICULT_CONDITIONS}
    for year in (previous, current):
        approved = SchoolStatus.objects.filter(year=year, kind__in=support)
        assert set(approved.values_list("kind", flat=True)) == support
        assert schools[0].pk in set(approved.values_list("school_id", flat=True))
    assert not SchoolStatus.objects.filter(year=previous, kind=StatusKind.HIGH_RESULTS).exists()
    assert not SchoolStatus.objects.filter(kind=StatusKind.RISK_ZONE).exists()
    risk_run = IdentificationRun.objects.get(year=current, version__methodology__kind=StatusKind.RISK_ZONE)
    assert not risk_run.statuses.exists()
    assert "зона риска ждёт решения" in line

    # A second run creates nothing.
    counts = (IdentificationRun.objects.count(), SchoolStatus.objects.count())
    demo_seed()
    assert (IdentificationRun.objects.count(), SchoolStatus.objects.count()) == counts


def test_demo_seed_without_any_data_creates_no_runs(region):
    MunicipalityFactory(region=region, oktmo="99610000", name="Заречный муниципальный район")
    AcademicYearFactory(start_year=2025)

    line = demo_seed()

    assert not IdentificationRun.objects.exists()
    assert "запуски не созданы" in line
