"""Reads of the partnerships app: scoped agreements, candidates, matching, dashboard figures.

Matching (issue #6) ranks the candidates for one supported school by four things, and
every number that moves the rank is shown to the department as a reason:

* complementary strength — subjects where the candidate's share of «2» is lower than the
  supported school's by ``MIN_GAP`` p.p. or more (and its mean mark is higher);
* skill strength (issue #18) — the supported school's weak skills (by the task catalogue:
  ``analytics.selectors.skill_figures``, the school analytics page's sums) on which the
  candidate is strong (``FAR_BELOW_PP`` above the municipality): the share of those skills;
* similar context — the same settlement kind, a similar size, close social shares from
  ``ContextData`` («schools like you»);
* distance — haversine between the organisations' coordinates, when both have them;
* load — signed and active agreements of the candidate against the municipality's cap;
  a candidate at the cap stays in the list (the department should see why) but last and
  not selectable, and the service refuses it anyway.

Per-subject figures come from ``subject_figures`` below — THE ONE PLACE to switch to the
identification app's indicator store once it keeps per-school values; until then it is a
set-based aggregate over the current ``ParticipantResult`` rows (DESIGN.md §7: groups of
fewer than 10 participants do not count).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from accounts.models import Role
from analytics.selectors import SkillFigure, skill_figures
from core.text import decimal, plural
from identification.models import ACTIVE, SchoolStatus, StatusKind
from identification.selectors import supported_schools
from monitoring.models import CURRENT, ContextData, ParticipantResult, Procedure
from partnerships.models import (
    DEFAULT_AGREEMENT_CAP,
    DEFAULT_YEARLY_TARGET,
    Agreement,
    AgreementEvent,
    PartnerCandidate,
    PartnershipSettings,
)
from schools.models import AcademicYear, Municipality, Organisation, School

MIN_GROUP = 10  # DESIGN.md §7: only groups of ≥ 10 participants count
MIN_GAP = 5.0  # p.p. of «2» that make a difference worth naming
MATCH_PROCEDURES = (Procedure.VPR, Procedure.OGE)
# Weights of the five parts of the score (they sum to 1; complementarity matters most).
W_STRENGTH, W_SKILL, W_CONTEXT, W_DISTANCE, W_CAPACITY = 0.35, 0.25, 0.15, 0.15, 0.1
NEAR_KM = 100.0  # beyond this distance the distance part is 0
CONTEXT_SHARES = (
    "low_income_share",
    "ovz_share",
    "non_native_share",
    "single_parent_share",
    "preventive_register_share",
)


# --- Scope ------------------------------------------------------------------------------


def agreements_for(user) -> QuerySet[Agreement]:
    """Agreements the user may read: the department's municipality, the region, both parties' directors."""
    qs = Agreement.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in (Role.DEPARTMENT, Role.METHODOLOGIST):
        return qs.filter(municipality_id=user.municipality_id) if user.municipality_id else qs.none()
    if user.role == Role.REGION:
        return qs.filter(municipality__region_id=user.region_id) if user.region_id else qs.none()
    if user.role == Role.CURATOR:
        return qs.filter(supported_school__curators=user)
    if user.role == Role.DIRECTOR and user.school_id:
        as_partner = Agreement.partners.through.objects.filter(
            agreement_id=OuterRef("pk"), organisation__school__pk=user.school_id
        )
        return qs.filter(Q(supported_school_id=user.school_id) | Exists(as_partner))
    return qs.none()


def can_manage_agreements(user) -> bool:
    """The department manages agreements (DESIGN.md §3); no query."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.role == Role.DEPARTMENT and user.municipality_id is not None)


def agreements_managed_by(user) -> QuerySet[Agreement]:
    if not can_manage_agreements(user):
        return Agreement.objects.none()
    return agreements_for(user)


def agreement_list(*, user) -> QuerySet[Agreement]:
    return (
        agreements_for(user)
        .select_related("supported_school__organisation", "municipality")
        .prefetch_related(Prefetch("partners", queryset=Organisation.objects.order_by("name")), "subjects")
    )


def agreement_get(*, user, pk: int) -> Agreement:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(agreement_list(user=user), pk=pk)


def agreement_history(*, agreement: Agreement) -> QuerySet[AgreementEvent]:
    return agreement.events.select_related("by")


# --- Settings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Numbers:
    agreement_cap: int
    yearly_target: int


def settings_of(municipality_id: int) -> Numbers:
    row = PartnershipSettings.objects.filter(municipality_id=municipality_id).first()
    if row is None:
        return Numbers(DEFAULT_AGREEMENT_CAP, DEFAULT_YEARLY_TARGET)
    return Numbers(row.agreement_cap, row.yearly_target)


def partner_loads(organisation_ids) -> dict[int, int]:
    """Signed and active agreements per organisation, in every municipality."""
    rows = (
        Agreement.partners.through.objects.filter(
            organisation_id__in=list(organisation_ids), agreement__status__in=Agreement.LOADING
        )
        .values("organisation_id")
        .annotate(n=Count("agreement_id"))
    )
    return {row["organisation_id"]: row["n"] for row in rows}


# --- Candidates ---------------------------------------------------------------------------


@dataclass
class Candidate:
    organisation: Organisation
    school: School | None
    note: str = ""

    @property
    def kind_label(self) -> str:
        if self.school is not None:
            return "школа с высокими результатами"
        return self.organisation.get_kind_display()


def candidates_for(*, municipality_id: int, year: AcademicYear | None) -> list[Candidate]:
    """High-result schools of the year (approved statuses) and the organisations the department added."""
    found: dict[int, Candidate] = {}
    if year is not None:
        strong = SchoolStatus.objects.filter(ACTIVE, year=year, kind=StatusKind.HIGH_RESULTS).values("school_id")
        for school in School.objects.filter(
            municipality_id=municipality_id, is_active=True, pk__in=strong
        ).select_related("organisation"):
            found[school.organisation_id] = Candidate(organisation=school.organisation, school=school)
    for added in PartnerCandidate.objects.filter(municipality_id=municipality_id).select_related(
        "organisation__school"
    ):
        if added.organisation_id in found:
            found[added.organisation_id].note = added.strengths
            continue
        found[added.organisation_id] = Candidate(
            organisation=added.organisation, school=getattr(added.organisation, "school", None), note=added.strengths
        )
    return sorted(found.values(), key=lambda c: c.organisation.display_name)


def added_candidates(*, municipality_id: int) -> QuerySet[PartnerCandidate]:
    return PartnerCandidate.objects.filter(municipality_id=municipality_id).select_related("organisation")


# --- Per-subject figures (switch to the indicator store here) -----------------------------


@dataclass(frozen=True)
class SubjectFigure:
    procedure: str
    subject_id: int
    subject_name: str
    participants: int
    share_2: float  # per cent of participants with «2»
    mean: float


def results_year(*, school: School, at_most: AcademicYear | None) -> AcademicYear | None:
    """The latest year (not after ``at_most``) in which the school has ВПР/ОГЭ results."""
    qs = ParticipantResult.objects.filter(CURRENT, school=school, procedure__in=MATCH_PROCEDURES)
    if at_most is not None:
        qs = qs.filter(year__start_year__lte=at_most.start_year)
    year_id = qs.order_by("-year__start_year").values_list("year_id", flat=True).first()
    return AcademicYear.objects.filter(pk=year_id).first() if year_id else None


def subject_figures(*, school_ids, year: AcademicYear) -> dict[int, dict[tuple[str, int], SubjectFigure]]:
    """Share of «2» and mean mark per school, procedure (ВПР, ОГЭ) and subject, grades pooled.

    One aggregate query. A (school, procedure, subject, grade) group under ``MIN_GROUP``
    participants is dropped before pooling, so a tiny class never makes a school look
    strong or weak.
    """
    rows = (
        ParticipantResult.objects.filter(
            CURRENT,
            year=year,
            school_id__in=list(school_ids),
            procedure__in=MATCH_PROCEDURES,
            mark__isnull=False,
        )
        .values("school_id", "procedure", "subject_id", "subject__name", "grade")
        .annotate(n=Count("id"), twos=Count("id", filter=Q(mark=2)), marks=Sum("mark"))
        .order_by()
    )
    pooled: dict[tuple[int, str, int], list] = {}
    for row in rows:
        if row["n"] < MIN_GROUP:
            continue
        key = (row["school_id"], row["procedure"], row["subject_id"])
        acc = pooled.setdefault(key, [row["subject__name"], 0, 0, 0])
        acc[1] += row["n"]
        acc[2] += row["twos"]
        acc[3] += row["marks"]
    figures: dict[int, dict[tuple[str, int], SubjectFigure]] = {}
    for (school_id, procedure, subject_id), (name, n, twos, marks) in pooled.items():
        figures.setdefault(school_id, {})[(procedure, subject_id)] = SubjectFigure(
            procedure=procedure,
            subject_id=subject_id,
            subject_name=name,
            participants=n,
            share_2=100.0 * twos / n,
            mean=marks / n,
        )
    return figures


def latest_context(*, school_ids, year: AcademicYear | None) -> dict[int, ContextData]:
    """The newest current context row per school, not after ``year``."""
    qs = ContextData.objects.filter(CURRENT, school_id__in=list(school_ids))
    if year is not None:
        qs = qs.filter(year__start_year__lte=year.start_year)
    found: dict[int, ContextData] = {}
    for row in qs.order_by("school_id", "-year__start_year"):
        found.setdefault(row.school_id, row)
    return found


# --- Matching -----------------------------------------------------------------------------


@dataclass
class Suggestion:
    candidate: Candidate
    score: int  # 0–100
    reasons: list[str] = field(default_factory=list)
    strengths: list[tuple[float, str]] = field(default_factory=list)
    distance_km: float | None = None
    load: int = 0
    cap: int = DEFAULT_AGREEMENT_CAP
    available: bool = True

    @property
    def organisation(self) -> Organisation:
        return self.candidate.organisation


# «по математике»: the subject in the dative; a name we do not know is quoted instead.
_DATIVE = {
    "русский язык": "русскому языку",
    "математика": "математике",
    "алгебра": "алгебре",
    "геометрия": "геометрии",
    "физика": "физике",
    "химия": "химии",
    "биология": "биологии",
    "география": "географии",
    "история": "истории",
    "обществознание": "обществознанию",
    "информатика": "информатике",
    "литература": "литературе",
    "окружающий мир": "окружающему миру",
    "английский язык": "английскому языку",
    "немецкий язык": "немецкому языку",
    "французский язык": "французскому языку",
}


def subject_dative(name: str) -> str:
    return _DATIVE.get(name.strip().lower(), f"предмету «{name}»")


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _distance(a: Organisation, b: Organisation) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)


def _strengths(
    weak: dict[tuple[str, int], SubjectFigure], strong: dict[tuple[str, int], SubjectFigure]
) -> list[tuple[float, str]]:
    found = []
    for key, mine in weak.items():
        theirs = strong.get(key)
        if theirs is None:
            continue
        gap = mine.share_2 - theirs.share_2
        if gap >= MIN_GAP and theirs.mean > mine.mean:
            procedure = Procedure(mine.procedure).label
            text = (
                f"сильнее по {subject_dative(mine.subject_name)} ({procedure}): доля «2» "
                f"{decimal(theirs.share_2)}% против {decimal(mine.share_2)}%"
            )
            found.append((gap, text))
    found.sort(key=lambda item: -item[0])
    return found


def _skill_strengths(weak: list[SkillFigure], theirs: list[SkillFigure]) -> list[tuple[SkillFigure, SkillFigure]]:
    """(the school's weak skill, the candidate's figure) where the candidate is strong on it."""
    by_key = {(f.procedure, f.subject_name, f.grade, f.skill): f for f in theirs}
    found = []
    for mine in weak:
        other = by_key.get((mine.procedure, mine.subject_name, mine.grade, mine.skill))
        if other is not None and other.strong and other.school > mine.school:
            found.append((mine, other))
    found.sort(key=lambda pair: -(pair[1].school - pair[0].school))
    return found


def _skill_reason(found: list[tuple[SkillFigure, SkillFigure]], weak_count: int) -> str:
    shown = "; ".join(
        f"«{mine.skill}» ({Procedure(mine.procedure).label}, {mine.subject_name.lower()}, {mine.grade} кл.) "
        f"{decimal(other.school)}% против {decimal(mine.school)}%"
        for mine, other in found[:3]
    )
    more = f"; и ещё {len(found) - 3}" if len(found) > 3 else ""
    return f"сильнее в слабых умениях школы ({len(found)} из {weak_count}): {shown}{more}"


def _size(school: School, context: ContextData | None) -> int | None:
    if context is not None and context.contingent:
        return context.contingent
    return school.contingent


def _context_similarity(
    mine: School, theirs: School, my_context: ContextData | None, their_context: ContextData | None
) -> tuple[float, str | None]:
    score, said = 0.0, []
    if mine.settlement == theirs.settlement:
        score += 0.4
        said.append(theirs.get_settlement_display().lower())
    my_size, their_size = _size(mine, my_context), _size(theirs, their_context)
    if my_size and their_size and min(my_size, their_size) / max(my_size, their_size) >= 0.5:
        score += 0.3
        said.append(f"{their_size} {plural(their_size, 'ученик', 'ученика', 'учеников')}")
    if my_context is not None and their_context is not None:
        diffs = [
            abs(Decimal(getattr(my_context, name)) - Decimal(getattr(their_context, name)))
            for name in CONTEXT_SHARES
            if getattr(my_context, name) is not None and getattr(their_context, name) is not None
        ]
        if diffs:
            mean_diff = float(sum(diffs) / len(diffs))
            if mean_diff <= 10:
                score += 0.3 * (1 - mean_diff / 10)
                said.append(f"близкий социальный состав (разница долей {decimal(mean_diff)} п.п.)")
    if not said:
        return 0.0, None
    return score, "похожие условия: " + ", ".join(said)


def match_candidates(*, school: School, year: AcademicYear | None = None) -> list[Suggestion]:
    """Ranked partner suggestions for a supported school; a bounded number of queries."""
    year = year or AcademicYear.current()
    school = School.objects.select_related("organisation").get(pk=school.pk)
    candidates = [
        c
        for c in candidates_for(municipality_id=school.municipality_id, year=year)
        if c.organisation.pk != school.organisation_id
    ]
    if not candidates:
        return []
    numbers = settings_of(school.municipality_id)
    loads = partner_loads(c.organisation.pk for c in candidates)
    candidate_school_ids = [c.school.pk for c in candidates if c.school is not None]
    data_year = results_year(school=school, at_most=year)
    figures = subject_figures(school_ids=[school.pk, *candidate_school_ids], year=data_year) if data_year else {}
    contexts = latest_context(school_ids=[school.pk, *candidate_school_ids], year=year)
    mine = figures.get(school.pk, {})
    skills = {}
    if data_year:
        skills = skill_figures(
            school_ids=[school.pk, *candidate_school_ids], year=data_year, municipality_id=school.municipality_id
        )
    weak_skills = [figure for figure in skills.get(school.pk, []) if figure.weak]

    suggestions = []
    for candidate in candidates:
        reasons: list[str] = []
        strength_score = skill_score = context_score = distance_score = 0.0
        strengths: list[tuple[float, str]] = []
        if candidate.school is not None:
            strengths = _strengths(mine, figures.get(candidate.school.pk, {}))
            strength_score = min(1.0, sum(gap for gap, _ in strengths) / 40.0)
            reasons.extend(text for _, text in strengths[:3])
            strong_skills = _skill_strengths(weak_skills, skills.get(candidate.school.pk, []))
            if strong_skills:
                skill_score = len(strong_skills) / len(weak_skills)
                reasons.append(_skill_reason(strong_skills, len(weak_skills)))
            context_score, said = _context_similarity(
                school, candidate.school, contexts.get(school.pk), contexts.get(candidate.school.pk)
            )
            if said:
                reasons.append(said)
        else:
            reasons.append(candidate.kind_label.lower() + (f": {candidate.note}" if candidate.note else ""))
        distance = _distance(school.organisation, candidate.organisation)
        if distance is not None:
            distance_score = max(0.0, 1 - distance / NEAR_KM)
            reasons.append(f"{decimal(distance, 0)} км")
        load = loads.get(candidate.organisation.pk, 0)
        available = load < numbers.agreement_cap
        capacity_score = max(0.0, 1 - load / numbers.agreement_cap)
        word = plural(load, "действующий договор", "действующих договора", "действующих договоров")
        if available:
            reasons.append(f"{load} {word} из {numbers.agreement_cap}")
        else:
            reasons.append(f"нагрузка исчерпана: {load} {word} из {numbers.agreement_cap}")
        score = (
            W_STRENGTH * strength_score
            + W_SKILL * skill_score
            + W_CONTEXT * context_score
            + W_DISTANCE * distance_score
            + W_CAPACITY * capacity_score
        )
        suggestions.append(
            Suggestion(
                candidate=candidate,
                score=round(100 * score),
                reasons=reasons,
                strengths=strengths,
                distance_km=distance,
                load=load,
                cap=numbers.agreement_cap,
                available=available,
            )
        )
    suggestions.sort(key=lambda s: (not s.available, -s.score, s.organisation.display_name))
    return suggestions


def weak_subjects(*, school: School, year: AcademicYear | None = None) -> list[SubjectFigure]:
    """The supported school's own figures, worst first (shown above the suggestions)."""
    data_year = results_year(school=school, at_most=year or AcademicYear.current())
    if data_year is None:
        return []
    mine = subject_figures(school_ids=[school.pk], year=data_year).get(school.pk, {})
    return sorted(mine.values(), key=lambda f: -f.share_2)


# --- Supported schools and the dashboard --------------------------------------------------


SUPPORTED_SORTS = {
    "name": "по названию",
    "without_partner": "сначала без действующего партнёра",
    "agreements": "больше договоров",
}
_SUPPORTED_ORDER = {
    "name": ("organisation__name", "pk"),
    "without_partner": ("has_active_partner", "organisation__name", "pk"),
    "agreements": ("-agreements_count", "organisation__name", "pk"),
}


def supported_schools_with_partners(*, user, sort: str = "name") -> QuerySet[School]:
    from schools.scopes import schools_for

    active = Agreement.objects.filter(supported_school=OuterRef("pk"), status=Agreement.Status.ACTIVE)
    return (
        supported_schools(schools=schools_for(user))
        .select_related("organisation")
        .annotate(
            has_active_partner=Exists(active),
            agreements_count=Count("support_agreements", distinct=True),
        )
        .order_by(*_SUPPORTED_ORDER.get(sort, _SUPPORTED_ORDER["name"]))
    )


def academic_year_bounds(year: AcademicYear) -> tuple[date, date]:
    return year.starts_on, year.ends_on


@dataclass(frozen=True)
class DashboardFigures:
    year: AcademicYear | None
    new_agreements: int
    target: int
    supported: int
    supported_with_partner: int

    @property
    def target_percent(self) -> int:
        return min(100, round(100 * self.new_agreements / self.target)) if self.target else 0

    @property
    def target_bucket(self) -> int:
        """The percent rounded down to a Bootstrap width class (w-25 …), no inline style."""
        return (self.target_percent // 25) * 25

    @property
    def partner_share(self) -> float | None:
        if not self.supported:
            return None
        return 100.0 * self.supported_with_partner / self.supported


def dashboard_figures(*, municipality: Municipality, year: AcademicYear | None = None) -> DashboardFigures:
    """New agreements of the academic year against the target; supported schools with an active partner.

    An agreement is «new this year» when it was signed (its date falls within 1 September –
    31 August of the year) and is past the draft stage, whatever happened to it later.
    """
    year = year or AcademicYear.current()
    numbers = settings_of(municipality.pk)
    if year is None:
        return DashboardFigures(None, 0, numbers.yearly_target, 0, 0)
    start, end = academic_year_bounds(year)
    new = (
        Agreement.objects.filter(municipality=municipality, signed_on__range=(start, end))
        .exclude(status=Agreement.Status.DRAFT)
        .count()
    )
    supported = supported_schools(schools=School.objects.filter(municipality=municipality), year=year)
    active = Agreement.objects.filter(
        supported_school=OuterRef("pk"), status=Agreement.Status.ACTIVE, partners__isnull=False
    )
    counts = supported.aggregate(total=Count("pk"), with_partner=Count("pk", filter=Exists(active)))
    return DashboardFigures(year, new, numbers.yearly_target, counts["total"], counts["with_partner"])


def schools_with_active_partner(*, school_ids) -> set[int]:
    """Of ``school_ids``, the supported schools with an active agreement that names a partner.

    The programme's KPI «с действующим партнёром» (identification.selectors.programme_kpis).
    """
    return set(
        Agreement.objects.filter(
            supported_school_id__in=school_ids, status=Agreement.Status.ACTIVE, partners__isnull=False
        ).values_list("supported_school_id", flat=True)
    )


# --- The supported school's figures before and after an agreement (issue #19, item 4) -------------

AGREEMENT_INDICATORS = ("vpr_share_2", "vpr_mean_mark", "vpr_confirmed", "oge_share_2", "oge_mean_mark")


def _academic_start(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def agreement_indicators(*, agreement: Agreement) -> dict | None:
    """The supported school's stored indicators (identification) the academic year before the
    agreement started and in the latest year with data from its start to its end, beside the
    municipality's means of the same years (``IndicatorMean``): the change read against the
    district's. None when the agreement has no dates. Two queries."""
    from identification.catalogue import BY_CODE, format_value
    from identification.models import IndicatorMean, IndicatorValue

    start = agreement.starts_on or agreement.signed_on
    if start is None:
        return None
    first = _academic_start(start)
    last = _academic_start(agreement.ends_on) if agreement.ends_on else None
    years = Q(year__start_year__gte=first - 1) & (Q(year__start_year__lte=last) if last is not None else Q())
    own: dict[int, dict[str, float]] = {}
    for code, start_year, value in IndicatorValue.objects.filter(
        years,
        school_id=agreement.supported_school_id,
        subject__isnull=True,
        grade__isnull=True,
        indicator__in=AGREEMENT_INDICATORS,
    ).values_list("indicator", "year__start_year", "value"):
        own.setdefault(start_year, {})[code] = value
    before = first - 1 if first - 1 in own else None
    after = max((y for y in own if y >= first), default=None)
    means: dict[int, dict[str, float]] = {}
    wanted = [y for y in (before, after) if y is not None]
    if wanted:
        for code, start_year, value in IndicatorMean.objects.filter(
            municipality_id=agreement.municipality_id, year__start_year__in=wanted, indicator__in=AGREEMENT_INDICATORS
        ).values_list("indicator", "year__start_year", "value"):
            means.setdefault(start_year, {})[code] = value

    def change(a: float | None, b: float | None, unit: str) -> str:
        if a is None or b is None:
            return "—"
        text = format_value(abs(b - a), unit).rstrip("%")
        return text if text.strip("0,") == "" else ("+" if b > a else "−") + text

    rows = []
    for code in AGREEMENT_INDICATORS:
        spec = BY_CODE[code]
        was = own.get(before, {}).get(code) if before is not None else None
        now = own.get(after, {}).get(code) if after is not None else None
        if was is None and now is None:
            continue
        m_was = means.get(before, {}).get(code) if before is not None else None
        m_now = means.get(after, {}).get(code) if after is not None else None
        improved = None
        if was is not None and now is not None and now != was:
            improved = (now > was) == spec.higher_is_better
        rows.append(
            {
                "spec": spec,
                "before": format_value(was, spec.unit),
                "after": format_value(now, spec.unit),
                "change": change(was, now, spec.unit),
                "improved": improved,
                "muni_before": format_value(m_was, spec.unit),
                "muni_after": format_value(m_now, spec.unit),
                "muni_change": change(m_was, m_now, spec.unit),
            }
        )
    return {
        "before": f"{before}/{before + 1}" if before is not None else None,
        "after": f"{after}/{after + 1}" if after is not None else None,
        "first": f"{first}/{first + 1}",
        "rows": rows,
    }
