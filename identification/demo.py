"""The demo district's identification: indicators, runs, approved lists, one proposal left to decide.

Runs after the monitoring demo (core.extensions.FEATURE_APPS order), so the demo results
and context data are there when they exist. Deterministic (no randomness at all: the list
follows from the data) and idempotent: indicators are computed once, a run is made only for
a (methodology, year) the district has none for, and approval skips existing statuses.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef

from accounts.models import User
from identification import services
from identification.indicators import derived_figures_recompute, indicators_recompute
from identification.models import (
    ACTIVE,
    IdentificationRun,
    IndicatorValue,
    MethodologyVersion,
    SchoolStatus,
    StatusKind,
)
from monitoring.models import CURRENT, ParticipantResult
from schools.demo import HOME
from schools.models import AcademicYear, Municipality, School

DEMO_KINDS = (StatusKind.LOW_RESULTS, StatusKind.DIFFICULT_CONDITIONS)
# Decisions of the demo department: last year's and this year's order.
DECISION_NUMBERS = {False: "112-од", True: "87-од"}


def _latest_version(kind: str, region_id: int) -> MethodologyVersion | None:
    """The region's own methodology of the kind if it has one, else the shipped preset."""
    versions = MethodologyVersion.objects.filter(methodology__kind=kind)
    own = versions.filter(methodology__region_id=region_id).order_by("-number", "-pk").first()
    return own or versions.filter(methodology__region__isnull=True).order_by("-number", "-pk").first()


CRITERION_FIELDS = (
    "indicator",
    "subject",
    "grade",
    "pool",
    "operator",
    "value",
    "min_participants",
    "consecutive_years",
)


def _two_years_version(region_id: int) -> MethodologyVersion | None:
    """The region's own ШНОР methodology with the small-school option «объединять два года»
    (issue #18 item 5), made once from the shipped preset through the page's service, as the
    region's specialist would: a small school too small even with the grades of a level pooled
    is judged by the year and the year before together, marked so in the run's explanation."""
    version = _latest_version(StatusKind.LOW_RESULTS, region_id)
    if version is None or version.pool_two_years:
        return version
    user = User.objects.filter(username="region", region_id=region_id).first()
    if user is None:
        return version
    criteria = [{name: getattr(c, name) for name in CRITERION_FIELDS} for c in version.criteria.order_by("order")]
    fields = {"pool_two_years": True}
    return services.methodology_version_save(version=version, fields=fields, criteria=criteria, user=user)


def _run(*, version: MethodologyVersion, year: AcademicYear, municipality: Municipality, user) -> IdentificationRun:
    existing = IdentificationRun.objects.filter(
        municipality=municipality, year=year, version__methodology=version.methodology
    ).first()
    if existing is not None:
        return existing
    run = IdentificationRun.objects.create(version=version, year=year, municipality=municipality, created_by=user)
    # Synchronously: seed_demo must leave a finished state, with or without a worker.
    return services.identification_run_execute(run_id=run.pk) or run


def demo_seed() -> str:
    municipality = Municipality.objects.filter(oktmo=HOME.oktmo).first()
    current = AcademicYear.current()
    if municipality is None or current is None:
        return "Выявление: демо-район не найден, пропущено."
    # The lists are decided on results: the latest year the district has them for (in the
    # autumn that is last year — the current year's ВПР come in the spring, monitoring.demo).
    has_results = ParticipantResult.objects.filter(CURRENT, school__municipality=municipality, year=OuterRef("pk"))
    latest = (
        AcademicYear.objects.filter(Exists(has_results), start_year__lte=current.start_year)
        .order_by("-start_year")
        .first()
        or current
    )
    previous = AcademicYear.objects.filter(start_year=latest.start_year - 1).first()
    user = User.objects.filter(username="uo").first()
    school_ids = list(School.objects.filter(municipality=municipality).values_list("pk", flat=True))
    if not IndicatorValue.objects.filter(school_id__in=school_ids).exists():
        indicators_recompute(school_ids=school_ids)
        derived_figures_recompute(school_ids=school_ids)
        services.support_effects_recompute(school_ids=school_ids)
    values = IndicatorValue.objects.filter(school_id__in=school_ids).count()
    if not values:
        # Runs over no data would propose nobody and, being kept, block a later seed with data.
        return "Выявление: в демо-районе ещё нет результатов и контекстных данных — запуски не созданы."

    # Both years' ШНОР/ШССУ lists are approved, so the support (roadmaps, partners, routes) has
    # its schools; the latest year's high-result list (partner candidates) too; the risk zone is
    # left as a proposal for the department to decide on. When the current year has no results
    # yet, the latest year's statuses are kept into it until the next decision, as opening
    # the year does (roadmaps.yearly).
    years = [year for year in (previous, latest) if year is not None]
    if not IdentificationRun.objects.filter(municipality=municipality).exists():
        _two_years_version(municipality.region_id)
    for year in years:
        for kind in (*DEMO_KINDS, *((StatusKind.HIGH_RESULTS,) if year == latest else ())):
            version = _latest_version(kind, municipality.region_id)
            if version is None:
                continue
            run = _run(version=version, year=year, municipality=municipality, user=user)
            proposed = list(run.results.filter(proposed=True).values_list("school_id", flat=True))
            if proposed and user is not None and not run.statuses.exists():
                services.run_approve(
                    run=run,
                    school_ids=proposed,
                    decision_number=DECISION_NUMBERS[year == latest],
                    decision_date=datetime.date(year.start_year, 9, 1),
                    user=user,
                )
    if (
        latest != current
        and not SchoolStatus.objects.filter(ACTIVE, year=current, school__municipality=municipality).exists()
    ):
        in_force = SchoolStatus.objects.filter(ACTIVE, year=latest, school__municipality=municipality)
        services.statuses_keep(statuses=list(in_force), year=current, was=latest)
    approved = {
        kind: SchoolStatus.objects.filter(
            year=current, kind=kind, school__municipality=municipality, revoked_at__isnull=True
        ).count()
        for kind in (*DEMO_KINDS, StatusKind.HIGH_RESULTS)
    }
    pending = 0
    risk_version = _latest_version(StatusKind.RISK_ZONE, municipality.region_id)
    if risk_version is not None:
        pending = _run(version=risk_version, year=latest, municipality=municipality, user=user).proposed_count
    return (
        f"Выявление: значений показателей {values}; списки за {', '.join(y.name for y in years)} утверждены"
        f"{'' if latest == current else f' и сохранены в {current.name} до нового решения'}, "
        f"в {current.name}: ШНОР — {approved[StatusKind.LOW_RESULTS]}, "
        f"ШССУ — {approved[StatusKind.DIFFICULT_CONDITIONS]}, школ с высокими результатами — "
        f"{approved[StatusKind.HIGH_RESULTS]}; зона риска ждёт решения: предложено {pending}."
    )
