from accounts.models import Role
from identification.demo import demo_seed
from identification.models import IdentificationRun, SchoolStatus, StatusKind
from identification.tests.helpers import context, results
from tests.factories import AcademicYearFactory, MunicipalityFactory, SchoolFactory, UserFactory


def test_demo_seed_approves_last_years_list_and_leaves_this_years_runs_pending(region):
    district = MunicipalityFactory(region=region, oktmo="99610000", name="Заречный муниципальный район")
    UserFactory(username="uo", role=Role.DEPARTMENT, municipality=district)
    before = AcademicYearFactory(start_year=2023, is_current=False)
    previous = AcademicYearFactory(start_year=2024, is_current=False)
    current = AcademicYearFactory(start_year=2025, is_current=True)
    schools = [SchoolFactory(municipality=district, code=f"edu99000{i}") for i in range(10)]
    for i, school in enumerate(schools):
        for year in (before, previous, current):
            # School 0 has the most «2» every year and the poorest families.
            results(school=school, year=year, marks=[2] * (8 if i == 0 else i % 3) + [4] * 12)
            context(school=school, year=year, contingent=400, low_income_share=60 if i == 0 else 5 + i)

    line = demo_seed()

    approved = SchoolStatus.objects.filter(year=previous)
    assert set(approved.values_list("kind", flat=True)) == {StatusKind.LOW_RESULTS, StatusKind.DIFFICULT_CONDITIONS}
    assert schools[0].pk in set(approved.values_list("school_id", flat=True))
    assert not SchoolStatus.objects.filter(year=current).exists()
    assert IdentificationRun.objects.filter(year=current, proposed_count__gt=0).count() == 2
    assert "ждут утверждения" in line

    # A second run creates nothing.
    counts = (IdentificationRun.objects.count(), SchoolStatus.objects.count())
    demo_seed()
    assert (IdentificationRun.objects.count(), SchoolStatus.objects.count()) == counts


def test_demo_seed_without_any_data_creates_no_runs(region):
    MunicipalityFactory(region=region, oktmo="99610000", name="Заречный муниципальный район")
    AcademicYearFactory(start_year=2025, is_current=True)

    line = demo_seed()

    assert not IdentificationRun.objects.exists()
    assert "запуски не созданы" in line
