"""Reads of the risks app, already scoped (schools.scopes) and with their joins.

``risk_profile_for`` and ``signals_for`` are what the school monitoring page (identification)
includes through ``risks/_school_risk_profile.html`` and ``risks/_school_signals.html``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import Role, User
from core.charts import HBar, hbar_chart
from core.params import year_param
from risks.charts import signal_chart
from risks.models import ObjectivitySignal, RiskFactor, RiskLevel, SchoolRisk, SelfDiagnosis, SignalKind
from schools.models import AcademicYear, School
from schools.scopes import schools_for

# Who reads what (DESIGN.md §3; issue #4): the municipality's signals are the department's work
# (region reads); a school's profile is read by its director and curator too.
SIGNAL_LIST_ROLES = (Role.DEPARTMENT, Role.REGION)
PROFILE_ROLES = (Role.DEPARTMENT, Role.REGION, Role.METHODOLOGIST, Role.CURATOR, Role.DIRECTOR)
OVERVIEW_ROLES = (Role.DEPARTMENT, Role.REGION, Role.METHODOLOGIST)

LEVEL_RANK = {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3}


def has_role(user: User, roles) -> bool:
    return user.is_superuser or user.role in roles


def year_from(value) -> AcademicYear | None:
    """The year asked for (``?year=2025``), else the current one, else the latest."""
    years = AcademicYear.objects.all()
    start_year = year_param({"year": value or ""})  # -1 or twenty digits: ignored, not a 500
    if start_year is not None:
        try:
            return years.get(start_year=start_year)
        except AcademicYear.DoesNotExist:
            pass
    return AcademicYear.current() or years.first()


def school_get(*, user: User, pk: int) -> School:
    try:
        return schools_for(user).select_related("organisation", "municipality").get(pk=pk)
    except School.DoesNotExist:
        raise Http404 from None


# --- signals -------------------------------------------------------------------------------------


def signals_for(
    *, school: School, year: AcademicYear | None, include_inactive: bool = False
) -> list[ObjectivitySignal]:
    """Signals of one school-year (the school was fetched through a scoped queryset)."""
    if year is None:
        return []
    qs = ObjectivitySignal.objects.filter(school=school, year=year).select_related("subject", "reviewed_by")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    signals = list(qs.order_by("kind", "subject__name", "grade"))
    for signal in signals:
        signal.chart = signal_chart(signal)  # type: ignore[attr-defined]  # for the template only
    return signals


def municipal_signals(
    *, user: User, year: AcademicYear, kind: str = "", review: str = ""
) -> QuerySet[ObjectivitySignal]:
    qs = ObjectivitySignal.objects.filter(year=year, is_active=True, school__in=schools_for(user))
    if kind in SignalKind.values:
        qs = qs.filter(kind=kind)
    if review in ObjectivitySignal.Review.values:
        qs = qs.filter(review=review)
    return qs.select_related("school__organisation", "school__municipality", "subject", "reviewed_by").order_by(
        "school__municipality__name", "school__organisation__short_name", "kind", "subject__name", "grade"
    )


def signal_get_for_review(*, user: User, pk: int) -> ObjectivitySignal:
    try:
        return (
            ObjectivitySignal.objects.filter(school__in=schools_for(user))
            .select_related("school__organisation", "subject", "year", "reviewed_by")
            .get(pk=pk)
        )
    except ObjectivitySignal.DoesNotExist:
        raise Http404 from None


# --- risk profile --------------------------------------------------------------------------------


@dataclass
class RiskProfile:
    school: School
    year: AcademicYear | None
    levels: list[SchoolRisk]
    diagnosis: SelfDiagnosis | None

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(RiskLevel.values, 0)
        for row in self.levels:
            out[row.level] += 1
        return out

    @property
    def chart(self):
        bars = [
            HBar(
                row.factor.name,
                LEVEL_RANK.get(row.level),
                note=f"{row.get_level_display()}, {row.get_source_display().lower()}"
                if row.level != RiskLevel.UNKNOWN
                else "нет данных",
                tone=row.level,
            )
            for row in self.levels
        ]
        year = f", {self.year.name}" if self.year else ""
        return hbar_chart(
            title=f"Рисковый профиль{year}: уровни риска (1 — низкий, 2 — средний, 3 — высокий)",
            bars=bars,
            max_value=3,
            decimals=0,
        )


def risk_profile_for(*, school: School, year: AcademicYear | None) -> RiskProfile:
    """The school's risk levels in the year, factors in catalogue order (two queries)."""
    if year is None:
        return RiskProfile(school, None, [], None)
    levels = list(
        SchoolRisk.objects.filter(school=school, year=year)
        .select_related("factor")
        .order_by("factor__order", "factor__code")
    )
    diagnosis = SelfDiagnosis.objects.filter(school=school, year=year).first()
    return RiskProfile(school, year, levels, diagnosis)


@dataclass
class OverviewRow:
    school: School
    cells: list[SchoolRisk | None]
    high: int
    signals: int


# Sort orders of the overview (issue #20: the table is paginated; sorting and filters stay in the query).
OVERVIEW_SORTS = {
    "name": ("organisation__short_name", "organisation__name", "pk"),
    "high": ("-high", "organisation__short_name", "pk"),
    "signals": ("-signals", "organisation__short_name", "pk"),
}


def risk_overview_schools(
    *,
    user: User,
    year: AcademicYear,
    q: str = "",
    municipality_id: int | None = None,
    only_high: bool = False,
    sort: str = "name",
) -> QuerySet[School]:
    """The overview's schools, filtered and sorted, each annotated with ``high`` (factors at a
    high level) and ``signals`` (active objectivity signals): one query per page, whatever
    the region's size, the page's cells come from ``risk_overview_rows``."""
    high = (
        SchoolRisk.objects.filter(school=OuterRef("pk"), year=year, level=RiskLevel.HIGH, factor__is_current=True)
        .values("school")
        .annotate(n=Count("pk"))
        .values("n")
    )
    signals = (
        ObjectivitySignal.objects.filter(school=OuterRef("pk"), year=year, is_active=True)
        .values("school")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = schools_for(user).filter(is_active=True).select_related("organisation", "municipality")
    if q:
        qs = qs.filter(Q(organisation__name__icontains=q) | Q(organisation__short_name__icontains=q) | Q(code=q))
    if municipality_id:
        qs = qs.filter(municipality_id=municipality_id)
    qs = qs.annotate(
        high=Coalesce(Subquery(high, output_field=IntegerField()), 0),
        signals=Coalesce(Subquery(signals, output_field=IntegerField()), 0),
    )
    if only_high:
        qs = qs.filter(high__gt=0)
    return qs.order_by(*OVERVIEW_SORTS.get(sort, OVERVIEW_SORTS["name"]))


def risk_overview_rows(*, schools, factors: list[RiskFactor], year: AcademicYear) -> list[OverviewRow]:
    """Rows of the given schools (one page, annotated by ``risk_overview_schools``): one query."""
    schools = list(schools)
    by_key = {
        (r.school_id, r.factor_id): r
        for r in SchoolRisk.objects.filter(
            year=year, school__in=[s.pk for s in schools], factor__in=[f.pk for f in factors]
        )
    }
    return [OverviewRow(s, [by_key.get((s.pk, f.pk)) for f in factors], s.high, s.signals) for s in schools]


def current_risk_factors() -> list[RiskFactor]:
    return list(RiskFactor.objects.filter(is_current=True).order_by("order", "code"))


def risk_overview(*, user: User, year: AcademicYear) -> tuple[list[RiskFactor], list[OverviewRow]]:
    """Every school of the user's scope × current factors (for documents; the page is paginated)."""
    factors = current_risk_factors()
    schools = risk_overview_schools(user=user, year=year)
    return factors, risk_overview_rows(schools=schools, factors=factors, year=year)


def diagnosis_questions() -> list[RiskFactor]:
    return list(RiskFactor.objects.filter(is_current=True).prefetch_related("questions").order_by("order", "code"))


def signals_since(*, municipalities: QuerySet, year_ids: list[int], since) -> list[ObjectivitySignal]:
    """The active objectivity signals of ``year_ids`` in ``municipalities`` computed from ``since`` on.

    «Что изменилось» after an import shows them (identification.selectors.import_changes). At most 50.
    """
    return list(
        ObjectivitySignal.objects.filter(
            is_active=True,
            year_id__in=year_ids,
            school__municipality__in=municipalities,
            computed_at__gte=since,
        )
        .select_related("school__organisation", "subject")
        .order_by("school__code", "kind")[:50]
    )
