"""The department opens the next school year for its municipality.

What opening does (each part safe to repeat: a second opening changes nothing):

* the academic year after the current one exists (``AcademicYear``; it becomes current on its
  1 September, schools.years);
* reporting periods follow last year's pattern: every period of the municipality due in the
  current year gets its counterpart a year later, the years in its name moved too;
* school programmes that end with the current year are either carried forward (their last
  year becomes the new one, measures and reports stay) or restarted (a new draft programme
  based on the old one, with its objectives and measures a year later, for the director to
  adapt and submit);
* statuses in force are kept into the new year until the department's next decision: each
  active status of the current year gets a row in the new year saying so, and the next
  approval compares against them (add / keep / revoke).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import Role, User
from core.audit import audit_record
from identification.models import ACTIVE, SchoolStatus
from identification.services import statuses_keep
from roadmaps.models import Level, Measure, Objective, ReportingPeriod, Roadmap
from roadmaps.services import ActionForbidden, TransitionRefused
from schools.catalogues import may_edit_catalogue
from schools.models import AcademicYear, Municipality

CARRY = "carry"
RESTART = "restart"
NO_CURRENT_YEAR = "Текущий учебный год не открыт: откройте его в реестре учебных лет."
CHOOSE_PROGRAMMES = "Выберите: продлить программы или начать новые."


@dataclass
class YearOpening:
    """What opening the next year does (or did) in one municipality."""

    current: AcademicYear
    next_start: int
    periods: list[tuple[str, dt.date, dt.date]] = field(default_factory=list)
    programmes: list[Roadmap] = field(default_factory=list)
    statuses: list[SchoolStatus] = field(default_factory=list)
    year_exists: bool = False

    @property
    def next_name(self) -> str:
        return f"{self.next_start}/{self.next_start + 1}"


def _a_year_later(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _name_a_year_later(name: str) -> str:
    return re.sub(r"\b(20\d\d)\b", lambda m: str(int(m.group(1)) + 1), name)


def year_opening_plan(*, municipality: Municipality) -> YearOpening:
    current = AcademicYear.current()
    if current is None:
        raise TransitionRefused(NO_CURRENT_YEAR)
    plan = YearOpening(current=current, next_start=current.start_year + 1)
    plan.year_exists = AcademicYear.objects.filter(start_year=plan.next_start).exists()
    names = set(ReportingPeriod.objects.filter(municipality=municipality).values_list("name", flat=True))
    for period in ReportingPeriod.objects.filter(
        municipality=municipality, due_on__gte=current.starts_on, due_on__lte=current.ends_on
    ).order_by("due_on"):
        name = _name_a_year_later(period.name)
        if name == period.name:
            name = f"{period.name} ({plan.next_name})"
        if name not in names:
            plan.periods.append((name, _a_year_later(period.opens_on), _a_year_later(period.due_on)))
    plan.programmes = list(
        Roadmap.objects.filter(
            level=Level.SCHOOL, municipality=municipality, end_year=current, status=Roadmap.Status.APPROVED
        )
        .select_related("school__organisation")
        .order_by("school__organisation__name")
    )
    carried = SchoolStatus.objects.filter(ACTIVE, year__start_year=plan.next_start, school__municipality=municipality)
    held = set(carried.values_list("school_id", "kind"))
    plan.statuses = [
        s
        for s in SchoolStatus.objects.filter(ACTIVE, year=current, school__municipality=municipality).select_related(
            "school__organisation"
        )
        if (s.school_id, s.kind) not in held
    ]
    return plan


def _restart(old: Roadmap, *, year: AcademicYear, user: User) -> Roadmap:
    new = Roadmap(
        level=Level.SCHOOL,
        municipality_id=old.municipality_id,
        school_id=old.school_id,
        title=_name_a_year_later(old.title),
        start_year=year,
        end_year=year,
        status=Roadmap.Status.DRAFT,
        based_on=old,
        created_by=user,
    )
    new._history_user = user
    new.save()
    for objective in old.objectives.prefetch_related("measures"):
        copy = Objective.objects.create(
            roadmap=new,
            direction=objective.direction,
            title=objective.title,
            risk_factor_code=objective.risk_factor_code,
            indicator=objective.indicator,
            unit=objective.unit,
            baseline_value=objective.target_value,
            target_value=objective.target_value,
            order=objective.order,
        )
        for measure in objective.measures.all():
            Measure.objects.create(
                objective=copy,
                roadmap=new,
                title=measure.title,
                description=measure.description,
                responsible=measure.responsible,
                responsible_organisation_id=measure.responsible_organisation_id,
                starts_on=_a_year_later(measure.starts_on),
                due_on=_a_year_later(measure.due_on),
                expected_result=measure.expected_result,
                evidence_required=measure.evidence_required,
                order=measure.order,
            )
    return new


def school_year_open(*, user: User, municipality: Municipality, programmes: str = CARRY) -> YearOpening:
    """Open the next year for the municipality: the year, periods, programmes and statuses."""
    if not (user.is_superuser or (user.role == Role.DEPARTMENT and user.municipality_id == municipality.pk)):
        raise ActionForbidden
    if not may_edit_catalogue(user, "schools.AcademicYear"):
        raise ActionForbidden
    if programmes not in (CARRY, RESTART):
        raise TransitionRefused(CHOOSE_PROGRAMMES)
    with transaction.atomic():
        plan = year_opening_plan(municipality=municipality)
        year, _ = AcademicYear.objects.get_or_create(start_year=plan.next_start)
        for name, opens_on, due_on in plan.periods:
            ReportingPeriod.objects.create(
                municipality=municipality, name=name, opens_on=opens_on, due_on=due_on, created_by=user
            )
        restarted = 0
        for old in plan.programmes:
            if programmes == CARRY:
                Roadmap.objects.filter(pk=old.pk).update(end_year=year)
            else:
                _restart(old, year=year, user=user)
                restarted += 1
        statuses_keep(statuses=plan.statuses, year=year, was=plan.current)
        audit_record(
            actor=user,
            action="year.opened",
            target=year,
            municipality_id=municipality.pk,
            details={
                "periods": len(plan.periods),
                "programmes_carried": len(plan.programmes) - restarted,
                "programmes_restarted": restarted,
                "statuses_kept": len(plan.statuses),
            },
        )
    return plan
