"""Regional identification (issue #20, item 5): the region role runs a methodology over every
school of its region, with the pools and explanations of a municipal run, and approves the
result with its own decision (add / keep / revoke, as a department's approval).

Data come through the results import of each municipality's department; every expected figure
below is worked out by hand from the shares uploaded.
"""

from __future__ import annotations

import datetime

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from accounts.models import Role
from identification import services
from identification.models import Decision, IdentificationRun, RunResult, SchoolStatus, StatusKind, TaskStatus
from identification.tests.conftest import preset
from identification.tests.imports import import_vpr
from tests.factories import MunicipalityFactory, SchoolFactory, UserFactory

DECIDED = datetime.date(2025, 10, 1)


@pytest.fixture
def second(region):
    """A second municipality of the home region, with its department and ten schools."""
    municipality = MunicipalityFactory(region=region, name="Луговой район", oktmo="98620000")
    schools = [SchoolFactory(municipality=municipality, code=f"edu98020{i}") for i in range(10)]
    user = UserFactory(username="second_department", role=Role.DEPARTMENT, municipality=municipality)
    return {"municipality": municipality, "schools": schools, "department": user}


@pytest.fixture
def region_data(ten_schools, second, years, department, django_capture_on_commit_callbacks):
    """ВПР, «2» of 30 participants, the same in 2024/25 and 2025/26, uploaded by each department:

    home:   school 0 — 9 (30 %), school 1 — 6 (20 %), the other eight — 2 (6,7 %);
    second: school 0 — 4 (13,3 %), the other nine — 1 (3,3 %).

    Within each municipality the worst school alone is in the bottom 10 % (0 of 10 worse);
    within the region (20 schools) home 0 (0 worse) and home 1 (1 of 20 worse: 5 %) are, and
    second 0 is not (2 of 20 worse: 10 %, not below 10).
    """
    capture = django_capture_on_commit_callbacks
    home = {s.code: (2, 30) for s in ten_schools} | {ten_schools[0].code: (9, 30), ten_schools[1].code: (6, 30)}
    other = {s.code: (1, 30) for s in second["schools"]} | {second["schools"][0].code: (4, 30)}
    for year in ("2024/2025", "2025/2026"):
        import_vpr(department, capture, year=year, shares=home)
        import_vpr(second["department"], capture, year=year, shares=other)
    return {"home": ten_schools, "second": second["schools"]}


def _regional_run(user, version, year, capture) -> IdentificationRun:
    with capture(execute=True):
        run = services.identification_run_create(user=user, version=version, year=year, region=user.region)
    run.refresh_from_db()
    return run


def _proposed(run) -> list[str]:
    return sorted(run.results.filter(proposed=True).values_list("school__code", flat=True))


def test_a_regional_run_judges_each_school_within_its_municipality_as_the_department_does(
    region_data, years, region_user, department, second, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    home, other = region_data["home"], region_data["second"]

    run = _regional_run(region_user, preset("low_results"), years[2025], capture)

    assert run.status == TaskStatus.DONE and run.region_id == region_user.region_id and run.municipality_id is None
    assert run.schools_count == 20
    assert _proposed(run) == sorted([home[0].code, other[0].code])
    # The same explanations as each department's own run of its municipality.
    for user, school in ((department, home[0]), (second["department"], other[0])):
        with capture(execute=True):
            own = services.identification_run_create(
                user=user, version=preset("low_results"), year=years[2025], municipality=user.municipality
            )
        assert run.results.get(school=school).explanation == own.results.get(school=school).explanation
    assert run.results.get(school=other[0]).explanation == (
        "Доля «2» по ВПР 13,3% — в нижних 10% муниципалитета (порог 13,3%) второй год подряд."
    )


def test_a_region_pool_compares_schools_across_municipalities(
    region_data, years, region_user, django_capture_on_commit_callbacks
):
    home = region_data["home"]
    version = preset("low_results")
    criterion = version.criteria.get(indicator="vpr_share_2")
    # The region edits the preset (its own copy): «в нижних 10% региона» two years running.
    copy = services.methodology_version_save(
        version=version,
        fields={"source_document": "Региональная модель", "required_count": 1},
        criteria=[
            {
                "indicator": "vpr_share_2",
                "subject": None,
                "grade": None,
                "pool": "region",
                "operator": "bottom",
                "value": 10,
                "min_participants": criterion.min_participants,
                "consecutive_years": 2,
            }
        ],
        user=region_user,
    )

    run = _regional_run(region_user, copy, years[2025], django_capture_on_commit_callbacks)

    assert _proposed(run) == sorted([home[0].code, home[1].code])
    assert run.results.get(school=home[1]).explanation == (
        "Доля «2» по ВПР 20,0% — в нижних 10% региона (порог 20,0%) второй год подряд."
    )
    second_worst = run.results.get(school=region_data["second"][0]).details[0]
    assert (second_worst["fired"], second_worst["percentile"]) == (False, 10.0)


def test_the_region_approves_its_run_with_its_own_decision(
    region_data, years, region_user, department, second, django_capture_on_commit_callbacks
):
    home, other = region_data["home"], region_data["second"]
    kind, year = StatusKind.LOW_RESULTS, years[2025]
    # In force before: home 0 (proposed again), second 5 (not on the list: revoked) and home 7
    # (not on the list, kept by hand on the confirmation).
    stays = services.status_set(school=home[0], year=year, kind=kind, reason="прошлый приказ", user=department)
    drops = services.status_set(
        school=other[5], year=year, kind=kind, reason="прошлый приказ", user=second["department"]
    )
    kept = services.status_set(school=home[7], year=year, kind=kind, reason="прошлый приказ", user=department)
    run = _regional_run(region_user, preset("low_results"), year, django_capture_on_commit_callbacks)

    with pytest.raises(services.IdentificationRefused):
        services.run_approve(
            run=run, school_ids=[home[0].pk], decision_number="1", decision_date=DECIDED, user=department
        )
    decision = services.run_approve(
        run=run,
        school_ids=[home[0].pk, other[0].pk],
        keep_ids=[kept.pk],
        decision_number="12-р",
        decision_date=DECIDED,
        user=region_user,
    )

    assert (decision.region_id, decision.municipality_id) == (region_user.region_id, None)
    assert list(decision.added.values_list("school__code", flat=True)) == [other[0].code]
    assert sorted(decision.kept) == sorted([stays.pk, kept.pk])
    assert list(decision.revoked.values_list("pk", flat=True)) == [drops.pk]
    active = SchoolStatus.objects.filter(revoked_at=None, kind=kind, year=year)
    assert sorted(active.values_list("school__code", flat=True)) == sorted([home[0].code, home[7].code, other[0].code])


def test_pages_of_a_regional_run_for_the_region_and_the_departments(
    client, region_data, years, region_user, department, outsider, django_capture_on_commit_callbacks
):
    home, other = region_data["home"], region_data["second"]
    client.force_login(region_user)
    form = client.get(reverse("identification:run_create")).content.decode()
    assert 'name="region"' in form and 'name="municipality"' not in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("identification:run_create"),
            {"version": preset("low_results").pk, "year": years[2025].pk, "region": region_user.region_id},
        )
    run = IdentificationRun.objects.get(region=region_user.region)
    assert response["Location"] == reverse("identification:run_detail", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert "региональный запуск" in page
    assert home[0].short_name in page and other[0].short_name in page and "Луговой район" in page
    assert 'name="schools"' in page  # the region may approve its own run
    # The run page's form (a page of the proposals, ``shown``): the region unticks the second
    # municipality's school, keeps it when going to a page, and the confirmation leaves it out.
    proposed = sorted(run.results.filter(proposed=True).values_list("school_id", flat=True))
    assert other[0].pk in proposed and home[0].pk in proposed
    kept = [pk for pk in proposed if pk != other[0].pk]
    moved = client.post(
        reverse("identification:run_approve", args=[run.pk]), {"shown": proposed, "schools": kept, "goto": "1"}
    )
    assert moved["Location"] == reverse("identification:run_detail", args=[run.pk]) + "?ppage=1"
    assert f'value="{other[0].pk}" aria-label' in client.get(moved["Location"]).content.decode()  # unticked
    plan = client.post(
        reverse("identification:run_approve", args=[run.pk]), {"shown": ""}
    )  # an empty page: only the kept ticks
    assert plan.context["school_ids"] == kept

    confirm = client.post(
        reverse("identification:run_approve", args=[run.pk]),
        {"schools": [home[0].pk, other[0].pk], "confirm": "1", "decision_number": "3-р", "decision_date": "2025-10-01"},
    )
    decision = Decision.objects.get(run=run)
    assert confirm["Location"] == reverse("identification:decision_detail", args=[decision.pk])
    assert "приказ региона" in client.get(confirm["Location"]).content.decode()

    # A department sees neither the regional run nor the region's decision (other municipalities'
    # schools are on them), and cannot approve a regional run; an outsider neither.
    for user in (department, outsider):
        client.force_login(user)
        assert client.get(reverse("identification:run_detail", args=[run.pk])).status_code == 404
        assert client.get(reverse("identification:decision_detail", args=[decision.pk])).status_code == 404
        assert client.post(reverse("identification:run_approve", args=[run.pk]), {}).status_code == 404
    # The region cannot approve a department's run.
    with django_capture_on_commit_callbacks(execute=True):
        own = services.identification_run_create(
            user=department, version=preset("low_results"), year=years[2025], municipality=department.municipality
        )
    client.force_login(region_user)
    assert client.post(reverse("identification:run_approve", args=[own.pk]), {}).status_code == 404


def test_results_of_a_run_are_protected_and_cascaded_without_database_constraints(
    region_data, years, region_user, municipality, django_capture_on_commit_callbacks
):
    """RunResult's foreign keys have no database constraint (see the model): a school judged by a
    run cannot be deleted (PROTECT, in Django), and deleting the run deletes its results."""
    capture = django_capture_on_commit_callbacks
    # A school with nothing but the run's result: only that result can protect it.
    newcomer = SchoolFactory(municipality=municipality, code="edu9801099")
    run = _regional_run(region_user, preset("low_results"), years[2025], capture)
    result = RunResult.objects.get(run=run, school=newcomer)
    assert result.insufficient and not result.proposed

    with pytest.raises(ProtectedError) as refused:
        newcomer.delete()
    assert set(refused.value.protected_objects) == {result}
    assert RunResult.objects.filter(pk=result.pk).exists()

    run.delete()
    assert not RunResult.objects.filter(run_id=run.pk).exists()
    newcomer.delete()


def test_only_the_region_role_starts_a_regional_run(years, department, region_user):
    with pytest.raises(services.IdentificationRefused):
        services.identification_run_create(
            user=department, version=preset("low_results"), year=years[2025], region=region_user.region
        )
    with pytest.raises(services.IdentificationRefused):
        services.identification_run_create(user=region_user, version=preset("low_results"), year=years[2025])
