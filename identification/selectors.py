"""Reads of identification outcomes that other apps use."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, FloatField, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from accounts.models import User
from identification import hooks, isbsh
from identification.catalogue import INDICATORS, format_value, stored_precision
from identification.models import (
    ACTIVE,
    Criterion,
    Decision,
    IdentificationRun,
    IndicatorMean,
    IndicatorRecompute,
    IndicatorValue,
    MethodologyVersion,
    RunResult,
    SchoolStatus,
    StatusKind,
    SupportEffect,
    TaskStatus,
)
from schools.models import AcademicYear, Municipality, Region, School
from schools.scopes import manageable_municipalities, municipalities_for, schools_for, schools_manageable_by

if TYPE_CHECKING:
    from identification.effect import Estimate


def recent_years(year: AcademicYear, count: int = 4) -> list[AcademicYear]:
    """``year`` and the ``count`` − 1 before it that exist, oldest first (pages and reports alike)."""
    return list(
        AcademicYear.objects.filter(start_year__lte=year.start_year, start_year__gt=year.start_year - count).order_by(
            "start_year"
        )
    )


def supported_schools(*, schools: QuerySet[School] | None = None, year: AcademicYear | None = None) -> QuerySet[School]:
    """Schools with an active ШНОР or ШССУ status in the year (the current one by default).

    ``schools`` narrows the answer to a scope, e.g. ``schools.scopes.schools_for(user)``.
    """
    year = year or AcademicYear.current()
    base = schools if schools is not None else School.objects.all()
    if year is None:
        return base.none()
    supported = SchoolStatus.objects.filter(ACTIVE, year=year, kind__in=StatusKind.supported()).values("school_id")
    return base.filter(pk__in=supported)


def statuses_of(*, school: School) -> QuerySet[SchoolStatus]:
    """Every status of a school, active and revoked, newest year first (the card's history)."""
    return SchoolStatus.objects.filter(school=school).select_related("year", "approved_by", "revoked_by")


# --- Runs, methodology, indicators (already scoped; 404 outside the scope) ---------------------


def _regional_scope(user: User) -> Q:
    """Regional runs and the region's decisions: the region role of that region reads them
    (they hold every municipality's schools, so a department does not)."""
    from accounts.models import Role

    if user.is_superuser:
        return Q(region__isnull=False)
    if user.role == Role.REGION and user.region_id:
        return Q(region_id=user.region_id)
    return Q(pk__in=[])


def runs_for(*, user: User) -> QuerySet[IdentificationRun]:
    """Runs of the municipalities the user may read identification in, and the region role's
    regional runs."""
    from identification.services import can_read_identification

    qs = IdentificationRun.objects.select_related(
        "version__methodology", "year", "municipality", "region", "created_by"
    )
    if not can_read_identification(user):
        return qs.none()
    return qs.filter(Q(municipality__in=municipalities_for(user)) | _regional_scope(user))


def run_get(*, user: User, pk: int) -> IdentificationRun:
    from identification.services import can_read_identification

    if not can_read_identification(user):
        raise PermissionDenied
    return get_object_or_404(runs_for(user=user), pk=pk)


def runs_approvable_by(*, user: User) -> QuerySet[IdentificationRun]:
    """Runs the user may approve: a department its municipality's, the region its regional runs."""
    from identification.services import can_manage_identification, can_run_regional_identification

    scope = Q(pk__in=[])
    if can_manage_identification(user):
        scope |= Q(municipality__in=manageable_municipalities(user))
    if can_run_regional_identification(user):
        scope |= _regional_scope(user)
    return runs_for(user=user).filter(scope)


def run_get_for_approval(*, user: User, pk: int) -> IdentificationRun:
    from identification.services import can_start_runs

    if not can_start_runs(user):
        raise PermissionDenied
    return get_object_or_404(runs_approvable_by(user=user), pk=pk)


def regions_for_runs(*, user: User) -> QuerySet[Region]:
    """Regions the user may start a regional run in (the region role's own; an operator's all)."""
    from identification.services import can_run_regional_identification

    if user.is_superuser:
        return Region.objects.all()
    if not can_run_regional_identification(user) or user.region_id is None:
        return Region.objects.none()
    return Region.objects.filter(pk=user.region_id)


def decisions_for(*, user: User) -> QuerySet[Decision]:
    """Decisions (приказы) of the municipalities the user reads identification in, and the
    region's own decisions for its region role."""
    from identification.services import can_read_identification

    qs = Decision.objects.select_related("municipality", "region", "year", "run__version__methodology", "created_by")
    if not can_read_identification(user):
        return qs.none()
    return qs.filter(Q(municipality__in=municipalities_for(user)) | _regional_scope(user))


def run_results(*, run: IdentificationRun) -> QuerySet[RunResult]:
    return run.results.select_related("school__organisation", "school__municipality")


RUN_RESULT_SORTS = {
    "fired": ("-fired_count", "school__code"),
    "name": ("school__organisation__short_name", "school__code"),
    "code": ("school__code",),
}


def _searched_results(qs: QuerySet[RunResult], *, q: str, sort: str) -> QuerySet[RunResult]:
    if q:
        qs = qs.filter(
            Q(school__organisation__name__icontains=q)
            | Q(school__organisation__short_name__icontains=q)
            | Q(school__code=q)
        )
    return qs.order_by(*RUN_RESULT_SORTS.get(sort, RUN_RESULT_SORTS["fired"]))


def run_proposed_results(*, run: IdentificationRun, q: str = "", sort: str = "fired") -> QuerySet[RunResult]:
    """The run's proposals, searched by name or code and sorted (a region's run proposes hundreds)."""
    return _searched_results(run_results(run=run).filter(proposed=True), q=q, sort=sort)


def run_other_results(*, run: IdentificationRun, q: str = "", sort: str = "fired") -> QuerySet[RunResult]:
    """The run's schools that were neither proposed nor already holding the status, searched by
    name or code and sorted."""
    return _searched_results(run_results(run=run).filter(proposed=False, held_status=""), q=q, sort=sort)


def earlier_run(*, run: IdentificationRun, same_year: bool = False) -> IdentificationRun | None:
    """The last finished run of the same methodology and scope (municipality or region) before this one."""
    if run.region_id is not None:
        scope = Q(region_id=run.region_id)
    else:
        scope = Q(municipality_id=run.municipality_id, region__isnull=True)
    qs = IdentificationRun.objects.filter(
        scope,
        version__methodology_id=run.version.methodology_id,
        status=TaskStatus.DONE,
        created_at__lte=run.created_at,
    )
    if same_year:
        qs = qs.filter(year_id=run.year_id)
    return (
        qs.exclude(pk=run.pk)
        .exclude(created_at=run.created_at, pk__gt=run.pk)
        .select_related("year", "version")
        .order_by("-created_at", "-pk")
        .first()
    )


def user_region_id(user: User) -> int | None:
    if user.region_id:
        return user.region_id
    municipality = municipalities_for(user).first() if not user.is_superuser else None
    return municipality.region_id if municipality else None


def versions(*, user: User | None = None) -> QuerySet[MethodologyVersion]:
    """Versions of the shipped presets and of the user's region's own methodologies."""
    qs = MethodologyVersion.objects.select_related("methodology", "created_by").prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.select_related("subject"))
    )
    if user is None or user.is_superuser:
        return qs
    return qs.filter(Q(methodology__region__isnull=True) | Q(methodology__region_id=user_region_id(user)))


def latest_versions() -> list[MethodologyVersion]:
    """The newest version of every methodology (what a new run uses by default)."""
    latest = {}
    for version in versions(user=None).order_by("methodology__name", "-number"):
        latest.setdefault(version.methodology_id, version)
    return list(latest.values())


def recompute_for(*, user: User, pk: int) -> IndicatorRecompute:
    from identification.services import can_manage_identification

    if not can_manage_identification(user):
        raise PermissionDenied
    qs = IndicatorRecompute.objects.filter(municipality__in=manageable_municipalities(user))
    return get_object_or_404(qs, pk=pk)


def school_for_monitoring(*, user: User, pk: int) -> School:
    return get_object_or_404(schools_for(user).select_related("organisation", "municipality"), pk=pk)


def status_for_revoke(*, user: User, pk: int) -> SchoolStatus:
    from identification.services import can_manage_identification

    if not can_manage_identification(user):
        raise PermissionDenied
    qs = SchoolStatus.objects.filter(school__in=schools_manageable_by(user)).select_related("school", "year")
    return get_object_or_404(qs, pk=pk)


def school_indicator_table(*, school: School) -> dict:
    """Overall indicators of a school by year, next to the municipality's mean of the same year.

    Two queries whatever the number of years and schools: the school's rows, and the
    municipality's means stored by the recompute (``IndicatorMean``).
    """
    own = (
        IndicatorValue.objects.filter(school=school, subject__isnull=True, grade__isnull=True)
        .select_related("year")
        .order_by("year__start_year")
    )
    years: dict[int, AcademicYear] = {}
    values: dict[str, dict[int, float]] = defaultdict(dict)
    # A small school's value counted from its grades of one level pooled (issue #18): marked
    # «объединено» wherever the table is printed (the school page, the passport).
    pooled: set[tuple[str, int]] = set()
    for row in own:
        years[row.year.start_year] = row.year
        values[row.indicator][row.year.start_year] = row.value
        if row.pooled:
            pooled.add((row.indicator, row.year.start_year))
    means: dict[str, dict[int, float]] = defaultdict(dict)
    if years:
        # Stored by the recompute (IndicatorMean), not averaged over the municipality per view.
        stored = IndicatorMean.objects.filter(
            municipality_id=school.municipality_id,
            year_id__in=[year.pk for year in years.values()],
            indicator__in=list(values),
        ).values_list("indicator", "year_id", "value")
        start_of = {year.pk: start for start, year in years.items()}
        for indicator, year_id, mean in stored:
            means[indicator][start_of[year_id]] = mean
    ordered_years = sorted(years)
    table = []
    for spec in INDICATORS:
        if spec.code not in values:
            continue
        cells = [
            (
                format_value(values[spec.code].get(start), spec.unit),
                format_value(means[spec.code].get(start), spec.unit),
                (spec.code, start) in pooled,
            )
            for start in ordered_years
        ]
        series = [values[spec.code].get(start) for start in ordered_years]
        table.append(
            {
                "spec": spec,
                "cells": cells,
                "series": series,
                "muni_series": [means[spec.code].get(start) for start in ordered_years],
            }
        )
    latest = max((start for start in ordered_years if start in values.get("isbsh", {})), default=None)
    explained = None
    if latest is not None:
        # The stored index taken apart by the scale it was computed with (identification.isbsh).
        parts = isbsh.decompose({code: values[code].get(latest) for code in isbsh.COMPONENTS})
        if parts is not None:
            explained = {"year": years[latest], "stored": values["isbsh"][latest], "parts": parts}
    return {"years": [years[start] for start in ordered_years], "rows": table, "isbsh": explained}


def isbsh_shares(*, schools: QuerySet[School], scale: isbsh.Scale, year: AcademicYear | None = None) -> dict:
    """What share of the ИСБШ's difficulty each factor drives over ``schools`` in the latest year
    with stored components (or ``year``), by ``scale`` (a methodology version's). Two queries."""
    components = IndicatorValue.objects.filter(
        school__in=schools, indicator__in=isbsh.COMPONENTS, subject__isnull=True, grade__isnull=True
    )
    if year is None:
        latest = components.order_by("-year__start_year").values_list("year_id", flat=True).first()
        year = AcademicYear.objects.filter(pk=latest).first() if latest else None
    if year is None:
        return {"year": None, "schools": 0, "shares": []}
    rows: dict[int, dict[str, float]] = defaultdict(dict)
    for school, code, value in components.filter(year=year).values_list("school_id", "indicator", "value"):
        rows[school][code] = value
    counted, shares = isbsh.shares_in_data(rows.values(), scale)
    weights = dict(scale.weights)
    total_weight = sum(weights.values()) or 1.0
    return {
        "year": year,
        "schools": counted,
        "shares": [
            {
                "code": code,
                "name": name,
                "weight": weights[code],
                "weight_share": 100 * weights[code] / total_weight,
                "share": share,
            }
            for code, name, share in shares
        ],
    }


def municipal_dashboard(*, municipalities: QuerySet, regions: QuerySet | None = None) -> dict:
    """Counts of statuses by year and kind, transitions, pending approvals: a fixed number of queries.

    ``regions``: the region role's regions, whose regional runs wait for its own decision too."""
    by_year = status_counts_by_year(schools=School.objects.filter(municipality__in=municipalities))
    scope = Q(municipality__in=municipalities)
    if regions is not None:
        scope |= Q(region__in=regions)
    pending = (
        IdentificationRun.objects.filter(scope, status=TaskStatus.DONE, proposed_count__gt=0, is_draft=False)
        .annotate(approved=Count("statuses"))
        .filter(approved=0)
        .select_related("version__methodology", "year", "municipality", "region")
        .order_by("-created_at")[:10]
    )
    risk_zone = (
        SchoolStatus.objects.filter(ACTIVE, school__municipality__in=municipalities, kind=StatusKind.RISK_ZONE)
        .select_related("school__organisation", "year")
        .order_by("-year__start_year", "school__code")[:20]
    )
    return {
        "years": [{"start_year": start, "name": f"{start}/{start + 1}", **by_year[start]} for start in sorted(by_year)],
        "pending": list(pending),
        "risk_zone": list(risk_zone),
    }


# Indicators set side by side for the municipalities of a region (issue #20).
COMPARED_INDICATORS = ("vpr_share_2", "vpr_mean_mark", "oge_share_2", "isbsh")


def municipalities_compared(*, municipalities: QuerySet, year: AcademicYear | None) -> dict:
    """The region's municipalities side by side, for staff only (never a public ranking):
    schools, approved ШНОР and ШССУ of the year, and the stored means of a few indicators
    (``IndicatorMean``). Four queries whatever the number of municipalities, ordered by name.
    """
    rows = list(municipalities.order_by("name").annotate(school_count=Count("schools", distinct=True)))
    if year is None or len(rows) < 2:
        return {"year": year, "rows": [], "specs": []}
    ids = [m.pk for m in rows]
    statuses: dict[tuple[int, str], int] = {
        (row["school__municipality_id"], row["kind"]): row["n"]
        for row in SchoolStatus.objects.filter(
            ACTIVE, year=year, kind__in=StatusKind.supported(), school__municipality_id__in=ids
        )
        .values("school__municipality_id", "kind")
        .annotate(n=Count("pk"))
    }
    means = {
        (municipality_id, indicator): value
        for municipality_id, indicator, value in IndicatorMean.objects.filter(
            municipality_id__in=ids, year=year, indicator__in=COMPARED_INDICATORS
        ).values_list("municipality_id", "indicator", "value")
    }
    specs = [spec for spec in INDICATORS if spec.code in COMPARED_INDICATORS]
    return {
        "year": year,
        "specs": specs,
        "rows": [
            {
                "municipality": m,
                "schools": m.school_count,
                "low_results": statuses.get((m.pk, StatusKind.LOW_RESULTS), 0),
                "difficult": statuses.get((m.pk, StatusKind.DIFFICULT_CONDITIONS), 0),
                "means": [format_value(means.get((m.pk, spec.code)), spec.unit) for spec in specs],
            }
            for m in rows
        ],
    }


# --- Figures shared by pages, reports and the home page (one definition each) ------------------


@dataclass(frozen=True)
class PooledFigure:
    """A share pooled over schools: Σ value·participants / Σ participants, with what is behind it."""

    value: float
    schools: int
    participants: int
    # Schools whose value pools grades of one level (small schools, issue #18): said with the figure.
    pooled_schools: int = 0


def pooled_by_year(*, indicator: str, school_ids, years: Sequence[AcademicYear]) -> dict[int, PooledFigure | None]:
    """One school-wide indicator pooled over schools per year (year pk → figure or None).

    The pooled share of «2» is the share among all counted participants (slices of ≥ 10),
    the same participants the school values count. One aggregate query. Pages (the municipal
    dashboard, the school page) and reports (the passport, «Итоги года») call this.
    """
    rows = (
        IndicatorValue.objects.filter(
            indicator=indicator,
            subject__isnull=True,
            grade__isnull=True,
            year__in=list(years),
            school_id__in=school_ids,
            participants__gt=0,
        )
        .values("year_id")
        .annotate(
            weighted=Sum(F("value") * F("participants"), output_field=FloatField()),
            n=Sum("participants"),
            schools=Count("school_id", distinct=True),
            pooled_schools=Count("school_id", filter=Q(pooled=True), distinct=True),
        )
        .order_by()
    )
    by_year = {
        row["year_id"]: PooledFigure(
            stored_precision(row["weighted"] / row["n"]), row["schools"], row["n"], row["pooled_schools"]
        )
        for row in rows
        if row["n"]
    }
    return {year.pk: by_year.get(year.pk) for year in years}


RESULT_INDICATORS = (("vpr", "ВПР"), ("oge", "ОГЭ"))


def school_result_slices(*, school: School, years: Sequence[AcademicYear]) -> list[dict]:
    """Share of «2» and mean mark of a school by procedure, subject and grade, one cell per year.

    Read from the stored indicator values (the same rows the runs judge): a slice under
    ``MIN_GROUP`` participants has no value and shows as «—». One query.
    """
    codes = [f"{procedure}_{name}" for procedure, _ in RESULT_INDICATORS for name in ("share_2", "mean_mark")]
    rows = IndicatorValue.objects.filter(
        school=school, year__in=list(years), indicator__in=codes, subject__isnull=False
    ).select_related("subject")
    cells: dict[tuple, dict[int, dict]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        procedure, _, name = row.indicator.partition("_")
        key = (procedure, row.subject.name if row.subject else "", row.grade)
        cell = cells[key][row.year_id]
        cell[name] = row.value
        cell["participants"] = row.participants
        # Grades of one level pooled for a small school (issue #18): marked where it is shown.
        cell["pooled"] = row.pooled
    labels = dict(RESULT_INDICATORS)
    order = {procedure: position for position, (procedure, _) in enumerate(RESULT_INDICATORS)}
    return [
        {
            "procedure": labels[procedure],
            "subject": subject,
            "grade": grade,
            "cells": [cells[(procedure, subject, grade)].get(year.pk) for year in years],
        }
        for procedure, subject, grade in sorted(cells, key=lambda k: (order[k[0]], k[1], k[2] or 0))
    ]


def status_counts_by_year(*, schools: QuerySet[School], years: Sequence[AcademicYear] | None = None) -> dict:
    """Active statuses by year and kind among ``schools``: {start year: {kind: schools}}."""
    qs = SchoolStatus.objects.filter(ACTIVE, school__in=schools.values("pk"))
    if years is not None:
        qs = qs.filter(year__in=list(years))
    by_year: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(StatusKind.values, 0))
    for row in qs.values("year__start_year", "kind").annotate(n=Count("school_id", distinct=True)).order_by():
        by_year[row["year__start_year"]][row["kind"]] = row["n"]
    return by_year


def mark_distribution(*, school: School, year: AcademicYear) -> list[dict]:
    """Counts of «2»…«5» of a school's ВПР/ОГЭ slices in a year (slices of ≥ MIN_GROUP only).

    From the current participant rows; a slice that came only as an imported aggregate (Ф3)
    counts from it — the same sources, and the same minimum group, as the indicators.
    """
    from monitoring.models import CURRENT, ParticipantResult, SchoolAggregate

    rows = (
        ParticipantResult.objects.filter(
            CURRENT, school=school, year=year, procedure__in=("vpr", "oge"), mark__isnull=False
        )
        .values("procedure", "subject_id", "subject__name", "subject__fis_oko_abbr", "grade")
        .annotate(
            n=Count("pk"),
            m2=Count("pk", filter=Q(mark=2)),
            m3=Count("pk", filter=Q(mark=3)),
            m4=Count("pk", filter=Q(mark=4)),
            m5=Count("pk", filter=Q(mark=5)),
        )
        .order_by()
    )
    slices: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = (row["procedure"], row["subject_id"], row["grade"])
        slices[key] = {**row, "marks": [row["m2"], row["m3"], row["m4"], row["m5"]]}
    imported = SchoolAggregate.objects.filter(
        CURRENT, school=school, year=year, procedure__in=("vpr", "oge"), source="imported", mark_2__isnull=False
    ).values("procedure", "subject_id", "subject__name", "subject__fis_oko_abbr", "grade", "mark_2", "mark_3",
             "mark_4", "mark_5")  # fmt: skip
    for aggregate in imported:
        key = (aggregate["procedure"], aggregate["subject_id"], aggregate["grade"])
        marks = [aggregate.get(f"mark_{mark}") or 0 for mark in (2, 3, 4, 5)]
        if key not in slices:
            slices[key] = {**aggregate, "n": sum(marks), "marks": marks}
    counted = [s for s in slices.values() if s["n"] >= IndicatorValue.MIN_GROUP]
    return sorted(counted, key=lambda s: (s["procedure"] != "vpr", s["subject__name"], s["grade"] or 0))


def programme_results(*, schools: QuerySet[School], year: AcademicYear, years: Sequence[AcademicYear]) -> list[dict]:
    """Share of «2» in ВПР per year: the schools supported (ШНОР/ШССУ) in ``year`` against all
    ``schools``, pooled over participants, with the schools and participants behind each.

    The municipal dashboard and «Итоги года» §2 both show this table. Two queries.
    """
    supported = supported_schools(schools=schools, year=year)
    ours = pooled_by_year(indicator="vpr_share_2", school_ids=supported.values("pk"), years=years)
    everyone = pooled_by_year(indicator="vpr_share_2", school_ids=schools.values("pk"), years=years)
    rows = []
    for y in years:
        mine, all_schools = ours[y.pk], everyone[y.pk]
        rows.append(
            {
                "year": y,
                "supported": mine,
                "all": all_schools,
                "supported_value": mine.value if mine else None,
                "all_value": all_schools.value if all_schools else None,
            }
        )
    return rows


# --- «Что изменилось» after an import ------------------------------------------------------------


def import_changes(*, municipalities: QuerySet, limit: int = 1) -> list[dict]:
    """What the latest imports changed, per the draft runs they set off (proposals only).

    For each of the last ``limit`` recomputes after an import whose draft runs are finished:
    per methodology, the schools entering and leaving its list against the run before (draft
    or not, same methodology, municipality and year), and the objectivity signals that appeared
    with the refresh. A fixed number of queries per methodology.
    """
    from identification.services import runs_compare

    recomputes = (
        IndicatorRecompute.objects.filter(
            status=TaskStatus.DONE, import_job__isnull=False, draft_runs__municipality__in=municipalities
        )
        .select_related("import_job")
        .distinct()
        .order_by("-finished_at", "-pk")[:limit]
    )
    notices = []
    for recompute in recomputes:
        drafts = list(
            recompute.draft_runs.filter(municipality__in=municipalities, status=TaskStatus.DONE)
            .select_related("version__methodology", "year", "municipality")
            .order_by("version__methodology__name")
        )
        lists = []
        for run in drafts:
            before = earlier_run(run=run, same_year=True)
            if before is None:
                entered = list(run_results(run=run).filter(Q(proposed=True) | ~Q(held_status="")))
                left: list[RunResult] = []
            else:
                entered, left = runs_compare(run=run, earlier=before)
            lists.append({"run": run, "earlier": before, "entered": entered, "left": left})
        found: dict = {"signals": []}
        if drafts and recompute.finished_at:
            found |= hooks.answers(
                hooks.import_changes_found,
                municipalities=municipalities,
                year_ids=[run.year_id for run in drafts],
                since=recompute.finished_at,
            )
        notices.append(
            {
                "recompute": recompute,
                "job": recompute.import_job,
                "lists": lists,
                "changed": [item for item in lists if item["entered"] or item["left"]],
                **found,
                "pending": recompute.draft_runs.exclude(status__in=(TaskStatus.DONE, TaskStatus.FAILED)).exists(),
            }
        )
    return notices


# --- Effect of the support and the programme's own KPIs (seeds 001–003) -------------------------

# Matching features: the ИСБШ components, size and (added per school) the starting level.
EFFECT_FEATURES = (
    "low_income_share",
    "ovz_share",
    "non_native_share",
    "single_parent_share",
    "preventive_share",
    "parents_higher_ed",
    "rural",
    "contingent",
)


# The outcome whose change the effect reads (the share of «2» in ВПР).
EFFECT_OUTCOME = "vpr_share_2"


def support_effect_for(*, municipalities: QuerySet, year: AcademicYear) -> Estimate:
    """The support's effect over the schools of ``municipalities`` in ``year``, as the
    dashboard, «Итоги года» and any other page show it: the row stored by the recompute and the
    status decisions (``services.support_effects_recompute``) when the municipalities are one
    municipality or a whole region, else (or before the first recompute stored it) computed
    here by ``support_effect``. Two or three queries when stored (issue #20)."""
    from identification.effect import Estimate

    chosen = list(municipalities.order_by().values_list("pk", "region_id"))
    regions = {region_id for _, region_id in chosen}
    # Two recomputes committing at once may each leave a row: the latest computed is read.
    stored = SupportEffect.objects.filter(year=year, outcome=EFFECT_OUTCOME).order_by("-computed_at", "-pk")
    row = None
    if len(chosen) == 1:
        row = stored.filter(municipality_id=chosen[0][0]).first()
    elif len(regions) == 1 and chosen:
        (region_id,) = regions
        whole = {pk for pk, _ in chosen} == set(
            Municipality.objects.filter(region_id=region_id).values_list("pk", flat=True)
        )
        row = stored.filter(region_id=region_id).first() if whole else None
    if row is None:
        return support_effect(schools=School.objects.filter(municipality__in=[pk for pk, _ in chosen]), year=year)
    return Estimate(
        effect=row.effect,
        low=row.low,
        high=row.high,
        treated_change=row.treated_change,
        control_change=row.control_change,
        n_treated=row.n_treated,
        n_control=row.n_control,
    )


def support_effect(*, schools: QuerySet[School], year: AcademicYear, outcome: str = EFFECT_OUTCOME) -> Estimate:
    """Supported schools' change of ``outcome`` from the year before ``year`` to ``year``, against
    matched unsupported schools (identification.effect). Three queries.

    Supported: an active ШНОР/ШССУ status in ``year``. The comparison pool: the other schools of
    ``schools`` with no such status in ``year`` or the year before. A school enters only with
    the outcome counted (≥ 10 participants) in both years.
    """
    from identification.effect import Unit, did_estimate

    previous = AcademicYear.objects.filter(start_year=year.start_year - 1).first()
    if previous is None:
        return did_estimate([], [])
    values: dict[tuple[int, int, str], float] = {}
    # The outcome in both years, the matching features in the year before only (what is read
    # below): half the rows of a region's dashboard (issue #20).
    rows = IndicatorValue.objects.filter(
        Q(indicator=outcome, year__in=[previous, year]) | Q(indicator__in=EFFECT_FEATURES, year=previous),
        school__in=schools.values("pk"),
        subject__isnull=True,
        grade__isnull=True,
    ).values_list("school_id", "year_id", "indicator", "value")
    for school_id, year_id, indicator, value in rows:
        values[(school_id, year_id, indicator)] = value
    supported_now = set(supported_schools(schools=schools, year=year).values_list("pk", flat=True))
    supported_before = set(supported_schools(schools=schools, year=previous).values_list("pk", flat=True))
    treated, pool = [], []
    for school_id, kind in schools.values_list("pk", "school_type"):
        before, after = values.get((school_id, previous.pk, outcome)), values.get((school_id, year.pk, outcome))
        if before is None or after is None:
            continue
        features = (*(values.get((school_id, previous.pk, name)) for name in EFFECT_FEATURES), before)
        unit = Unit(school_id=school_id, before=before, after=after, kind=kind, features=features)
        if school_id in supported_now:
            treated.append(unit)
        elif school_id not in supported_before:
            pool.append(unit)
    return did_estimate(treated, pool)


def programme_kpis(*, schools: QuerySet[School], year: AcademicYear) -> dict:
    """The municipal model's own indicators for ``year`` (seeds 001–003): of the ШНОР of the
    year, how many have an approved programme, an active partner, teachers who completed КПК,
    and how many of last year's ШНОР moved to effective functioning; ШНОР by year."""
    low = SchoolStatus.objects.filter(ACTIVE, kind=StatusKind.LOW_RESULTS, school__in=schools.values("pk"))
    now = set(low.filter(year=year).values_list("school_id", flat=True))
    # Roadmaps, partnerships and teachers answer (identification/hooks.py): «with_programme»,
    # «with_partner», «with_kpk».
    measures = hooks.answers(hooks.programme_measures, school_ids=now, year=year)
    last_year = set(low.filter(year__start_year=year.start_year - 1).values_list("school_id", flat=True))
    moved = set(
        SchoolStatus.objects.filter(ACTIVE, kind=StatusKind.EFFECTIVE, year=year, school_id__in=last_year).values_list(
            "school_id", flat=True
        )
    )

    def share(part: set, whole: set) -> dict:
        return {"n": len(part), "of": len(whole), "share": 100.0 * len(part) / len(whole) if whole else None}

    by_year = status_counts_by_year(schools=schools)
    return {
        "low_results": len(now),
        **{key: share(ids & now, now) for key, ids in measures.items()},
        "moved_to_effective": share(moved, last_year),
        "low_by_year": [(f"{start}/{start + 1}", by_year[start][StatusKind.LOW_RESULTS]) for start in sorted(by_year)],
    }
