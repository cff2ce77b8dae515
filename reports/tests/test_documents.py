"""Each report kind renders a valid PDF (or XLSX) holding the figures of the crafted data."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from reports import services
from reports.models import ReportRequest
from reports.tests.conftest import pdf_text, save_first_page

pytestmark = pytest.mark.django_db


def _render(run_on_commit, user, kind, params, fmt="pdf") -> tuple[ReportRequest, bytes]:
    request = run_on_commit(
        services.report_request_create, user=user, kind=kind, fmt=fmt, params=params, title=f"Тест: {kind}"
    )
    request.refresh_from_db()
    assert request.status == ReportRequest.Status.DONE, request.error
    with request.file.open("rb") as fh:
        return request, fh.read()


def test_passport_pdf_shows_the_schools_context_results_statuses_programme_and_agreements(
    run_on_commit, department, school, results, statuses, filed_report, agreement, years
):
    request, content = _render(run_on_commit, department, "passport", {"school": school.pk})
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    save_first_page(content, "passport")
    assert "Паспорт школы" in text
    assert "МБОУ СОШ № 1" in text
    assert "Заречный район" in text  # the running header
    assert "стр. 1 из" in text
    assert "412" in text  # contingent from the context data
    assert "23,40" in text or "23.40" in text  # low-income share
    assert "25,0%" in text  # the school's share of «2» in 2025/26 (12 of 48)
    assert "30,0%" in text  # … and in 2024/25 (12 of 40)
    assert "№ 21-ОД" in text and "№ 17-ОД" in text
    assert "Программа повышения качества «Шаг вперёд»" in text
    assert "50%" in text  # mean % done of the filed report (100, 50, 0)
    assert "Договор № 7-П" in text
    assert request.progress == 100


def test_director_cannot_request_another_schools_passport(director, other_school, foreign_school):
    for target in (other_school, foreign_school):
        with pytest.raises(Http404):
            services.report_request_create(
                user=director, kind="passport", params={"school": target.pk}, title="Чужой паспорт"
            )
    assert not ReportRequest.objects.exists()


def test_the_task_checks_the_scope_again_and_stores_a_russian_error(director, other_school):
    # A request whose parameters point outside the scope (e.g. the scope shrank after requesting).
    request = ReportRequest.objects.create(
        kind="passport", params={"school": other_school.pk}, title="Паспорт", requested_by=director
    )
    assert services.report_render(request_id=request.pk) is False
    request.refresh_from_db()
    assert request.status == ReportRequest.Status.FAILED
    assert "Нет доступа" in request.error
    assert not request.file


def test_a_render_task_run_twice_renders_once(run_on_commit, department, school):
    request = run_on_commit(
        services.report_request_create, user=department, kind="agreements", params={}, title="Реестр"
    )
    request.refresh_from_db()
    first = request.file.name
    assert services.report_render(request_id=request.pk) is False
    request.refresh_from_db()
    assert request.file.name == first


def test_roadmap_execution_report_for_the_municipality_lists_schools_and_directions(
    run_on_commit, department, period, filed_report, other_school, statuses
):
    _, content = _render(run_on_commit, department, "roadmap_execution", {"period": period.pk})
    text = pdf_text(content)
    save_first_page(content, "roadmap-execution")
    assert "Отчёт о выполнении дорожной карты" in text
    assert "I квартал" in text
    assert "МБОУ СОШ № 1" in text
    assert "Отправлен на проверку" in text
    assert "Информационно-методическое" in text.replace("- ", "-")  # the direction of the programme's objective
    assert "50%" in text


def test_roadmap_execution_xlsx_has_a_row_per_school(run_on_commit, department, period, filed_report):
    _, content = _render(run_on_commit, department, "roadmap_execution", {"period": period.pk}, fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[1]] == ["Школа", "Программа", "Статус отчёта", "Средний % выполнения", "Отправлен"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[2]][:4] == [
        "МБОУ СОШ № 1",
        "Программа повышения качества «Шаг вперёд»",
        "Отправлен на проверку",
        50,
    ]


def test_a_director_gets_the_execution_report_of_their_own_school(
    run_on_commit, director, school, period, filed_report
):
    _, content = _render(run_on_commit, director, "roadmap_execution", {"period": period.pk, "school": school.pk})
    text = pdf_text(content)
    save_first_page(content, "school-execution")
    assert "Отчёт о ходе выполнения программы школы" in text
    assert "Семинар по критериям оценивания № 1" in text
    assert "Средний % выполнения 50%" in text


def test_a_director_cannot_have_the_municipal_execution_report(director, period):
    with pytest.raises(PermissionDenied):
        services.report_request_create(user=director, kind="roadmap_execution", params={"period": period.pk}, title="x")


def test_year_results_count_statuses_transitions_measures_and_agreements(
    run_on_commit, department, municipality, years, results, statuses, filed_report, agreement
):
    _, content = _render(
        run_on_commit, department, "year_results", {"municipality": municipality.pk, "year": years[2025].pk}
    )
    text = pdf_text(content)
    save_first_page(content, "year-results")
    assert "Итоги работы со школами с низкими результатами" in text
    assert "2025/2026" in text or "2025/26" in text
    assert "МБОУ Берёзовская ООШ" in text  # the transition to effective functioning
    assert "№ 22-ОД" in text
    assert "1 из 3" in text  # measures done of those due in the year
    assert "25,0%" in text  # share of «2» of the supported school in 2025/26


def test_year_results_count_the_events_and_their_participants(
    run_on_commit, department, municipality, years, statuses, events
):
    _, content = _render(
        run_on_commit, department, "year_results", {"municipality": municipality.pk, "year": years[2025].pk}
    )
    text = pdf_text(content)
    section = text[text.index("6. Методические мероприятия") :]
    assert section.startswith(
        "6. Методические мероприятия Проведено мероприятий: 2; участий педагогов: 4, "
        "из них педагогов школ ШНОР/ШССУ: 2; школ-участниц: 2."
    ), section[:200]


def test_agreements_register_pdf_and_xlsx_escape_formula_like_text(run_on_commit, department, agreement, school):
    school.organisation.short_name = '=HYPERLINK("http://evil.example","Школа")'
    school.organisation.save()
    _, content = _render(run_on_commit, department, "agreements", {})
    text = pdf_text(content)
    save_first_page(content, "agreements")
    assert "Реестр договоров о сотрудничестве" in text
    assert "7-П" in text
    assert "Действует" in text
    _, xlsx = _render(run_on_commit, department, "agreements", {}, fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet["A1"].value == "Номер"
    assert sheet["A2"].value == "7-П"
    assert sheet["C2"].value.startswith("'=HYPERLINK")
    assert sheet["D2"].value == "МБОУ Берёзовская ООШ"


def test_events_report_counts_registrations_and_attendance_in_the_period(
    run_on_commit, department, events, statuses, years
):
    params = {"date_from": "2025-11-01", "date_to": "2025-11-30"}
    _, content = _render(run_on_commit, department, "events", params)
    text = pdf_text(content)
    save_first_page(content, "events")
    assert "Методические мероприятия с 01.11.2025 по 30.11.2025" in text
    assert "Семинар «Формирующее оценивание»" in text
    assert "Вебинар «Критерии ВПР по русскому языку»" in text
    assert "Чужой семинар" not in text
    assert "Итого 5 4 2" in text  # registered, attended, attended from the ШНОР school

    _, xlsx = _render(run_on_commit, department, "events", params, fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet["B1"].value == "Мероприятие"
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Семинар «Формирующее оценивание»"][5:9] == (4, 3, 2, 2)
    assert rows["Вебинар «Критерии ВПР по русскому языку»"][5:9] == (1, 1, 0, 1)


def test_the_passport_lists_the_events_the_schools_teachers_attended(run_on_commit, department, school, events, years):
    _, content = _render(run_on_commit, department, "passport", {"school": school.pk})
    text = pdf_text(content)
    assert "Посещений: 2; педагогов: 2; часов: 6." in text
    assert "Семинар «Формирующее оценивание»" in text
    assert "Вебинар «Критерии ВПР" not in text  # only other_school attended it


def test_a_director_cannot_have_the_events_report(director):
    with pytest.raises(PermissionDenied):
        services.report_request_create(
            user=director, kind="events", params={"date_from": "2025-11-01", "date_to": "2025-11-30"}, title="x"
        )


def test_the_passport_shows_teachers_routes_to_the_department(run_on_commit, department, school, years):
    import datetime as dt

    from teachers.models import Route, RouteStep, Teacher

    teacher = Teacher.objects.create(school=school, last_name="Соколова", first_name="Ирина", middle_name="Петровна")
    route = Route.objects.create(teacher=teacher, year=years[2025])
    for status in ("done", "planned", "cancelled"):
        RouteStep.objects.create(
            route=route,
            kind="course",
            title="КПК",
            due_on=dt.date(2026, 3, 1),
            status=status,
            done_on=dt.date(2026, 2, 1) if status == "done" else None,
        )
    _, content = _render(run_on_commit, department, "passport", {"school": school.pk})
    text = pdf_text(content)
    assert "Шагов маршрутов выполнено: 1 из 2" in text
    assert "Соколова Ирина Петровна Выполняется 2 1" in text


def test_the_sweep_sends_again_requests_left_queued_or_stuck_running(department, monkeypatch, run_on_commit):
    import datetime as dt

    from django.utils import timezone

    from reports.tasks import render_report

    sent = []
    monkeypatch.setattr(render_report, "delay", lambda pk: sent.append(pk))
    old = timezone.now() - dt.timedelta(hours=1)
    queued = ReportRequest.objects.create(kind="agreements", title="a", requested_by=department)
    stuck = ReportRequest.objects.create(kind="agreements", title="b", requested_by=department)
    fresh = ReportRequest.objects.create(kind="agreements", title="c", requested_by=department)
    ReportRequest.objects.filter(pk__in=[queued.pk, stuck.pk]).update(created_at=old)
    ReportRequest.objects.filter(pk=stuck.pk).update(status="running", started_at=old)
    assert run_on_commit(services.reports_requeue_stale) == 2
    assert sorted(sent) == sorted([queued.pk, stuck.pk]) and fresh.pk not in sent
    stuck.refresh_from_db()
    assert stuck.status == "queued"
