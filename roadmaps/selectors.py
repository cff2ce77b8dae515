"""Reads of roadmaps, periods and progress: already scoped to the user and joined for the page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Role, User
from identification.selectors import supported_schools
from roadmaps.models import (
    CLOSED_STATUSES,
    Direction,
    Evidence,
    Level,
    Measure,
    MeasureEscalationStep,
    MeasureProgress,
    MeasureStatus,
    Objective,
    ProgressReport,
    ReportingPeriod,
    ReviewComment,
    Roadmap,
)
from schools.models import School
from schools.scopes import municipalities_for, schools_for

_ROADMAP_JOINS = ("municipality", "school__organisation", "teacher", "start_year", "end_year", "approved_by")
# A report counts as filed once it has been sent; a returned one has to be sent again.
FILED = (ProgressReport.Status.SUBMITTED, ProgressReport.Status.ACCEPTED)


def today() -> dt.date:
    return timezone.localdate()


def roadmaps_for(*, user: User) -> QuerySet[Roadmap]:
    """Municipal roadmaps of the municipalities the user reads; school programmes of their schools.

    A teacher's individual route is seen by the school's readers, but a teacher sees only their own.
    """
    qs = Roadmap.objects.select_related(*_ROADMAP_JOINS)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    schools = schools_for(user).values("pk")
    visible = Q(level=Level.MUNICIPAL, municipality__in=municipalities_for(user).values("pk")) | Q(
        level=Level.SCHOOL, school__in=schools
    )
    if user.role == Role.TEACHER:
        visible |= Q(level=Level.TEACHER, teacher=user)
    else:
        visible |= Q(level=Level.TEACHER, school__in=schools)
    return qs.filter(visible)


def roadmap_get(*, user: User, pk: int) -> Roadmap:
    return get_object_or_404(roadmaps_for(user=user), pk=pk)


def objective_get(*, user: User, pk: int) -> Objective:
    return get_object_or_404(
        Objective.objects.select_related("roadmap__school", "roadmap__municipality").filter(
            roadmap__in=roadmaps_for(user=user).values("pk")
        ),
        pk=pk,
    )


def measure_get(*, user: User, pk: int) -> Measure:
    return get_object_or_404(
        Measure.objects.select_related("roadmap__school", "objective").filter(
            roadmap__in=roadmaps_for(user=user).values("pk")
        ),
        pk=pk,
    )


def roadmap_objectives(*, roadmap: Roadmap) -> list[Objective]:
    """Objectives with their measures, two queries whatever their number."""
    return list(
        roadmap.objectives.prefetch_related(
            Prefetch("measures", queryset=Measure.objects.select_related("responsible_organisation"))
        )
    )


def objectives_by_direction(*, roadmap: Roadmap) -> list[tuple[str, list[Objective]]]:
    """(direction label, objectives) in the catalogue's order, directions without objectives left out."""
    groups: dict[str, list[Objective]] = defaultdict(list)
    for objective in roadmap_objectives(roadmap=roadmap):
        groups[objective.direction].append(objective)
    return [(label, groups[value]) for value, label in Direction.choices if groups.get(value)]


def timeline_rows(*, roadmap: Roadmap, day: dt.date | None = None) -> list[dict]:
    """Measures placed on the roadmap's period as offsets and widths in % (for a plain CSS timeline)."""
    day = day or today()
    start, end = roadmap.period_start, roadmap.period_end
    span = max((end - start).days, 1)

    def pos(d: dt.date) -> float:
        return round(100 * min(max((d - start).days, 0), span) / span, 1)

    rows = []
    for measure in roadmap.measures.select_related("objective").order_by("starts_on", "pk"):
        left = pos(measure.starts_on)
        rows.append(
            {
                "measure": measure,
                "left": left,
                "width": max(round(pos(measure.due_on) - left, 1), 1.0),
                "overdue": measure.is_overdue_on(day),
            }
        )
    return rows


def templates_for(*, user: User, school: School | None) -> QuerySet[Roadmap]:
    """Roadmaps a new one may start from: the municipality's approved roadmaps, or the school's earlier ones."""
    qs = roadmaps_for(user=user)
    if school is None:
        return qs.filter(level=Level.MUNICIPAL)
    return qs.filter(
        Q(level=Level.MUNICIPAL, municipality_id=school.municipality_id, status__in=["approved", "completed"])
        | Q(level=Level.SCHOOL, school=school)
    )


def history_entries(*, roadmap: Roadmap, limit: int = 100) -> list[dict]:
    """Who changed what and when, in the roadmap, its objectives and measures, newest first.

    Three queries: each model's history is read once and consecutive versions of the same
    row are compared in Python (simple-history's diff_against would query per record).
    """
    entries = []
    sources = (
        (Roadmap.history.filter(id=roadmap.pk), "Карта", lambda r: "дорожная карта"),
        (Objective.history.filter(roadmap_id=roadmap.pk), "Задача", lambda r: f"задача «{r.title}»"),
        (Measure.history.filter(roadmap_id=roadmap.pk), "Мероприятие", lambda r: f"мероприятие «{r.title}»"),
    )
    for queryset, _label, describe in sources:
        records = list(queryset.select_related("history_user").order_by("id", "history_date", "history_id"))
        previous = {}
        fields = [f for f in queryset.model.instance_type._meta.fields if f.name not in ("id", "order")]
        for record in records:
            before = previous.get(record.id)
            changes = []
            if before is not None and record.history_type == "~":
                for field in fields:
                    old, new = getattr(before, field.attname, None), getattr(record, field.attname, None)
                    if old != new:
                        changes.append((str(field.verbose_name), _shown(field, old), _shown(field, new)))
            previous[record.id] = record
            entries.append(
                {
                    "when": record.history_date,
                    "who": record.history_user,
                    "what": describe(record),
                    "action": {"+": "создано", "~": "изменено", "-": "удалено"}[record.history_type],
                    "changes": changes,
                }
            )
    entries.sort(key=lambda e: e["when"], reverse=True)
    return entries[:limit]


def _shown(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if field.is_relation:
        return f"№ {value}"
    return str(value)


# --- Periods and progress ------------------------------------------------------------------


def periods_for(*, user: User) -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.select_related("municipality").filter(
        municipality__in=municipalities_for(user).values("pk")
    )


def period_get(*, user: User, pk: int) -> ReportingPeriod:
    return get_object_or_404(periods_for(user=user), pk=pk)


def reports_for(*, user: User) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.select_related(
        "roadmap__school__organisation", "roadmap__municipality", "period", "submitted_by", "reviewed_by"
    ).filter(roadmap__in=roadmaps_for(user=user).values("pk"))


def report_get(*, user: User, pk: int) -> ProgressReport:
    return get_object_or_404(reports_for(user=user), pk=pk)


def report_items(*, report: ProgressReport) -> list[MeasureProgress]:
    """Rows of the report, one per measure of the roadmap (created with the report), with their files."""
    return list(
        report.items.select_related("measure__objective").prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk"))
        )
    )


def report_threads(*, report: ProgressReport) -> dict[int | None, list[ReviewComment]]:
    """Comments of a report grouped by measure (None: about the whole report), oldest first."""
    threads: dict[int | None, list[ReviewComment]] = defaultdict(list)
    for comment in report.comments.select_related("author"):
        threads[comment.measure_id].append(comment)
    return dict(threads)


def evidence_get(*, user: User, pk: int) -> Evidence:
    qs = Evidence.objects.select_related("item__report").filter(
        item__report__roadmap__in=roadmaps_for(user=user).values("pk")
    )
    return get_object_or_404(qs, pk=pk)


def period_reporting_schools(*, user: User, period: ReportingPeriod) -> list[dict]:
    """Every school expected to report for the period, with its report (or None).

    Expected: schools with an approved programme, and supported schools (ШНОР/ШССУ) of the
    municipality that have no approved programme at all (shown so the gap is visible).
    """
    schools = schools_for(user).filter(municipality=period.municipality)
    programmes = {
        r.school_id: r
        for r in roadmaps_for(user=user)
        .filter(level=Level.SCHOOL, municipality=period.municipality, status=Roadmap.Status.APPROVED)
        # The latest approved programme wins when a school has several.
        .order_by("start_year__start_year", "pk")
    }
    reports = {
        r.roadmap_id: r
        for r in ProgressReport.objects.filter(period=period, roadmap__in=[p.pk for p in programmes.values()])
    }
    supported: set[int] = set(supported_schools(schools=schools).values_list("pk", flat=True))
    wanted = {pk for pk in programmes if pk is not None} | supported
    rows = []
    for school in schools.filter(pk__in=wanted).select_related("organisation").order_by("organisation__name"):
        programme = programmes.get(school.pk)
        report = reports.get(programme.pk) if programme else None
        rows.append(
            {
                "school": school,
                "programme": programme,
                "report": report,
                "filed": report is not None and report.status in FILED,
            }
        )
    return rows


def not_submitted(*, user: User, period: ReportingPeriod) -> list[dict]:
    return [row for row in period_reporting_schools(user=user, period=period) if not row["filed"]]


def overdue_q(day: dt.date | None = None, prefix: str = "") -> Q:
    """Overdue, computed when read (never a status a job set): the deadline has passed, the
    measure is neither done nor cancelled, and its roadmap is approved (in force).

    The home page, the overdue list, the passport and «Итоги года» all count with this."""
    day = day or today()
    return Q(**{f"{prefix}due_on__lt": day, f"{prefix}roadmap__status": Roadmap.Status.APPROVED}) & ~Q(
        **{f"{prefix}status__in": CLOSED_STATUSES}
    )


def measure_escalation_steps(measure_ids) -> dict[int, list[MeasureEscalationStep]]:
    """The escalation steps sent for each of these measures, in the order sent."""
    steps: dict[int, list[MeasureEscalationStep]] = defaultdict(list)
    for step in MeasureEscalationStep.objects.filter(measure_id__in=measure_ids).order_by("sent_at", "pk"):
        steps[step.measure_id].append(step)
    return dict(steps)


def escalated_measures(*, roadmap: Roadmap) -> list[tuple[Measure, list[MeasureEscalationStep]]]:
    """The roadmap's measures that have been escalated as overdue, with their steps (the roadmap page)."""
    steps = measure_escalation_steps(roadmap.measures.values("pk"))
    measures = Measure.objects.filter(pk__in=steps).order_by("due_on", "pk")
    return [(measure, steps[measure.pk]) for measure in measures]


def measure_counts(*, measures: QuerySet[Measure], day: dt.date | None = None) -> dict[str, int]:
    """Total, done, overdue (at ``day``) and cancelled among ``measures``: one aggregate query."""
    return measures.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=MeasureStatus.DONE)),
        overdue=Count("pk", filter=overdue_q(day)),
        cancelled=Count("pk", filter=Q(status=MeasureStatus.CANCELLED)),
    )


def overdue_measures(*, user: User, day: dt.date | None = None) -> QuerySet[Measure]:
    """Measures of approved roadmaps whose deadline has passed and that are neither done nor cancelled."""
    return (
        Measure.objects.filter(overdue_q(day), roadmap__in=roadmaps_for(user=user).values("pk"))
        .select_related("roadmap__school__organisation", "roadmap__municipality", "objective")
        .order_by("due_on", "pk")
    )


def municipal_summary(*, period: ReportingPeriod, schools: QuerySet[School] | None = None) -> dict:
    """Average % done per school × direction and per direction, from the period's filed reports.

    Two aggregate queries whatever the number of schools. ``schools`` narrows to a scope.
    """
    items = MeasureProgress.objects.filter(report__period=period, report__status__in=FILED)
    if schools is not None:
        items = items.filter(report__roadmap__school__in=schools.values("pk"))
    cells = items.values("report__roadmap__school_id", "measure__objective__direction").annotate(
        avg=Avg("percent"), n=Count("pk"), done=Count("pk", filter=Q(status="done"))
    )
    by_school: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for cell in cells:
        by_school[cell["report__roadmap__school_id"]][cell["measure__objective__direction"]] = round(cell["avg"])
    directions = list(
        items.values("measure__objective__direction")
        .annotate(avg=Avg("percent"), n=Count("pk"), done=Count("pk", filter=Q(status="done")))
        .order_by()
    )
    by_direction = {d["measure__objective__direction"]: d for d in directions}
    names = dict(School.objects.filter(pk__in=by_school).values_list("pk", "organisation__short_name"))
    return {
        "directions": [(value, label) for value, label in Direction.choices if value in by_direction],
        "schools": sorted(
            ({"name": names.get(pk, ""), "cells": cells_} for pk, cells_ in by_school.items()),
            key=lambda row: row["name"],
        ),
        "by_direction": [
            {"label": label, "avg": round(by_direction[value]["avg"]), "measures": by_direction[value]["n"],
             "done": by_direction[value]["done"]}
            for value, label in Direction.choices
            if value in by_direction
        ],
    }  # fmt: skip


# --- Public site ---------------------------------------------------------------------------


def public_roadmaps() -> QuerySet[Roadmap]:
    return Roadmap.objects.select_related(*_ROADMAP_JOINS).filter(published_at__isnull=False)


def public_roadmap_get(*, pk: int) -> Roadmap:
    return get_object_or_404(public_roadmaps(), pk=pk)


def public_periods() -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.select_related("municipality").filter(summary_published_at__isnull=False)


def public_period_get(*, pk: int) -> ReportingPeriod:
    period = public_periods().filter(pk=pk).first()
    if period is None:
        raise Http404
    return period


# --- Objectives linked to the data: actual value and progress rating per period ----------------

ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
RATING_LABELS = {ON_TRACK: "по плану", AT_RISK: "есть риск", OFF_TRACK: "отстаёт"}


def progress_rating(*, base: float, target: float, actual: float, elapsed: float) -> str:
    """On track when the way from base to target covered is at least the share of the roadmap's
    time elapsed (less a tenth of slack); at risk when some way is covered; off track otherwise
    (no movement, or movement away from the target)."""
    if target == base:
        return ON_TRACK if actual == target else OFF_TRACK
    covered = (actual - base) / (target - base)
    if covered >= min(elapsed, 1.0) - 0.1:
        return ON_TRACK
    return AT_RISK if covered > 0 else OFF_TRACK


def objective_progress(*, roadmap: Roadmap, period: ReportingPeriod) -> list[dict]:
    """Each objective of a school's roadmap linked to a catalogue indicator: base, target and
    the actual value of the academic year the period ends in (stored indicators), with a rating."""
    from identification.catalogue import BY_CODE, format_value
    from identification.models import IndicatorValue
    from schools.models import AcademicYear

    objectives = [o for o in roadmap.objectives.all() if o.indicator_code in BY_CODE]
    if roadmap.school_id is None or not objectives:
        return []
    due = period.due_on
    year = AcademicYear.objects.filter(start_year=due.year if due.month >= 9 else due.year - 1).first()
    actual = {}
    if year is not None:
        actual = dict(
            IndicatorValue.objects.filter(
                school_id=roadmap.school_id,
                year=year,
                indicator__in=[o.indicator_code for o in objectives],
                subject__isnull=True,
                grade__isnull=True,
            ).values_list("indicator", "value")
        )
    start = dt.date(roadmap.start_year.start_year, 9, 1)
    end = dt.date(roadmap.end_year.start_year + 1, 8, 31)
    elapsed = max(0.0, min(1.0, (due - start).days / max((end - start).days, 1)))
    rows = []
    for objective in objectives:
        spec = BY_CODE[objective.indicator_code]
        value = actual.get(objective.indicator_code)
        rating = None
        if value is not None and objective.baseline_value is not None and objective.target_value is not None:
            rating = progress_rating(
                base=float(objective.baseline_value),
                target=float(objective.target_value),
                actual=value,
                elapsed=elapsed,
            )
        rows.append(
            {
                "objective": objective,
                "spec": spec,
                "year": year,
                "base": format_value(float(objective.baseline_value), spec.unit)
                if objective.baseline_value is not None
                else "—",
                "target": format_value(float(objective.target_value), spec.unit)
                if objective.target_value is not None
                else "—",
                "actual": format_value(value, spec.unit),
                "value": value,
                "rating": rating,
                "rating_label": RATING_LABELS.get(rating or "", "нет данных"),
            }
        )
    return rows


def report_objective_progress(*, report: ProgressReport) -> list[dict]:
    """``objective_progress`` of the report's period, each row with the curator's confirmation
    (``ObjectiveRating``) if there is one."""
    rows = objective_progress(roadmap=report.roadmap, period=report.period)
    if rows:
        confirmed = {r.objective_id: r for r in report.ratings.select_related("confirmed_by")}
        for row in rows:
            row["confirmed"] = confirmed.get(row["objective"].pk)
    return rows


def schools_with_programme(*, school_ids) -> set[int]:
    """Of ``school_ids``, the schools with an approved (or completed) programme of their own.

    The programme's KPI «с утверждённой программой» (identification.selectors.programme_kpis).
    """
    return set(
        Roadmap.objects.filter(
            level=Level.SCHOOL,
            school_id__in=school_ids,
            status__in=(Roadmap.Status.APPROVED, Roadmap.Status.COMPLETED),
        ).values_list("school_id", flat=True)
    )
