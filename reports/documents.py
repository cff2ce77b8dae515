"""The content of each report kind, built from the same scoped selectors the pages use.

Every builder takes the requesting user and the request's parameters and fetches through
the user's scope (``schools.scopes``, the apps' selectors): a user outside the scope gets
``Http404``, at request time (``reports.services.report_request_create``) and again in the
Celery task, so a scope that shrank in between is honoured. A builder returns a
``Document``: the print template and its context, and for tabular kinds the sheet.

``progress(percent, stage)`` is called between the expensive parts so the archive page can
show where the rendering is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Role, User
from core.charts import MARK_COLOURS, HBar, Series, bar_chart, fmt_number, hbar_chart, line_chart
from events.models import Event, Registration
from identification.models import ACTIVE, SchoolStatus, StatusKind
from identification.selectors import (
    mark_distribution,
    programme_kpis,
    programme_results,
    recent_years,
    school_indicator_table,
    school_result_slices,
    status_counts_by_year,
    statuses_of,
    support_effect_for,
)
from monitoring.models import CURRENT, ContextData
from partnerships.models import Agreement
from partnerships.selectors import agreement_list, dashboard_figures
from risks.selectors import risk_profile_for, signals_for
from roadmaps import selectors as roadmap_selectors
from roadmaps.models import Level, Measure, MeasureStatus, ProgressReport, Roadmap
from schools.models import AcademicYear, Municipality, School
from schools.scopes import municipalities_for, schools_for

Progress = Callable[[int, str], None]

# Roles that read municipal figures (DESIGN.md §3); a director or teacher reads their own school.
MUNICIPAL_READERS = (Role.DEPARTMENT, Role.REGION, Role.METHODOLOGIST)


def _noop(percent: int, stage: str) -> None:
    return None


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: list[Sequence[Any]]
    widths: Sequence[int] | None = None


@dataclass
class Document:
    template: str
    title: str
    context: dict = field(default_factory=dict)
    sheet: Sheet | None = None
    # A workbook of several sheets, written by its app (the municipality's analysis tables).
    workbook: bytes | None = None


def _require_municipal_reader(user: User) -> None:
    if not (user.is_superuser or user.role in MUNICIPAL_READERS):
        raise PermissionDenied


def _int(params: dict, name: str) -> int:
    try:
        return int(params[name])
    except (KeyError, TypeError, ValueError):
        raise Http404(f"Не указан параметр {name}") from None


def school_of(user: User, params: dict) -> School:
    return get_object_or_404(
        schools_for(user).select_related("organisation", "municipality__region"), pk=_int(params, "school")
    )


def municipality_of(user: User, params: dict) -> Municipality:
    return get_object_or_404(municipalities_for(user), pk=_int(params, "municipality"))


def year_of(params: dict) -> AcademicYear:
    if params.get("year"):
        return get_object_or_404(AcademicYear, pk=_int(params, "year"))
    year = AcademicYear.current() or AcademicYear.objects.order_by("-start_year").first()
    if year is None:
        raise Http404("Нет ни одного учебного года")
    return year


def _pct(part: float | None, whole: float | None) -> float | None:
    if not whole or part is None:
        return None
    return round(100 * part / whole, 1)


def _base_context(user: User, municipality: Municipality | None, title: str) -> dict:
    return {
        "doc_title": title,
        "header_left": str(municipality) if municipality else "",
        "header_right": title,
        "generated_at": timezone.localtime(),
        "generated_by": user.get_full_name() or user.get_username(),
    }


# --- Results figures shared by the passport and the year's results ------------------------------
#
# Every figure here comes from the selector the page showing it uses (issue #19, «one
# definition per figure»): results from the stored indicator values (the school page and the
# municipal dashboard), statuses from ``status_counts_by_year`` (the dashboard and the home
# page), overdue measures from ``roadmaps.selectors.overdue_q`` (computed when read, as on the
# home page), partners from ``partnerships.selectors.dashboard_figures`` (the home card).


def _recent_years(year: AcademicYear, count: int = 4) -> list[AcademicYear]:
    return recent_years(year, count)


# --- (2) School passport ---------------------------------------------------------------------------


def passport(*, user: User, params: dict, progress: Progress = _noop) -> Document:
    """Паспорт школы: context, results dynamics, statuses, risk profile, roadmap progress,
    agreements, teachers' routes (issue #9, kind 2)."""
    school = school_of(user, params)
    year = year_of(params)
    title = f"Паспорт школы: {school.short_name}"
    progress(10, "Сведения о школе и контекст")
    years = _recent_years(year)
    context_rows = list(
        ContextData.objects.filter(CURRENT, school=school, year__in=years)
        .select_related("year")
        .order_by("year__start_year")
    )
    progress(25, "Результаты оценочных процедур")
    # The school page's table (identification.selectors.school_indicator_table): the school's
    # share of «2» against the municipality's mean of the same year.
    table = school_indicator_table(school=school)
    shares = next((row for row in table["rows"] if row["spec"].code == "vpr_share_2"), None)
    by_start = {}
    if shares is not None:
        for position, table_year in enumerate(table["years"]):
            by_start[table_year.start_year] = (shares["series"][position], shares["muni_series"][position])
    results_chart = line_chart(
        title="Доля «2» по ВПР (все предметы и классы), %",
        categories=[y.name for y in years],
        series=[
            Series("Школа", [by_start.get(y.start_year, (None, None))[0] for y in years]),
            Series("Среднее по школам муниципалитета", [by_start.get(y.start_year, (None, None))[1] for y in years]),
        ],
        unit="%",
        height=240,
    )
    latest = mark_distribution(school=school, year=year)
    marks_chart = None
    if latest:
        cats = [f"{_short_subject_name(a['subject__name'], a['subject__fis_oko_abbr'])} {a['grade'] or ''}".strip()
                for a in latest[:10]]  # fmt: skip
        marks_chart = bar_chart(
            title=f"Распределение отметок ВПР/ОГЭ, {year.name}, % участников",
            categories=cats,
            series=[
                Series(f"«{mark}»", [_pct(a["marks"][mark - 2], a["n"]) for a in latest[:10]]) for mark in (2, 3, 4, 5)
            ],
            stacked=True,
            colours=MARK_COLOURS,
            unit="%",
            decimals=0,
            y_max=100,
            height=260,
        )
    progress(45, "Статусы и рисковый профиль")
    statuses = list(statuses_of(school=school))
    profile = risk_profile_for(school=school, year=year)
    signals = signals_for(school=school, year=year)
    progress(60, "Программа школы и отчёты")
    programmes = list(
        roadmap_selectors.roadmaps_for(user=user)
        .filter(school=school, level=Level.SCHOOL)
        .annotate(
            measures_total=Count("measures", distinct=True),
            measures_done=Count("measures", filter=Q(measures__status=MeasureStatus.DONE), distinct=True),
            measures_overdue=Count("measures", filter=roadmap_selectors.overdue_q(prefix="measures__"), distinct=True),
        )
        .order_by("-start_year__start_year", "-pk")
    )
    reports = list(
        ProgressReport.objects.filter(roadmap__in=[p.pk for p in programmes])
        .select_related("period", "roadmap")
        .annotate(avg_percent=_avg_percent())
        .order_by("-period__due_on")
    )
    # Teachers' routes (ИОМ, teachers app): figures for every reader, names only for those the
    # teachers app lets read them (teachers.selectors.routes_for decides).
    from teachers.models import RouteStep
    from teachers.selectors import routes_for, teacher_figures

    teacher_numbers = teacher_figures(schools=School.objects.filter(pk=school.pk), year=year)
    counted = ~Q(steps__status=RouteStep.Status.CANCELLED)
    routes = list(
        routes_for(user)
        .filter(teacher__school=school, year=year)
        .annotate(
            steps_total=Count("steps", filter=counted),
            steps_done=Count("steps", filter=Q(steps__status=RouteStep.Status.DONE)),
        )
        .order_by("teacher__last_name", "teacher__first_name", "pk")
    )
    progress(75, "Договоры о сотрудничестве")
    agreements = list(
        agreement_list(user=user).filter(Q(supported_school=school) | Q(partners__school__pk=school.pk)).distinct()
    )
    progress(85, "Посещение мероприятий")
    attended_events = list(
        Event.objects.filter(registrations__school=school, registrations__attended=True)
        .annotate(people=Count("registrations", filter=Q(registrations__school=school, registrations__attended=True)))
        .order_by("-starts_at")[:50]
    )
    attendance = Registration.objects.filter(school=school, attended=True).aggregate(
        count=Count("pk"), hours=Sum("event__hours"), people=Count("email", distinct=True)
    )
    # Results by procedure, subject and grade, one column per year (the school page's table).
    results_rows = school_result_slices(school=school, years=years)
    # Small groups pooled (grades of a level; two years): the analytics page's selector and marks.
    from analytics.selectors import school_pooled_marks

    pooled_marks = school_pooled_marks(school=school, years=years)
    ctx = _base_context(user, school.municipality, title)
    ctx.update(
        results_rows=results_rows,
        pooled_marks=pooled_marks,
        attended_events=attended_events,
        attendance=attendance,
        school=school,
        year=year,
        years=years,
        context_rows=context_rows,
        results_chart=results_chart,
        indicator_table=table,
        marks_chart=marks_chart,
        statuses=statuses,
        profile=profile,
        risk_chart=profile.chart if profile.levels else None,
        signals=signals,
        programmes=programmes,
        reports=reports,
        routes=routes,
        teacher_numbers=teacher_numbers,
        agreements=agreements,
    )
    return Document("reports/print/passport.html", title, ctx)


def _short_subject_name(name: str, abbr: str | None) -> str:
    """«Русск.» for chart labels under narrow bars; the ФИС ОКО abbreviation where there is one."""
    if abbr:
        return abbr
    first = name.split()[0]
    return first if len(first) <= 6 else first[:5] + "."


def _avg_percent():
    from django.db.models import Avg

    return Avg("items__percent")


# --- (3) Roadmap execution report for a period ----------------------------------------------------


def roadmap_execution(*, user: User, params: dict, progress: Progress = _noop) -> Document:
    """Отчёт о выполнении дорожной карты за период: municipal (every reporting school and the
    municipal roadmap's measures) or one school's programme (``school`` given)."""
    period = roadmap_selectors.period_get(user=user, pk=_int(params, "period"))
    municipality = period.municipality
    if params.get("school"):
        return _school_execution(user=user, period=period, school=school_of(user, params), progress=progress)
    _require_municipal_reader(user)
    title = f"Отчёт о выполнении дорожной карты за период «{period.name}»"
    progress(20, "Школы и их отчёты")
    rows = roadmap_selectors.period_reporting_schools(user=user, period=period)
    averages = dict(
        ProgressReport.objects.filter(period=period, roadmap__in=[r["programme"].pk for r in rows if r["programme"]])
        .annotate(avg_percent=_avg_percent())
        .values_list("pk", "avg_percent")
    )
    for row in rows:
        row["avg_percent"] = averages.get(row["report"].pk) if row["report"] else None
    progress(50, "Сводка по направлениям")
    summary = roadmap_selectors.municipal_summary(period=period, schools=schools_for(user))
    chart = None
    if summary["by_direction"]:
        chart = hbar_chart(
            title="Средний % выполнения мероприятий по направлениям",
            bars=[
                HBar(f"{d['label']} направление", d["avg"], note=f"выполнено {d['done']} из {d['measures']}")
                for d in summary["by_direction"]
            ],
            unit="%",
            decimals=0,
            max_value=100,
        )
    progress(70, "Муниципальная дорожная карта")
    municipal = (
        roadmap_selectors.roadmaps_for(user=user)
        .filter(level=Level.MUNICIPAL, municipality=municipality, status__in=[Roadmap.Status.APPROVED, "completed"])
        .order_by("-start_year__start_year", "-pk")
        .first()
    )
    measures = []
    if municipal:
        measures = list(
            municipal.measures.select_related("objective", "responsible_organisation")
            .filter(starts_on__lte=period.due_on)
            .order_by("due_on", "pk")
        )
    filed = sum(1 for r in rows if r["filed"])
    ctx = _base_context(user, municipality, title)
    ctx.update(
        period=period,
        rows=rows,
        filed=filed,
        summary=summary,
        chart=chart,
        municipal=municipal,
        measures=measures,
        measures_done=sum(1 for m in measures if m.status == MeasureStatus.DONE),
        today=timezone.localdate(),
    )
    sheet = Sheet(
        "Выполнение",
        ["Школа", "Программа", "Статус отчёта", "Средний % выполнения", "Отправлен"],
        [
            [
                r["school"].short_name,
                r["programme"].title if r["programme"] else "нет утверждённой программы",
                r["report"].get_status_display() if r["report"] else "не начат",
                round(r["avg_percent"]) if r["avg_percent"] is not None else None,
                timezone.localtime(r["report"].submitted_at).strftime("%d.%m.%Y")
                if r["report"] and r["report"].submitted_at
                else "",
            ]
            for r in rows
        ],
        widths=[45, 50, 24, 14, 14],
    )
    return Document("reports/print/roadmap_execution.html", title, ctx, sheet)


def _school_execution(*, user: User, period, school: School, progress: Progress) -> Document:
    title = f"Отчёт о выполнении программы школы за период «{period.name}»"
    report = (
        roadmap_selectors.reports_for(user=user)
        .filter(period=period, roadmap__school=school, roadmap__level=Level.SCHOOL)
        .order_by("-roadmap__start_year__start_year")
        .first()
    )
    progress(40, "Мероприятия программы")
    items = roadmap_selectors.report_items(report=report) if report else []
    ctx = _base_context(user, school.municipality, title)
    ctx.update(
        period=period,
        school=school,
        report=report,
        roadmap=report.roadmap if report else None,
        items=items,
        avg_percent=round(sum(i.percent for i in items) / len(items)) if items else None,
        done=sum(1 for i in items if i.status == MeasureStatus.DONE),
    )
    sheet = Sheet(
        "Мероприятия",
        ["Задача", "Мероприятие", "Срок", "Статус", "% выполнения", "Комментарий"],
        [
            [
                i.measure.objective.title,
                i.measure.title,
                i.measure.due_on,
                i.get_status_display(),
                i.percent,
                i.comment,
            ]
            for i in items
        ],
        widths=[40, 50, 12, 18, 12, 60],
    )
    return Document("reports/print/school_execution.html", title, ctx, sheet)


def progress_report_snapshot(*, report: ProgressReport) -> Document:
    """The frozen copy of a submitted progress report (no user: the snapshot is the object's own)."""
    items = roadmap_selectors.report_items(report=report)
    title = f"Отчёт о ходе выполнения за «{report.period.name}»"
    ctx = _base_context_system(report.roadmap.municipality, title)
    ctx.update(
        period=report.period,
        school=report.roadmap.school,
        report=report,
        roadmap=report.roadmap,
        items=items,
        avg_percent=round(sum(i.percent for i in items) / len(items)) if items else None,
        done=sum(1 for i in items if i.status == MeasureStatus.DONE),
        snapshot=True,
    )
    return Document("reports/print/school_execution.html", title, ctx)


def roadmap_snapshot(*, roadmap: Roadmap) -> Document:
    """The frozen copy of an approved roadmap: its objectives and measures as approved."""
    title = f"{roadmap.get_level_display()}: {roadmap.title}"
    ctx = _base_context_system(roadmap.municipality, title)
    ctx.update(
        roadmap=roadmap,
        groups=roadmap_selectors.objectives_by_direction(roadmap=roadmap),
        snapshot=True,
    )
    return Document("reports/print/roadmap.html", title, ctx)


def _base_context_system(municipality: Municipality, title: str) -> dict:
    return {
        "doc_title": title,
        "header_left": str(municipality),
        "header_right": "Снимок документа",
        "generated_at": timezone.localtime(),
        "generated_by": "",
    }


# --- (4) Year's results of the programme for a municipality -----------------------------------------


def year_results(*, user: User, params: dict, progress: Progress = _noop) -> Document:
    """Итоги года (the seed «Итоги работы … со школами с низкими результатами» is the model):
    counts and dynamics of supported schools, transitions to effective functioning, measures
    done, agreements; events and participants once the events app lands."""
    _require_municipal_reader(user)
    municipality = municipality_of(user, params)
    year = year_of(params)
    title = f"Итоги работы со школами с низкими результатами за {year.name} учебный год"
    schools = schools_for(user).filter(municipality=municipality)
    years = _recent_years(year)
    progress(15, "Статусы школ по годам")
    counts = status_counts_by_year(schools=schools, years=years)
    dynamics = [
        {
            "year": y,
            "low": counts[y.start_year][StatusKind.LOW_RESULTS],
            "difficult": counts[y.start_year][StatusKind.DIFFICULT_CONDITIONS],
            "effective": counts[y.start_year][StatusKind.EFFECTIVE],
            "risk": counts[y.start_year][StatusKind.RISK_ZONE],
        }
        for y in years
    ]
    status_chart = bar_chart(
        title="Школы со статусами по годам",
        categories=[d["year"].name for d in dynamics],
        series=[
            Series("ШНОР", [d["low"] for d in dynamics]),
            Series("ШССУ", [d["difficult"] for d in dynamics]),
            Series("Переход в эффективный режим", [d["effective"] for d in dynamics]),
        ],
        decimals=0,
        height=240,
    )
    transitions = list(
        SchoolStatus.objects.filter(ACTIVE, school__in=schools.values("pk"), year=year, kind=StatusKind.EFFECTIVE)
        .select_related("school__organisation")
        .order_by("school__organisation__name")
    )
    supported_now = list(
        SchoolStatus.objects.filter(ACTIVE, school__in=schools.values("pk"), year=year, kind__in=StatusKind.supported())
        .select_related("school__organisation")
        .order_by("school__organisation__name", "kind")
    )
    progress(35, "Результаты ВПР")
    supported_ids = [s.school_id for s in supported_now]
    # The municipal dashboard's table (identification.selectors.programme_results).
    results = programme_results(schools=schools, year=year, years=years)
    results_chart = line_chart(
        title="Доля «2» по ВПР, %",
        categories=[y.name for y in years],
        series=[
            Series(f"Школы со статусом ШНОР/ШССУ в {year.name}", [r["supported_value"] for r in results]),
            Series("Все школы муниципалитета", [r["all_value"] for r in results]),
        ],
        unit="%",
        height=240,
    )
    # The dashboard's block: matched comparison (difference-in-differences) and the seeds' KPIs.
    effect = support_effect_for(municipalities=Municipality.objects.filter(pk=municipality.pk), year=year)
    kpis = programme_kpis(schools=schools, year=year)
    progress(55, "Мероприятия дорожных карт")
    start, end = year.starts_on, year.ends_on
    measures = Measure.objects.filter(
        roadmap__in=roadmap_selectors.roadmaps_for(user=user).filter(municipality=municipality).values("pk"),
        roadmap__status__in=[Roadmap.Status.APPROVED, Roadmap.Status.COMPLETED],
        due_on__range=(start, end),
    )
    # Overdue as the home page counts it: at read time, not the hourly job's status.
    measure_counts = roadmap_selectors.measure_counts(measures=measures)
    by_level = {
        row["roadmap__level"]: row
        for row in measures.values("roadmap__level")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=MeasureStatus.DONE)))
        .order_by()
    }
    progress(70, "Договоры о сотрудничестве")
    agreements = agreement_list(user=user).filter(municipality=municipality)
    agreement_counts = {
        row["status"]: row["n"] for row in agreements.values("status").annotate(n=Count("pk")).order_by()
    }
    # «N из M» with an active partner: the home page's card (partnerships.selectors.dashboard_figures).
    partners = dashboard_figures(municipality=municipality, year=year)
    progress(85, "Методические мероприятия")
    year_events = Event.objects.filter(
        municipality=municipality, starts_at__date__range=(start, end), status__in=HELD_EVENT_STATUSES
    )
    event_figures = year_events.aggregate(
        held=Count("pk", distinct=True),
        attended=Count("registrations", filter=Q(registrations__attended=True)),
        supported_attended=Count(
            "registrations", filter=Q(registrations__attended=True, registrations__school_id__in=supported_ids)
        ),
        schools=Count("registrations__school", filter=Q(registrations__attended=True), distinct=True),
    )
    ctx = _base_context(user, municipality, title)
    ctx.update(
        event_figures=event_figures,
        municipality=municipality,
        year=year,
        dynamics=dynamics,
        status_chart=status_chart,
        transitions=transitions,
        supported_now=supported_now,
        supported_count=partners.supported,
        results_chart=results_chart,
        results=results,
        effect=effect,
        kpis=kpis,
        measure_counts=measure_counts,
        measure_levels=[
            (label, by_level.get(value, {}).get("total", 0), by_level.get(value, {}).get("done", 0))
            for value, label in Level.choices
        ],
        measures_done_pct=_pct(measure_counts["done"], measure_counts["total"]),
        agreement_counts=[(label, agreement_counts.get(value, 0)) for value, label in Agreement.Status.choices],
        agreements_total=sum(agreement_counts.values()),
        signed_in_year=partners.new_agreements,
        covered=partners.supported_with_partner,
        fmt=fmt_number,
    )
    return Document("reports/print/year_results.html", title, ctx)


# --- (5) Register of agreements ------------------------------------------------------------------


AGREEMENT_HEADERS = [
    "Номер",
    "Дата",
    "Школа",
    "Организации-партнёры",
    "Формы поддержки",
    "Предметы",
    "Срок",
    "Статус",
    "Оценка",
]


def agreements_register(*, user: User, params: dict, progress: Progress = _noop) -> Document:
    """Реестр договоров о сотрудничестве: every agreement the user reads (optionally one municipality)."""
    qs = agreement_list(user=user).order_by("municipality__name", "signed_on", "number", "pk")
    municipality = None
    if params.get("municipality"):
        municipality = municipality_of(user, params)
        qs = qs.filter(municipality=municipality)
    else:
        # A department reads one municipality: name it in the header rather than «all available».
        only = list(municipalities_for(user)[:2])
        municipality = only[0] if len(only) == 1 else None
    title = "Реестр договоров о сотрудничестве"
    progress(30, "Договоры")
    agreements = list(qs)
    rows = []
    for a in agreements:
        term = ""
        if a.starts_on or a.ends_on:
            term = f"{a.starts_on:%d.%m.%Y} – " if a.starts_on else "– "
            term += f"{a.ends_on:%d.%m.%Y}" if a.ends_on else ""
        rows.append(
            [
                a.number or "проект",
                a.signed_on,
                a.supported_school.short_name,
                "; ".join(p.display_name for p in a.partners.all()),
                a.support_forms_display,
                ", ".join(s.name for s in a.subjects.all()),
                term,
                a.get_status_display(),
                a.assessment_rating,
            ]
        )
    by_status = defaultdict(int)
    for a in agreements:
        by_status[a.get_status_display()] += 1
    ctx = _base_context(user, municipality, title)
    ctx.update(municipality=municipality, rows=rows, headers=AGREEMENT_HEADERS, by_status=sorted(by_status.items()))
    sheet = Sheet("Договоры", AGREEMENT_HEADERS, rows, widths=[12, 12, 40, 50, 40, 30, 24, 14, 10])
    return Document("reports/print/agreements.html", title, ctx, sheet)


# --- (6) Events for a period with attendance ---------------------------------------------------------

# An event that took place: attendance is marked for these.
HELD_EVENT_STATUSES = (Event.Status.HELD, Event.Status.REPORT_PUBLISHED)
EVENT_HEADERS = [
    "Дата",
    "Мероприятие",
    "Вид",
    "Организатор",
    "Часов",
    "Записано",
    "Присутствовало",
    "Из школ ШНОР/ШССУ",
    "Школ",
]


def _date_param(params: dict, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(params[name])
    except (KeyError, TypeError, ValueError):
        raise Http404(f"Не указан параметр {name}") from None


def events_period(*, user: User, params: dict, progress: Progress = _noop) -> Document:
    """Мероприятия за период с посещаемостью: every event of the user's municipalities that
    started in the period and was not cancelled, with registrations and attendance (one query)."""
    _require_municipal_reader(user)
    date_from, date_to = _date_param(params, "date_from"), _date_param(params, "date_to")
    municipalities = municipalities_for(user)
    municipality = None
    if params.get("municipality"):
        municipality = municipality_of(user, params)
        municipalities = municipalities.filter(pk=municipality.pk)
    else:
        only = list(municipalities[:2])
        municipality = only[0] if len(only) == 1 else None
    title = f"Мероприятия с {date_from:%d.%m.%Y} по {date_to:%d.%m.%Y}"
    progress(30, "Мероприятия и посещаемость")
    supported = SchoolStatus.objects.filter(
        ACTIVE, kind__in=StatusKind.supported(), year__start_year=AcademicYear.start_of(date_to)
    ).values("school_id")
    live = ~Q(registrations__status=Registration.Status.CANCELLED)
    events = list(
        Event.objects.filter(municipality__in=municipalities.values("pk"), starts_at__date__range=(date_from, date_to))
        .exclude(status__in=(Event.Status.CANCELLED, Event.Status.DRAFT))
        .select_related("organiser", "municipality")
        .annotate(
            registered=Count("registrations", filter=live & Q(registrations__status=Registration.Status.CONFIRMED)),
            attended=Count("registrations", filter=Q(registrations__attended=True)),
            supported_attended=Count(
                "registrations", filter=Q(registrations__attended=True, registrations__school_id__in=supported)
            ),
            schools=Count("registrations__school", filter=Q(registrations__attended=True), distinct=True),
        )
        .order_by("starts_at", "pk")
    )
    rows = [
        [
            timezone.localtime(e.starts_at).date(),
            e.title,
            e.get_kind_display(),
            e.organiser.display_name if e.organiser else "",
            float(e.hours) if e.hours is not None else None,
            e.registered,
            e.attended,
            e.supported_attended,
            e.schools,
        ]
        for e in events
    ]
    totals = {
        "events": len(events),
        "held": sum(1 for e in events if e.status in HELD_EVENT_STATUSES),
        "registered": sum(e.registered for e in events),
        "attended": sum(e.attended for e in events),
        "supported_attended": sum(e.supported_attended for e in events),
        "hours": sum((e.hours or 0) for e in events if e.status in HELD_EVENT_STATUSES),
    }
    by_kind = defaultdict(lambda: [0, 0])
    for e in events:
        by_kind[e.get_kind_display()][0] += 1
        by_kind[e.get_kind_display()][1] += e.attended
    chart = None
    if by_kind:
        chart = hbar_chart(
            title="Участники по видам мероприятий",
            bars=[
                HBar(kind, attended, note=f"мероприятий: {n}")
                for kind, (n, attended) in sorted(by_kind.items(), key=lambda kv: -kv[1][1])
            ],
            decimals=0,
        )
    ctx = _base_context(user, municipality, title)
    ctx.update(
        municipality=municipality,
        date_from=date_from,
        date_to=date_to,
        rows=rows,
        events=events,
        totals=totals,
        chart=chart,
    )
    sheet = Sheet("Мероприятия", EVENT_HEADERS, rows, widths=[12, 60, 18, 35, 8, 11, 15, 18, 8])
    return Document("reports/print/events.html", title, ctx, sheet)


# --- (7) The registry of schools (XLSX) --------------------------------------------------------------


def registry_export(*, user: User, params: dict, progress: Progress = _noop) -> Document:
    """The registry page's XLSX: the schools its filters select (``params["filters"]``, the page's
    query string), in the import layout, so the file loads back unchanged. Built here in the
    ``reports`` queue, not in the request: a region's registry is thousands of rows (issue #20)."""
    from django.http import QueryDict

    from schools.filters import SchoolFilter
    from schools.registry_format import COLUMNS, school_to_row
    from schools.selectors import school_list

    filters = QueryDict(str(params.get("filters", ""))[:2000])
    school_filter = SchoolFilter(filters, queryset=school_list(user=user), municipalities=municipalities_for(user))
    progress(20, "Школы реестра")
    schools = school_filter.qs.order_by("municipality__name", "code")
    rows = [school_to_row(school) for school in schools.iterator(2000)]
    title = "Реестр школ"
    sheet = Sheet("Реестр", [column.title for column in COLUMNS], rows)
    return Document("", title, _base_context(user, None, title), sheet)


# --- (8) The agreements page's XLSX -------------------------------------------------------------------

AGREEMENT_LIST_HEADERS = (
    "Номер",
    "Дата",
    "Статус",
    "Школа",
    "Код ОО",
    "Организации-партнёры",
    "Начало",
    "Окончание",
    "Формы поддержки",
    "Предметы",
    "Совместные мероприятия",
    "Причина расторжения",
    "Итоги",
    "Оценка",
)
AGREEMENT_LIST_WIDTHS = (14, 12, 14, 40, 12, 50, 12, 12, 40, 30, 60, 40, 60, 8)


def _agreement_list_row(agreement: Agreement) -> list:
    return [
        agreement.number,
        agreement.signed_on,
        agreement.get_status_display(),
        agreement.supported_school.organisation.display_name,
        agreement.supported_school.code,
        "; ".join(p.display_name for p in agreement.partners.all()),
        agreement.starts_on,
        agreement.ends_on,
        agreement.support_forms_display,
        ", ".join(s.name for s in agreement.subjects.all()),
        agreement.activities,
        agreement.termination_reason,
        agreement.assessment_results,
        agreement.assessment_rating,
    ]


def agreement_list_export(*, user: User, params: dict, progress: Progress = _noop) -> Document:
    """The agreements page's «Выгрузить в XLSX»: every agreement its filters select
    (``params["filters"]``, the page's query string), every column of the agreement, by date.
    Built in the ``reports`` queue, not in the request (issue #20)."""
    from django.http import QueryDict

    from partnerships.forms import agreement_filter

    filters = QueryDict(str(params.get("filters", ""))[:2000])
    progress(20, "Договоры")
    agreements = agreement_filter(filters, user=user).qs.order_by("signed_on", "pk")
    # xlsx_bytes escapes formula-like text (core.xlsx.safe_row) in every row.
    rows = [_agreement_list_row(agreement) for agreement in agreements]
    title = "Договоры о сотрудничестве"
    sheet = Sheet("Договоры", AGREEMENT_LIST_HEADERS, rows, widths=AGREEMENT_LIST_WIDTHS)
    return Document("", title, _base_context(user, None, title), sheet)


# --- (9) The municipality's analysis tables (XLSX) -------------------------------------------------


def municipality_analytics_of(user: User, params: dict):
    """The municipality (404 outside the user's reading scope) and the slice its page showed
    (``params["filters"]``; 404 on a slice it has no figures for, the newest when none is named)."""
    from django.http import QueryDict

    from analytics import selectors as analytics_selectors

    municipality = analytics_selectors.municipality_get(user=user, pk=_int(params, "municipality"))
    options = analytics_selectors.slices_of(municipality=municipality)
    key = analytics_selectors.slice_from(QueryDict(str(params.get("filters", ""))[:2000]), options)
    return municipality, key


def municipality_analytics_export(*, user: User, params: dict, progress: Progress = _noop) -> Document:
    """The municipality analysis page's «Все таблицы (XLSX)»: one sheet per table of the page
    (analytics.presentation.municipality_tables), for the slice the page showed."""
    from analytics import presentation
    from analytics import selectors as analytics_selectors

    municipality, key = municipality_analytics_of(user, params)
    tables = []
    if key is not None:
        progress(20, "Результаты школ")
        analysis, lines = analytics_selectors.municipality_analysis(user=user, municipality=municipality, key=key)
        progress(70, "Таблицы")
        tables = presentation.municipality_tables(analysis, lines)
    title = f"Анализ результатов: {municipality.name}" + (f", {key.title}" if key else "")
    return Document("", title, _base_context(user, municipality, title), workbook=presentation.workbook(tables))


# --- (10) The participants of one event (XLSX) ---------------------------------------------------------

PARTICIPANT_HEADERS = [
    "ФИО",
    "Школа",
    "Код ОО",
    "Должность",
    "Предмет",
    "Эл. почта",
    "Статус",
    "Присутствовал",
    "Записан",
]


def event_of(user: User, params: dict) -> Event:
    """An event the centre's staff member manages (403 for any other role, 404 outside the scope)."""
    from events.permissions import require_centre_staff
    from events.selectors import staff_event_get

    require_centre_staff(user)
    return staff_event_get(user=user, pk=_int(params, "event"))


def event_participants(*, user: User, params: dict, progress: Progress = _noop) -> Document:
    """The staff page's participants of one event, as they registered (events.selectors)."""
    from events.selectors import event_registrations

    event = event_of(user, params)
    progress(20, "Участники")
    rows = [
        (
            r.full_name,
            r.school.organisation.display_name if r.school else "",
            r.school.code if r.school else "",
            r.position,
            r.subject,
            r.email,
            r.get_status_display(),
            "да" if r.attended else "",
            timezone.localtime(r.created_at).strftime("%d.%m.%Y %H:%M"),
        )
        for r in event_registrations(event=event)
    ]
    title = f"Участники: {event.title}"
    # Text typed by the public: xlsx_bytes escapes formula-like cells (core.xlsx.safe_row) in every row.
    return Document("", title, _base_context(user, None, title), Sheet("Участники", PARTICIPANT_HEADERS, rows))


BUILDERS: dict[str, Callable[..., Document]] = {
    "passport": passport,
    "roadmap_execution": roadmap_execution,
    "year_results": year_results,
    "agreements": agreements_register,
    "events": events_period,
    "registry": registry_export,
    "agreement_list": agreement_list_export,
    "municipality_analytics": municipality_analytics_export,
    "event_participants": event_participants,
}
# Kinds that also come as XLSX (the tabular ones).
TABULAR = {"roadmap_execution", "agreements", "events", "registry", "agreement_list", "municipality_analytics",
           "event_participants"}  # fmt: skip
# Kinds that come as XLSX only (a table with no print layout), ordered from their own pages.
XLSX_ONLY = {"registry", "agreement_list", "municipality_analytics", "event_participants"}


def identification_available() -> bool:
    """The identification runs land in their own branch; the kind is offered once they exist."""
    from identification import models

    return hasattr(models, "IdentificationRun")


if identification_available():
    from reports.identification_report import identification_report

    BUILDERS["identification"] = identification_report
    TABULAR.add("identification")
