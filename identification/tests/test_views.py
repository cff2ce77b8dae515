import pytest
from django.urls import reverse

from identification.models import (
    IdentificationRun,
    IndicatorValue,
    MethodologyVersion,
    SchoolStatus,
    StatusKind,
    TaskStatus,
)
from identification.tests.conftest import preset
from identification.tests.helpers import results, value


@pytest.fixture
def proposed_run(ten_schools, years, run_now):
    """A finished ШССУ run proposing ``school`` and ``other_school`` (the two lowest ИСБШ)."""
    for school, amount in zip(ten_schools, [40, 45, 80, 81, 82, 83, 84, 85, 86, 87], strict=True):
        value(school=school, year=years[2025], indicator="isbsh", amount=amount)
    return run_now("difficult_conditions", years[2025])


def _approve(client, run, schools, number="15-од"):
    return client.post(
        reverse("identification:run_approve", args=[run.pk]),
        {"schools": [s.pk for s in schools], "decision_number": number, "decision_date": "2025-09-01", "confirm": "1"},
    )


def test_department_approves_proposals_into_statuses_of_the_run_year(client, department, proposed_run, school):
    client.force_login(department)

    response = _approve(client, proposed_run, [school])

    assert response.status_code == 302
    status = SchoolStatus.objects.get(school=school)
    assert (status.kind, status.year, status.decision_number, status.run) == (
        StatusKind.DIFFICULT_CONDITIONS,
        proposed_run.year,
        "15-од",
        proposed_run,
    )
    assert status.approved_by == department
    assert "ИСБШ 40,00" in status.reason


# The region approves its own regional runs (test_regional_runs.py): a municipality's run is
# not among them, so it is not found for it.
@pytest.mark.parametrize(("actor", "status"), [("region_user", 404), ("methodologist", 403), ("director", 403)])
def test_only_the_department_can_approve(client, request, proposed_run, school, actor, status):
    client.force_login(request.getfixturevalue(actor))

    response = _approve(client, proposed_run, [school])

    assert response.status_code == status
    assert not SchoolStatus.objects.exists()


def test_another_municipalitys_department_cannot_approve_the_run(client, outsider, proposed_run, school):
    client.force_login(outsider)

    assert _approve(client, proposed_run, [school]).status_code == 404
    assert not SchoolStatus.objects.exists()


def test_approval_without_a_decision_number_writes_nothing_and_says_why(client, department, proposed_run, school):
    client.force_login(department)

    response = _approve(client, proposed_run, [school], number="")

    assert not SchoolStatus.objects.exists()
    # The confirmation page comes back with the field marked.
    assert response.status_code == 200
    assert "Обязательное поле" in response.content.decode()


def test_a_school_the_run_did_not_propose_cannot_be_approved(client, department, proposed_run, ten_schools):
    client.force_login(department)

    _approve(client, proposed_run, [ten_schools[5]])

    assert not SchoolStatus.objects.exists()


def test_approving_changes_the_registry_filter_and_the_school_card(client, department, proposed_run, school):
    client.force_login(department)
    registry = reverse("schools:list") + "?status=difficult_conditions"
    assert "edu980001" not in client.get(registry).content.decode()

    _approve(client, proposed_run, [school])

    listed = client.get(registry).content.decode()
    assert "edu980001" in listed
    assert "edu980002" not in listed  # proposed too, but not approved
    card = client.get(reverse("schools:detail", args=[school.pk])).content.decode()
    assert "ШССУ — сложные социальные условия" in card
    assert "№ 15-од от 01.09.2025" in card


def test_a_status_set_by_hand_and_revoked_stays_in_the_history(client, department, school, years):
    client.force_login(department)
    client.post(
        reverse("identification:status_create", args=[school.pk]),
        {"year": years[2025].pk, "kind": StatusKind.LOW_RESULTS, "reason": "Решение комиссии"},
    )
    status = SchoolStatus.objects.get(school=school)

    client.post(reverse("identification:status_revoke", args=[status.pk]), {"reason": "Ошибка в данных"})

    status.refresh_from_db()
    assert status.revoked_at is not None and status.revoke_reason == "Ошибка в данных"
    page = client.get(reverse("identification:school", args=[school.pk])).content.decode()
    assert "отменён" in page and "Ошибка в данных" in page


def test_a_status_without_a_reason_is_refused(client, department, school, years):
    client.force_login(department)

    response = client.post(
        reverse("identification:status_create", args=[school.pk]),
        {"year": years[2025].pk, "kind": StatusKind.LOW_RESULTS, "reason": ""},
    )

    assert response.status_code == 200
    assert "Обязательное поле" in response.content.decode()
    assert not SchoolStatus.objects.exists()


def _criteria_post(version, **changes):
    data = {
        "source_document": "Приказ № 1",
        "first_year": "",
        "last_year": "",
        "required_count": 1,
        "criteria-TOTAL_FORMS": 1,
        "criteria-INITIAL_FORMS": 1,
        "criteria-MIN_NUM_FORMS": 1,
        "criteria-MAX_NUM_FORMS": 1000,
        "criteria-0-indicator": "isbsh",
        "criteria-0-pool": "municipality",
        "criteria-0-operator": "bottom",
        "criteria-0-value": 25,
        "criteria-0-min_participants": 1,
        "criteria-0-consecutive_years": 1,
    }
    data.update(changes)
    return data


def test_editing_a_preset_makes_the_regions_own_copy_and_leaves_the_preset_and_its_runs_alone(
    client, department, region_user, proposed_run
):
    client.force_login(region_user)
    version = proposed_run.version

    client.post(reverse("identification:version_edit", args=[version.pk]), _criteria_post(version))

    own = MethodologyVersion.objects.get(methodology__region=department.municipality.region)
    assert own.methodology.name == version.methodology.name
    assert own.criteria.get().value == 25
    assert version.criteria.get().value == 20
    assert IdentificationRun.objects.get(pk=proposed_run.pk).version == version


def test_editing_the_regions_used_version_creates_the_next_version(
    client, department, region_user, proposed_run, run_now
):
    client.force_login(region_user)
    client.post(reverse("identification:version_edit", args=[proposed_run.version.pk]), _criteria_post(None))
    own = MethodologyVersion.objects.get(methodology__region=department.municipality.region)
    used = run_now("difficult_conditions", proposed_run.year, version=own)

    client.post(reverse("identification:version_edit", args=[own.pk]), _criteria_post(None, **{"criteria-0-value": 30}))

    assert own.criteria.get().value == 25
    assert MethodologyVersion.objects.get(methodology=own.methodology, number=2).criteria.get().value == 30
    assert IdentificationRun.objects.get(pk=used.pk).version == own


def test_editing_the_regions_unused_version_changes_it_in_place(client, department, region_user):
    client.force_login(region_user)
    client.post(reverse("identification:version_edit", args=[preset("difficult_conditions").pk]), _criteria_post(None))
    own = MethodologyVersion.objects.get(methodology__region=department.municipality.region)
    # The form's blank row for a new criterion comes back with its defaults and is skipped.
    blank_row = {
        "criteria-TOTAL_FORMS": 2,
        "criteria-1-pool": "municipality",
        "criteria-1-operator": "bottom",
        "criteria-1-min_participants": 10,
        "criteria-1-consecutive_years": 1,
        "criteria-0-value": 15,
    }

    response = client.post(reverse("identification:version_edit", args=[own.pk]), _criteria_post(None, **blank_row))

    assert response.status_code == 302
    assert own.criteria.get().value == 15
    assert MethodologyVersion.objects.filter(methodology=own.methodology).count() == 1


def test_another_regions_methodology_is_invisible(client, department, region_user, outsider):
    client.force_login(region_user)
    client.post(reverse("identification:version_edit", args=[preset("difficult_conditions").pk]), _criteria_post(None))
    own = MethodologyVersion.objects.get(methodology__region=department.municipality.region)
    client.force_login(outsider)

    assert client.get(reverse("identification:version_detail", args=[own.pk])).status_code == 404
    assert client.get(reverse("identification:version_edit", args=[own.pk])).status_code == 404
    listed = client.get(reverse("identification:methodology_list")).content.decode()
    assert reverse("identification:version_detail", args=[own.pk]) not in listed


def test_a_percentile_over_100_is_refused_in_the_methodology_form(client, region_user):
    client.force_login(region_user)
    version = preset("difficult_conditions")

    response = client.post(
        reverse("identification:version_edit", args=[version.pk]), _criteria_post(version, **{"criteria-0-value": 120})
    )

    assert "от 0 до 100" in response.content.decode()
    assert version.criteria.get().value == 20


def test_a_department_reads_its_regions_methodology_but_cannot_change_it(client, department):
    # A municipality's edit would change the rules every municipality of the region uses.
    client.force_login(department)
    version = preset("difficult_conditions")

    response = client.post(
        reverse("identification:version_edit", args=[version.pk]), _criteria_post(version, **{"criteria-0-value": 30})
    )

    assert response.status_code == 403
    assert version.criteria.get().value == 20
    assert not MethodologyVersion.objects.filter(methodology__region__isnull=False).exists()
    page = client.get(reverse("identification:version_detail", args=[version.pk])).content.decode()
    assert reverse("identification:version_edit", args=[version.pk]) not in page


def test_department_starts_a_run_from_the_form_and_sees_the_explained_list(
    client, department, ten_schools, years, django_capture_on_commit_callbacks
):
    for school, amount in zip(ten_schools, [40, 45, 80, 81, 82, 83, 84, 85, 86, 87], strict=True):
        value(school=school, year=years[2025], indicator="isbsh", amount=amount)
    client.force_login(department)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("identification:run_create"),
            {
                "version": preset("difficult_conditions").pk,
                "year": years[2025].pk,
                "municipality": department.municipality_id,
            },
        )

    run = IdentificationRun.objects.get()
    assert response.url == reverse("identification:run_detail", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert run.status == TaskStatus.DONE
    assert "ИСБШ 40,00 — в нижних 20% муниципалитета (порог 45,00)" in page


def test_recompute_button_queues_a_recompute_that_writes_the_indicators(
    client, department, school, years, django_capture_on_commit_callbacks
):
    results(school=school, year=years[2025], marks=[2] * 5 + [4] * 5)
    client.force_login(department)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("identification:recompute_start"))

    page = client.get(response.url).content.decode()
    assert 'data-status="done"' in page
    assert IndicatorValue.objects.get(school=school, indicator="vpr_share_2", subject=None).value == 50.0


def test_an_import_recomputes_the_indicators_of_the_schools_it_touched(
    department, school, years, django_capture_on_commit_callbacks
):
    import io

    from monitoring import imports as monitoring_imports
    from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row

    sheet = VprSheet(year=2025, schools={school.code: [vpr_row(f"P{i}", mark=2 if i < 3 else 4) for i in range(12)]})
    with django_capture_on_commit_callbacks(execute=True):
        job = monitoring_imports.results_import_create(
            user=department, uploaded_file=io.BytesIO(vpr_f1_xlsx(sheet)), original_name="vpr.xlsx"
        )
    job.refresh_from_db()
    assert job.status == "done"
    assert IndicatorValue.objects.get(school=school, indicator="vpr_share_2", subject=None).value == 25.0

    with django_capture_on_commit_callbacks(execute=True):
        monitoring_imports.import_job_rollback(job=job, user=department)

    assert not IndicatorValue.objects.filter(school=school, indicator="vpr_share_2").exists()


def test_dashboard_and_school_pages_make_a_bounded_number_of_queries(
    client, department, ten_schools, years, proposed_run, django_assert_max_num_queries
):
    for school in ten_schools:
        for year in years.values():
            value(school=school, year=year, amount=5)
            value(school=school, year=year, indicator="vpr_mean_mark", amount=3.5)
    client.force_login(department)

    # The dashboard also holds the programme's results, the effect of the support and the KPIs
    # (a fixed number of aggregate queries each), whatever the number of schools.
    with django_assert_max_num_queries(32):
        assert client.get(reverse("identification:dashboard")).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("identification:school", args=[ten_schools[0].pk])).status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(reverse("identification:run_detail", args=[proposed_run.pk])).status_code == 200


def test_approval_and_status_changes_are_written_to_the_audit_log(client, department, proposed_run, school):
    from core.models import AuditEvent

    client.force_login(department)
    _approve(client, proposed_run, [school])
    status = SchoolStatus.objects.get(school=school)
    client.post(reverse("identification:status_revoke", args=[status.pk]), {"reason": "Пересмотр"})

    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "identification.approved",
        "status.revoked",
    ]


def test_school_page_draws_the_indicator_against_the_municipality_as_svg(client, director, school, years):
    for year, amount in ((years[2024], 12.0), (years[2025], 8.5)):
        value(school=school, year=year, amount=amount)
    client.force_login(director)

    page = client.get(reverse("identification:school", args=[school.pk])).content.decode()

    assert "<svg" in page and "Доля «2» по ВПР" in page
    assert "8,5%" in page and "12,0%" in page


@pytest.mark.parametrize(("actor", "shown"), [("department", True), ("curator", True), ("teacher", False)])
def test_school_page_includes_the_risks_section_for_those_who_read_risk_profiles(
    client, request, school, years, actor, shown
):
    client.force_login(request.getfixturevalue(actor))

    page = client.get(reverse("identification:school", args=[school.pk])).content.decode()

    assert ("Сигналы объективности" in page) is shown
    assert ("Рисковый профиль" in page) is shown


def _run_page(client, run, **query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("identification:run_detail", args=[run.pk]), query)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def _other_rows(body: str) -> int:
    return body.split('id="other-schools"')[1].count('<td><a href="/identification/schools/')


def test_run_page_paginates_the_other_schools_with_the_same_queries_for_10_and_70_schools(
    client, department, municipality, ten_schools, years, run_now
):
    from tests.factories import SchoolFactory

    def run_over(schools):
        for n, school in enumerate(schools):
            value(school=school, year=years[2025], indicator="isbsh", amount=40 + n)
        return run_now("difficult_conditions", years[2025])

    client.force_login(department)
    run_over(ten_schools)  # an earlier run: the page compares with it, as it will for the large one
    IndicatorValue.objects.all().delete()
    small_queries, small = _run_page(client, run_over(ten_schools))
    assert _other_rows(small) < 10
    more = [SchoolFactory(municipality=municipality, code=f"edu97{i:04d}") for i in range(60)]
    IndicatorValue.objects.all().delete()
    large_run = run_over([*ten_schools, *more])
    large_queries, large = _run_page(client, large_run)

    others = large_run.results.filter(proposed=False).count()
    assert others > 50
    assert f"Остальные школы ({others})" in large
    assert _other_rows(large) == 50
    assert large_queries == small_queries
    queries, second = _run_page(client, large_run, sort="code", page=2)
    assert queries == small_queries
    assert 'href="?sort=code&amp;page=1"' in second
    assert _other_rows(second) == others - 50


def test_run_page_finds_another_school_by_its_code(client, department, proposed_run, ten_schools):
    client.force_login(department)
    wanted = ten_schools[7]

    _, body = _run_page(client, proposed_run, q=wanted.code)

    assert "Остальные школы (1)" in body
    assert wanted.code in body and ten_schools[6].code not in body


def test_the_regions_dashboard_sets_its_municipalities_side_by_side(
    client, region_user, department, region, municipality, school, other_school, years
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from identification.indicators import indicators_recompute
    from tests.factories import MunicipalityFactory, SchoolFactory

    year = years[2025]
    # Заречный: 12 of 12 «2» and 3 of 12 → 62,5 %; Ясный: 0 of 10 → 0 %.
    results(school=school, year=year, marks=[2] * 12)
    results(school=other_school, year=year, marks=[2] * 3 + [4] * 9)
    clear = MunicipalityFactory(region=region, name="Ясный район", oktmo="98620000")
    results(school=SchoolFactory(municipality=clear, code="edu9862001"), year=year, marks=[5] * 10)
    SchoolStatus.objects.create(school=school, year=year, kind=StatusKind.LOW_RESULTS, decision_number="1")
    indicators_recompute()
    client.force_login(region_user)

    with CaptureQueriesContext(connection) as two:
        body = client.get(reverse("identification:dashboard")).content.decode()
    table = body.split('id="municipalities-compared"')[1].split("</table>")[0]
    rows = table.split("<tr>")[2:]
    assert "Заречный район" in rows[0] and "Ясный район" in rows[1]
    assert '<td class="text-end">2</td><td class="text-end">1</td><td class="text-end">0</td>' in rows[0]
    assert "62,5" in rows[0] and "0,0" in rows[1]

    for n in range(3):
        MunicipalityFactory(region=region, name=f"Район {n}", oktmo=f"9863{n}000")
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("identification:dashboard"))
    assert len(five) == len(two)

    client.force_login(department)  # one municipality: nothing to set side by side
    assert 'id="municipalities-compared"' not in client.get(reverse("identification:dashboard")).content.decode()


def _proposed_rows(body: str) -> list[str]:
    """The school ids of the proposals on the page, with their tick: ``["12:on", "13:off"]``."""
    import re

    form = body.split('id="approve-form"')[1].split("</form>")[0]
    return [
        f"{pk}:{'on' if ticked else 'off'}"
        for pk, ticked in re.findall(r'name="schools" value="(\d+)"( checked)?', form)
    ]


def _page_post(client, run, body, *, untick=(), tick=(), **extra):
    """Post the run page's approval form as a browser would: the page's proposals (``shown``) and
    the boxes ticked on it after ``untick``/``tick``."""
    rows = dict(row.split(":") for row in _proposed_rows(body))
    for pk in untick:
        rows[str(pk)] = "off"
    for pk in tick:
        rows[str(pk)] = "on"
    return client.post(
        reverse("identification:run_approve", args=[run.pk]),
        {"shown": list(rows), "schools": [pk for pk, state in rows.items() if state == "on"], **extra},
    )


@pytest.fixture
def many_proposals(municipality, ten_schools, years, run_now):
    """A ШССУ run proposing 60 schools (ИСБШ 30 against 85–92 of the other ten): two pages."""
    from tests.factories import SchoolFactory

    low = [SchoolFactory(municipality=municipality, code=f"edu96{i:04d}") for i in range(60)]
    for school in low:
        value(school=school, year=years[2025], indicator="isbsh", amount=30)
    for n, school in enumerate(ten_schools):
        value(school=school, year=years[2025], indicator="isbsh", amount=85 + n)
    return run_now("difficult_conditions", years[2025])


def test_run_page_paginates_the_proposals_with_the_same_queries_for_2_and_60(
    client, department, municipality, ten_schools, years, run_now
):
    from tests.factories import SchoolFactory

    for n, school in enumerate(ten_schools):
        value(school=school, year=years[2025], indicator="isbsh", amount=30 if n < 2 else 85 + n)
    run_now("difficult_conditions", years[2025])  # an earlier run: each page compares with one
    proposed_run = run_now("difficult_conditions", years[2025])
    for i in range(58):
        school = SchoolFactory(municipality=municipality, code=f"edu96{i:04d}")
        value(school=school, year=years[2025], indicator="isbsh", amount=30)
    many_proposals = run_now("difficult_conditions", years[2025])
    client.force_login(department)
    client.get(reverse("identification:run_detail", args=[proposed_run.pk]))  # warm the session
    small_queries, small = _run_page(client, proposed_run)
    large_queries, large = _run_page(client, many_proposals)

    assert (proposed_run.proposed_count, many_proposals.proposed_count) == (2, 60)
    assert (len(_proposed_rows(small)), len(_proposed_rows(large))) == (2, 50)
    assert "Предложены (60)" in large and 'id="proposed-pages"' in large and 'id="proposed-pages"' not in small
    assert large_queries == small_queries
    # The search of the proposals: by a code.
    queries, found = _run_page(client, many_proposals, pq="edu960042", psort="code")
    assert queries == small_queries
    assert _proposed_rows(found) == [
        f"{many_proposals.results.get(proposed=True, school__code='edu960042').school_id}:on"
    ]
    assert "найдено: 1" in found


def test_ticks_made_on_one_page_of_the_proposals_are_kept_on_the_others(client, department, many_proposals):
    run = many_proposals
    client.force_login(department)
    by_code = list(run.results.filter(proposed=True).order_by("school__code").values_list("school_id", flat=True))
    first = by_code[:50]
    # Page 1 by code: untick the first two schools, then go to page 2, keeping the sort.
    _, page1 = _run_page(client, run, psort="code")
    assert _proposed_rows(page1) == [f"{pk}:on" for pk in first]
    response = _page_post(client, run, page1, untick=first[:2], psort="code", goto="2")
    assert response.status_code == 302 and response["Location"].endswith("?psort=code&ppage=2")
    _, page2 = _run_page(client, run, psort="code", ppage=2)
    assert _proposed_rows(page2) == [f"{pk}:on" for pk in by_code[50:]]
    assert "Снято отметок: 2" in page2
    # Page 2: untick the last school, back to page 1 — its two unticks are still there; tick
    # the first one again there.
    _page_post(client, run, page2, untick=[by_code[-1]], psort="code", goto="1")
    _, page1 = _run_page(client, run, psort="code")
    assert _proposed_rows(page1)[:3] == [f"{first[0]}:off", f"{first[1]}:off", f"{first[2]}:on"]
    # A tick changed and saved by htmx (no page change) counts too: untick the third one.
    assert _page_post(client, run, page1, tick=[first[0]], untick=[first[2]], save="1").status_code == 204

    # «Утвердить отмеченные…» from page 1 shows the whole decision: 57 to add.
    _, page1 = _run_page(client, run, psort="code")
    confirm = _page_post(client, run, page1, decision_number="7-од", decision_date="2025-09-01")
    assert confirm.status_code == 200
    plan_add = confirm.content.decode().split('id="plan-add"')[1].split("</ul>")[0]
    assert plan_add.count("<li>") == 57
    wanted = sorted(set(by_code) - {first[1], first[2], by_code[-1]})
    assert sorted(confirm.context["school_ids"]) == wanted
    _approve(client, run, [type("S", (), {"pk": pk})() for pk in wanted], number="7-од")

    assert sorted(SchoolStatus.objects.filter(run=run).values_list("school_id", flat=True)) == wanted
    assert "identification-run" not in "".join(client.session.keys())
    # Approved, the list pages with plain links, the other table's search kept.
    _, read = _run_page(client, run, q="edu", ppage=2)
    assert 'id="approve-form"' not in read and 'id="run-decision"' in read
    assert read.count('<td><a href="/identification/schools/') - _other_rows(read) == 10
    assert 'href="?q=edu&amp;ppage=1"' in read


def test_run_page_paginates_the_schools_already_holding_the_status(
    client, department, ten_schools, years, run_now, django_capture_on_commit_callbacks, monkeypatch
):
    """A risk-zone run over VPR files imported as a department does: three schools meet the
    criteria but are already ШНОР; pages of two (the run page's size made small), the same
    queries on each, the other table's sort kept in the links."""
    from identification import views
    from identification.services import status_set
    from identification.tests.imports import import_vpr

    # Schools 0–2 rise from 3 to 7 «2» of 30 (+13,3 p.p.): each would be proposed.
    for label, counts in (("2024/2025", [3] * 10), ("2025/2026", [7, 7, 7] + [3] * 7)):
        shares = {s.code: (twos, 30) for s, twos in zip(ten_schools, counts, strict=True)}
        import_vpr(department, django_capture_on_commit_callbacks, year=label, shares=shares)
    for school in ten_schools[:3]:
        status_set(school=school, year=years[2025], kind=StatusKind.LOW_RESULTS, reason="Приказ", user=department)
    run = run_now(StatusKind.RISK_ZONE, years[2025])
    monkeypatch.setattr(views, "RUN_PAGE_SIZE", 2)
    client.force_login(department)
    held_rows = lambda body: body.split('id="held-schools"')[1].split("</table>")[0].count("<tr>") - 1  # noqa: E731

    client.get(reverse("identification:run_detail", args=[run.pk]))  # warm the session
    first_queries, first = _run_page(client, run)
    queries, second = _run_page(client, run, sort="code", hpage=2)

    assert "Уже имеют статус (3)" in first
    assert (held_rows(first), held_rows(second)) == (2, 1)
    assert queries == first_queries
    assert 'href="?sort=code&amp;hpage=1"' in second
    codes = sorted(s.code for s in ten_schools[:3])
    assert codes[2] in second.split('id="held-schools"')[1].split("</table>")[0]


def test_run_page_paginates_the_schools_without_data(client, department, municipality, proposed_run, years, run_now):
    """55 schools with nothing to judge them by: pages of 50 in the «Недостаточно данных» block,
    the same queries on each page, the other tables' sort kept in the links."""
    from tests.factories import SchoolFactory

    for i in range(55):
        SchoolFactory(municipality=municipality, code=f"edu94{i:04d}")
    run = run_now("difficult_conditions", years[2025])
    client.force_login(department)
    client.get(reverse("identification:run_detail", args=[run.pk]))  # warm the session
    names = lambda body: body.split('id="insufficient-schools"')[1].split("</details>")[0].count("<li>")  # noqa: E731

    first_queries, first = _run_page(client, run)
    queries, second = _run_page(client, run, sort="code", ipage=2)

    assert 'id="insufficient-count">55<' in first
    assert (names(first), names(second)) == (50, 5)
    assert queries == first_queries
    assert 'href="?sort=code&amp;ipage=1"' in second and "edu940054" in second and "edu940054" not in first
