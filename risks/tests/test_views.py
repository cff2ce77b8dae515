"""The pages: who sees what, the forms' flows, bounded queries."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from risks.models import ObjectivitySignal, RecomputeJob, RiskFactor, RiskQuestion, SchoolRisk, SelfDiagnosis
from risks.services import COMMENT_MISSING, THRESHOLDS_REVERSED, objectivity_recompute, risk_profile_compute
from tests.factories import SchoolFactory

GAPPY = [(9, 5, 3)] * 3 + [(6, 4, 4)] * 9


def test_director_sees_their_schools_profile_with_a_chart_and_signals(client, director, school, year, add_results):
    add_results(school, GAPPY)
    objectivity_recompute(year=year)
    risk_profile_compute(year=year, school_ids=[school.pk])
    client.force_login(director)

    body = client.get(reverse("risks:school", args=[school.pk])).content.decode()

    assert "Дефицит педагогических кадров" in body
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="opora-chart opora-chart-hbar"' in body
    assert "Расхождение ВПР и журнала" in body
    assert "Самодиагностика школы" in body


def test_director_cannot_open_another_schools_profile_or_questionnaire(client, director, other_school, year):
    client.force_login(director)
    assert client.get(reverse("risks:school", args=[other_school.pk])).status_code == 404
    assert client.get(reverse("risks:questionnaire", args=[other_school.pk])).status_code == 404


def test_departments_signal_list_shows_its_municipality_only(
    client, department, school, foreign_school, year, add_results
):
    add_results(school, GAPPY)
    add_results(foreign_school, GAPPY)
    objectivity_recompute(year=year)
    client.force_login(department)

    body = client.get(reverse("risks:signals")).content.decode()

    assert "МБОУ СОШ № 1" in body
    assert "МБОУ Дальняя СОШ" not in body


def test_signal_list_and_overview_need_a_bounded_number_of_queries(
    client, department, municipality, year, add_results, django_assert_max_num_queries
):
    for _ in range(8):
        s = SchoolFactory(municipality=municipality)
        add_results(s, GAPPY)
    objectivity_recompute(year=year)
    risk_profile_compute(year=year)
    client.force_login(department)

    with django_assert_max_num_queries(12):
        assert client.get(reverse("risks:signals")).status_code == 200
    with django_assert_max_num_queries(12):
        body = client.get(reverse("risks:overview")).content.decode()
    assert body.count('<tr><th scope="row">') == 8


def test_department_reviews_a_signal_with_a_comment(client, department, school, year, add_results):
    add_results(school, GAPPY)
    objectivity_recompute(year=year)
    signal = ObjectivitySignal.objects.get(school=school)
    client.force_login(department)
    url = reverse("risks:signal_review", args=[signal.pk])

    refused = client.post(url, {"review": "explained", "comment": ""})
    assert COMMENT_MISSING in refused.content.decode()
    signal.refresh_from_db()
    assert signal.review == "open"

    assert client.post(url, {"review": "explained", "comment": "Ученики перешли из гимназии."}).status_code == 302
    signal.refresh_from_db()
    assert (signal.review, signal.reviewed_by) == ("explained", department)


def test_director_fills_saves_and_submits_the_self_diagnosis(
    client, director, school, year, django_capture_on_commit_callbacks
):
    client.force_login(director)
    url = reverse("risks:questionnaire", args=[school.pk])
    questions = list(RiskQuestion.objects.filter(factor__is_current=True))

    client.post(url, {f"q_{questions[0].pk}": "4", "save": "1"})
    diagnosis = SelfDiagnosis.objects.get(school=school, year=year)
    assert diagnosis.status == "draft" and diagnosis.answers.count() == 1

    incomplete = client.post(url, {f"q_{questions[0].pk}": "4", "submit": "1"})
    assert "ответьте на все утверждения" in incomplete.content.decode()
    diagnosis.refresh_from_db()
    assert diagnosis.status == "draft"

    complete = {f"q_{q.pk}": "3" for q in questions} | {"submit": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, complete).status_code == 302
    diagnosis.refresh_from_db()
    assert diagnosis.status == "submitted" and diagnosis.answers.count() == len(questions)
    # scored on commit by the task
    assert SchoolRisk.objects.filter(school=school, year=year, level="high", source="self_diagnosis").exists()


def test_questionnaire_post_without_csrf_token_is_refused(director, school, year):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(director)
    question = RiskQuestion.objects.filter(factor__is_current=True).first()

    response = client.post(reverse("risks:questionnaire", args=[school.pk]), {f"q_{question.pk}": "4"})

    assert response.status_code == 403
    assert not SelfDiagnosis.objects.exists()


def test_department_locks_a_submitted_self_diagnosis_and_the_director_cannot_change_it(
    client, department, director, school, year
):
    diagnosis = SelfDiagnosis.objects.create(school=school, year=year, status="submitted")
    client.force_login(department)
    client.post(reverse("risks:questionnaire_lock", args=[school.pk]), {"year": "2025", "lock": "1"})
    diagnosis.refresh_from_db()
    assert diagnosis.status == "locked"

    client.force_login(director)
    question = RiskQuestion.objects.filter(factor__is_current=True).first()
    client.post(reverse("risks:questionnaire", args=[school.pk]), {f"q_{question.pk}": "4", "save": "1"})
    assert not diagnosis.answers.exists()


def test_the_operator_edits_a_factor_through_the_form(client, operator, school, year, add_context):
    add_context(school, ovz_share=Decimal(3))
    risk_profile_compute(year=year, school_ids=[school.pk])
    factor = RiskFactor.objects.get(code="ovz_share", is_current=True)
    client.force_login(operator)

    response = client.post(
        reverse("risks:factor_edit", args=[factor.pk]),
        {
            "name": factor.name,
            "description": "",
            "data_source": "ovz_share",
            "medium_from": "2",
            "high_from": "8",
            "questions": "Первое\nВторое",
        },
    )

    assert response.status_code == 302
    new = RiskFactor.objects.get(code="ovz_share", is_current=True)
    assert new.version == 2 and list(new.questions.values_list("text", flat=True)) == ["Первое", "Второе"]


def test_a_department_cannot_change_the_shared_catalogue_of_risk_factors(client, department):
    # Every region's recompute reads these rows: a department's edit would change theirs.
    factor = RiskFactor.objects.get(code="ovz_share", is_current=True)
    client.force_login(department)

    response = client.post(
        reverse("risks:factor_edit", args=[factor.pk]),
        {"name": "Свой", "data_source": "ovz_share", "medium_from": "1", "high_from": "2", "questions": "a"},
    )

    assert response.status_code == 403
    assert list(RiskFactor.objects.filter(code="ovz_share").values_list("version", "name")) == [(1, factor.name)]
    assert "Изменить" not in client.get(reverse("risks:catalogue")).content.decode()


def test_factor_form_with_thresholds_in_the_wrong_order_writes_nothing(client, operator):
    factor = RiskFactor.objects.get(code="ovz_share", is_current=True)
    client.force_login(operator)

    response = client.post(
        reverse("risks:factor_edit", args=[factor.pk]),
        {"name": "x", "data_source": "ovz_share", "medium_from": "9", "high_from": "3", "questions": "a"},
    )

    assert THRESHOLDS_REVERSED in response.content.decode()
    assert RiskFactor.objects.get(pk=factor.pk).name == factor.name


def test_department_starts_a_recompute_and_the_page_shows_its_result(
    client, department, school, year, add_results, django_capture_on_commit_callbacks
):
    add_results(school, GAPPY)
    client.force_login(department)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("risks:recompute"), {"year": "2025"})

    assert response.status_code == 302
    job = RecomputeJob.objects.get()
    assert job.status == "done" and "Сигналов объективности: 1" in job.summary
    fragment = client.get(reverse("risks:recompute_status", args=[job.pk])).content.decode()
    assert 'data-status="done"' in fragment and "hx-get" not in fragment
    assert ObjectivitySignal.objects.filter(school=school, is_active=True).count() == 1


def test_a_recompute_job_runs_once_even_if_the_task_comes_twice(department, year):
    from risks.services import recompute_job_run

    job = RecomputeJob.objects.create(year=year, municipality=department.municipality, requested_by=department)
    recompute_job_run(job_id=job.pk)
    RecomputeJob.objects.filter(pk=job.pk).update(summary="first")
    recompute_job_run(job_id=job.pk)
    assert RecomputeJob.objects.get(pk=job.pk).summary == "first"


def test_navigation_offers_the_pages_by_role(department, director, teacher):
    from risks.navigation import nav_items

    assert [label for label, _, _ in nav_items(department)] == ["Сигналы объективности", "Рисковые профили"]
    assert [label for label, _, _ in nav_items(director)] == ["Рисковый профиль"]
    assert nav_items(teacher) == []


def test_department_reads_the_answers_but_cannot_post_them(client, department, director, school, year):
    question = RiskQuestion.objects.filter(factor__is_current=True).first()
    diagnosis = SelfDiagnosis.objects.create(school=school, year=year, status="submitted")
    diagnosis.answers.create(question=question, value=4)
    client.force_login(department)
    url = reverse("risks:questionnaire", args=[school.pk])

    body = client.get(url).content.decode()

    assert "только для просмотра" in body and 'value="4"' in body and "disabled" in body
    assert client.post(url, {f"q_{question.pk}": "1", "save": "1"}).status_code == 403
    assert diagnosis.answers.get().value == 4


def test_signal_list_filters_by_kind_and_review(client, department, school, other_school, year, add_results):
    add_results(school, GAPPY)  # a gap signal
    add_results(other_school, [(6, 4, 3)] * 12)  # raised share, and a gap? no: one mark apart
    add_results(SchoolFactory(municipality=school.municipality), [(6, 4, 4)] * 30)
    objectivity_recompute(year=year)
    client.force_login(department)

    gaps = client.get(reverse("risks:signals"), {"kind": "mark_gap"}).content.decode()
    raised = client.get(reverse("risks:signals"), {"kind": "raised_share", "review": "open"}).content.decode()

    assert 'data-signal="mark_gap"' in gaps and 'data-signal="raised_share"' not in gaps
    assert 'data-signal="raised_share"' in raised and 'data-signal="mark_gap"' not in raised


def test_school_page_draws_the_evidence_of_a_boundary_peak(client, department, school, other_school, year, add_results):
    import xml.etree.ElementTree as ET

    district = [(s, m, m) for m, scores in {2: [0, 1, 2, 3] * 3, 3: [4, 5, 6, 7] * 3, 4: [8, 9, 10] * 3}.items()
                for s in scores]  # fmt: skip
    add_results(other_school, district * 3)
    add_results(school, [(3, 2, 2)] + [(4, 3, 3)] * 8 + [(5, 3, 3), (9, 4, 4), (9, 4, 4)])
    objectivity_recompute(year=year)
    client.force_login(department)

    body = client.get(reverse("risks:school", args=[school.pk])).content.decode()

    svg = body[body.index('<svg xmlns="http://www.w3.org/2000/svg" class="opora-chart opora-chart-bar"') :]
    root = ET.fromstring(svg[: svg.index("</svg>") + 6])  # noqa: S314 - our own output
    values = [
        float(r.get("data-value")) for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "bar"
    ]
    assert values == [1.0, 8.0, 1.0]


def _overview(client, **query):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("risks:overview"), query)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_overview_is_paginated_with_the_same_queries_for_3_and_60_schools(
    client, department, municipality, year, add_results
):
    def grow(to: int) -> None:
        for _ in range(to - municipality.schools.count()):
            add_results(SchoolFactory(municipality=municipality), GAPPY)
        objectivity_recompute(year=year)
        risk_profile_compute(year=year)

    client.force_login(department)
    grow(3)
    small_queries, small = _overview(client)
    grow(60)
    large_queries, large = _overview(client)

    assert small.count('<tr><th scope="row">') == 3
    assert large.count('<tr><th scope="row">') == 50
    assert "Школ: 60; показаны 1–50" in large
    assert large_queries == small_queries
    queries, second = _overview(client, page=2)
    assert second.count('<tr><th scope="row">') == 10
    assert queries == small_queries


def test_overview_filters_and_sorting_stay_in_the_page_links(client, department, municipality, year, add_results):
    SchoolFactory(municipality=municipality, organisation__short_name="Спокойная школа")  # no results, no signals
    for n in range(55):
        add_results(SchoolFactory(municipality=municipality, organisation__short_name=f"Школа {n:02d}"), GAPPY)
    objectivity_recompute(year=year)
    risk_profile_compute(year=year)
    client.force_login(department)

    _, body = _overview(client, sort="signals", only_high="")

    assert 'href="?sort=signals&amp;only_high=&amp;page=2"' in body
    _, last = _overview(client, sort="signals", only_high="", page=2)
    # The school without signals sorts last under «больше сигналов».
    assert "Спокойная школа" in last and "Спокойная школа" not in body
    _, found = _overview(client, q="Спокойная")
    assert found.count('<tr><th scope="row">') == 1
