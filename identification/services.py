"""Writes of identification: recompute, methodology versions, runs, approval into statuses."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from core.audit import audit_record
from core.errors import ApplicationError
from core.jobs.services import Claim, job_enqueue, job_finish, job_lock, job_run, job_sweep
from identification.engine import Evaluator
from identification.followups import recompute_followups
from identification.indicators import derived_figures_recompute, indicators_recompute
from identification.isbsh import scale_of
from identification.models import (
    ACTIVE,
    Criterion,
    Decision,
    IdentificationRun,
    IndicatorRecompute,
    Methodology,
    MethodologyVersion,
    RunResult,
    SchoolStatus,
    StatusKind,
    SupportEffect,
    TaskStatus,
)
from monitoring.models import ContextData, ImportJob, ParticipantResult, SchoolAggregate
from schools.models import AcademicYear, Municipality, Region, School

logger = logging.getLogger(__name__)


# The refusals' words (tests import them: core.errors).
NO_CRITERIA = "В методике должен быть хотя бы один критерий."
VERSION_NOT_FOR_YEAR = "Версия методики не применяется к {year} учебному году."
VERSION_WITHOUT_CRITERIA = "В версии методики нет критериев."
APPROVE_ONLY_PROPOSED = "Утвердить можно только школы, предложенные этим запуском."
APPROVE_NOT_ALLOWED = "Утверждать статусы может только управление образования."
APPROVE_REGIONAL_NOT_ALLOWED = "Региональный запуск утверждает региональный уровень своим приказом."
RUN_SCOPE_MISSING = "Выберите муниципалитет или регион."
REGIONAL_RUN_NOT_ALLOWED = "Региональное выявление запускает региональный уровень."
APPROVE_ONLY_DONE = "Утвердить можно только завершённый запуск."
DECISION_NUMBER_MISSING = "Укажите номер решения (приказа)."
STATUS_SET_NOT_ALLOWED = "Устанавливать статусы может только управление образования."
REASON_MISSING = "Укажите обоснование."
STATUS_EXISTS = "У школы уже есть такой статус на этот год."
REVOKE_NOT_ALLOWED = "Отменять статусы может только управление образования."
REVOKE_REASON_MISSING = "Укажите причину отмены."
STATUS_ALREADY_REVOKED = "Статус уже отменён."
RUN_DRAFT_NOT_APPROVABLE = (
    "Черновой запуск после загрузки только показывает, что изменилось; чтобы утвердить статусы, "
    "запустите выявление по методике."
)


class IdentificationRefused(ApplicationError):
    """An action the rules forbid; the message is for the user, in Russian."""


# --- Who may do what ----------------------------------------------------------------------------


def can_manage_identification(user: User) -> bool:
    """Runs, methodology edits, recompute and approval: the department only (DESIGN.md §3)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.role == Role.DEPARTMENT and user.municipality_id is not None)


def can_run_regional_identification(user: User) -> bool:
    """Regional runs and their approval by the region's own decision (DESIGN.md §3, issue #20)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.role == Role.REGION and user.region_id is not None)


def can_start_runs(user: User) -> bool:
    """A municipal run (the department) or a regional one (the region)."""
    return can_manage_identification(user) or can_run_regional_identification(user)


def can_read_identification(user: User) -> bool:
    """Runs and the municipal dashboard: the department, the region, the methodological centre."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role in (Role.DEPARTMENT, Role.REGION, Role.METHODOLOGIST)


# --- Indicator recompute ------------------------------------------------------------------------


def indicator_recompute_request(
    *, user: User | None, municipality: Municipality | None, import_job: ImportJob | None = None
) -> IndicatorRecompute:
    """Queue a recompute of a municipality's schools (all years) after commit."""
    schools = School.objects.filter(municipality=municipality) if municipality else School.objects.none()
    school_ids = list(schools.values_list("pk", flat=True))
    recompute = IndicatorRecompute.objects.create(
        municipality=municipality, requested_by=user, import_job=import_job, school_ids=school_ids
    )
    job_enqueue(recompute)
    return recompute


def indicators_after_import(*, job_id: int) -> IndicatorRecompute | None:
    """The import's hook: recompute the school-years a finished or rolled-back job touched.

    A done job's rows tell its school-years; a rolled-back job's rows are gone, so the
    school-years recorded by the recompute that followed it are reused, or else the job's
    scope (its school, or its municipality) for every year.
    """
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in (ImportJob.Status.DONE, ImportJob.Status.ROLLED_BACK):
        return None
    school_ids: set[int] = set()
    year_ids: set[int] = set()
    if job.status == ImportJob.Status.DONE:
        for model in (ParticipantResult, ContextData, SchoolAggregate):
            pairs = model.objects.filter(Q(import_job=job) | Q(replaced_by=job)).values_list("school_id", "year_id")
            for school_id, year_id in pairs.distinct():
                school_ids.add(school_id)
                year_ids.add(year_id)
    else:
        earlier = IndicatorRecompute.objects.filter(import_job=job).exclude(school_ids=[]).first()
        if earlier is not None:
            school_ids, year_ids = set(earlier.school_ids), set(earlier.year_ids)
        elif job.school_id:
            school_ids = {job.school_id}
        elif job.municipality_id:
            school_ids = set(School.objects.filter(municipality_id=job.municipality_id).values_list("pk", flat=True))
    if not school_ids:
        return None
    recompute = IndicatorRecompute.objects.create(
        municipality_id=job.municipality_id,
        import_job=job,
        school_ids=sorted(school_ids),
        year_ids=sorted(year_ids),
    )
    job_enqueue(recompute)
    return recompute


def indicator_recompute_run(*, recompute_id: int) -> IndicatorRecompute | None:
    """The Celery task's body; claims the recompute so a second delivery does nothing (core.jobs).

    The values and the recompute's «done» commit in one transaction, under a lock: two recomputes
    of the same schools one after the other, never interleaved (each replaces the values whole).
    """
    if not job_run(IndicatorRecompute, recompute_id, _recompute_work):
        return None
    return IndicatorRecompute.objects.get(pk=recompute_id)


def _recompute_work(claim: Claim) -> None:
    recompute = IndicatorRecompute.objects.get(pk=claim.pk)
    with transaction.atomic():
        job_lock("identification.indicators")
        written = indicators_recompute(
            school_ids=recompute.school_ids or None, year_ids=recompute.year_ids or None, progress=claim.progress
        )
        derived_figures_recompute(school_ids=recompute.school_ids or None, year_ids=recompute.year_ids or None)
        support_effects_recompute(school_ids=recompute.school_ids or None, year_ids=recompute.year_ids or None)
        job_finish(claim, values_written=written)
        # The claim was won and the values are in: what an import sets off next.
        recompute_followups(recompute_id=claim.pk)


# --- The support's effect, stored (issue #20) ---------------------------------------------------


def support_effects_recompute(*, school_ids: Iterable[int] | None = None, year_ids: Iterable[int] | None = None) -> int:
    """Store the support's effect (``selectors.support_effect``) of the municipalities and the
    regions the schools belong to (None — all), for the years whose inputs changed: the effect
    of a year reads that year and the one before, so a changed year feeds itself and the next.
    Called by what changes the inputs — the indicator recompute, the status decisions — in
    their transaction; the pages and reports read the row (``selectors.support_effect_for``).
    Returns the rows written."""
    from identification.selectors import EFFECT_OUTCOME, support_effect

    municipalities = Municipality.objects.filter(schools__isnull=False).distinct()
    if school_ids is not None:
        municipalities = municipalities.filter(schools__pk__in=list(school_ids))
    municipality_ids = sorted(set(municipalities.values_list("pk", flat=True)))
    region_ids = sorted(set(Municipality.objects.filter(pk__in=municipality_ids).values_list("region_id", flat=True)))
    years = list(AcademicYear.objects.order_by("start_year"))
    if year_ids is not None:
        changed = {year.start_year for year in years if year.pk in set(year_ids)}
        years = [year for year in years if year.start_year in changed or year.start_year - 1 in changed]
    if not municipality_ids or not years:
        return 0
    stale = SupportEffect.objects.filter(
        Q(municipality_id__in=municipality_ids) | Q(region_id__in=region_ids), year__in=years
    )
    stale._raw_delete(stale.db)
    scopes: list[dict] = [{"municipality_id": pk} for pk in municipality_ids] + [{"region_id": pk} for pk in region_ids]
    rows = []
    for scope in scopes:
        field = "municipality_id" if "municipality_id" in scope else "municipality__region_id"
        schools = School.objects.filter(**{field: next(iter(scope.values()))})
        for year in years:
            estimate = support_effect(schools=schools, year=year)
            rows.append(
                SupportEffect(
                    year=year,
                    outcome=EFFECT_OUTCOME,
                    effect=estimate.effect,
                    low=estimate.low,
                    high=estimate.high,
                    treated_change=estimate.treated_change,
                    control_change=estimate.control_change,
                    n_treated=estimate.n_treated,
                    n_control=estimate.n_control,
                    **scope,
                )
            )
    SupportEffect.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _statuses_changed(school_ids: Iterable[int], year: AcademicYear, kind: str) -> None:
    """A supported status (ШНОР/ШССУ) added or revoked: the effect of its year and the next."""
    if kind in StatusKind.supported():
        support_effects_recompute(school_ids=school_ids, year_ids=[year.pk])


# --- Methodology versions -----------------------------------------------------------------------


def methodology_version_save(
    *, version: MethodologyVersion, fields: dict, criteria: list[dict], user: User
) -> MethodologyVersion:
    """Save an edited version; a version some run used is kept as it was and the edit
    becomes the next version (runs keep pointing to the rules they were computed by)."""
    from schools.catalogues import may_edit_catalogue, refusal

    if not may_edit_catalogue(user, "identification.MethodologyVersion", region_id=version.methodology.region_id):
        raise IdentificationRefused(refusal("identification.MethodologyVersion"))
    if not criteria:
        raise IdentificationRefused(NO_CRITERIA)
    with transaction.atomic():
        methodology = version.methodology
        region_id = None if user.is_superuser else _region_of(user)
        if methodology.region_id is None and region_id is not None:
            # A shipped preset is shared by every region: the edit becomes the region's own copy.
            methodology, _ = Methodology.objects.get_or_create(
                name=methodology.name,
                region_id=region_id,
                defaults={"kind": methodology.kind, "description": methodology.description},
            )
            last = methodology.versions.order_by("-number").values_list("number", flat=True).first()
            version = MethodologyVersion(methodology=methodology, number=(last or 0) + 1)
        elif version.runs.exists():
            last = methodology.versions.order_by("-number").values_list("number", flat=True).first()
            version = MethodologyVersion(methodology=methodology, number=(last or 0) + 1)
        for name, value in fields.items():
            setattr(version, name, value)
        version.created_by = user
        version.save()
        version.criteria.all().delete()
        Criterion.objects.bulk_create(
            Criterion(version=version, order=position, **data) for position, data in enumerate(criteria)
        )
    return version


def _region_of(user: User) -> int | None:
    from identification.selectors import user_region_id

    return user_region_id(user)


# --- Runs ---------------------------------------------------------------------------------------


def identification_run_create(
    *,
    user: User | None,
    version: MethodologyVersion,
    year: AcademicYear,
    municipality: Municipality | None = None,
    region: Region | None = None,
) -> IdentificationRun:
    """Queue a run over a municipality's schools, or over every school of a region (the region
    role's regional run: pools and explanations as in a municipal run, approved by the region)."""
    if (municipality is None) == (region is None):
        raise IdentificationRefused(RUN_SCOPE_MISSING)
    if region is not None and user is not None and not can_run_regional_identification(user):
        raise IdentificationRefused(REGIONAL_RUN_NOT_ALLOWED)
    if not version.applies_to(year.start_year):
        raise IdentificationRefused(VERSION_NOT_FOR_YEAR.format(year=year.name))
    if not version.criteria.exists():
        raise IdentificationRefused(VERSION_WITHOUT_CRITERIA)
    run = IdentificationRun.objects.create(
        version=version, year=year, municipality=municipality, region=region, created_by=user
    )
    job_enqueue(run)
    return run


def identification_requeue_stale(*, now: datetime.datetime | None = None) -> list[tuple[str, int]]:
    """The job layer's sweep (core.jobs.services.job_sweep) over runs and recomputes.

    Both write their results in one transaction with their «done» status (a dead worker left
    nothing behind), and both claim ``status = queued`` before they work, so a resent job that
    is already done, or only slow, does nothing.
    """
    runs = job_sweep(IdentificationRun, now=now).ids
    recomputes = job_sweep(IndicatorRecompute, now=now).ids
    return [("run", pk) for pk in runs] + [("recompute", pk) for pk in recomputes]


def _run_schools(run: IdentificationRun) -> Q:
    """The schools a run covers: its municipality's, or every school of its region."""
    if run.region_id is not None:
        return Q(municipality__region_id=run.region_id)
    return Q(municipality_id=run.municipality_id)


def _candidates(run: IdentificationRun) -> list[int]:
    """The ids of the schools a run judges, in the order of their codes."""
    schools = School.objects.filter(_run_schools(run), is_active=True).order_by("code")
    if run.kind == StatusKind.EFFECTIVE:
        # Exit to effective functioning is judged for the schools in the programme: an active
        # ШНОР/ШССУ status in the run's year or the year before.
        supported = SchoolStatus.objects.filter(
            ACTIVE,
            kind__in=StatusKind.supported(),
            year__start_year__in=[run.year.start_year, run.year.start_year - 1],
        ).values("school_id")
        schools = schools.filter(pk__in=supported)
    return list(schools.values_list("pk", flat=True))


def identification_run_execute(*, run_id: int) -> IdentificationRun | None:
    """Judge every school of the municipality by the version's criteria; store the results."""
    if not job_run(IdentificationRun, run_id, _run_work):
        return None
    return IdentificationRun.objects.get(pk=run_id)


# Statuses that make a proposal of a kind pointless: a school already in the programme as ШНОР
# is worked with as ШНОР and is not proposed into the risk zone too (it would hold both). A
# status of the run's own kind does not pre-empt: the school stays proposed, and approving it
# again keeps it (the decision's «оставлено»).
PRE_EMPTING: dict[str, tuple[str, ...]] = {
    StatusKind.RISK_ZONE: (StatusKind.LOW_RESULTS,),
}
_HELD_PHRASE: dict[str, str] = {
    StatusKind.LOW_RESULTS: "уже ШНОР",
}


def held_statuses(*, kind: str, year: AcademicYear, school_ids: Iterable[int]) -> dict[int, str]:
    """School → the active status of the year that pre-empts a proposal of ``kind``."""
    kinds = PRE_EMPTING.get(kind, ())
    if not kinds:
        return {}
    rows = SchoolStatus.objects.filter(ACTIVE, year=year, kind__in=kinds, school_id__in=list(school_ids))
    held: dict[int, str] = {}
    for school_id, held_kind in rows.values_list("school_id", "kind"):
        # The first kind listed wins (ШНОР over «already in the risk zone»).
        if school_id not in held or kinds.index(held_kind) < kinds.index(held[school_id]):
            held[school_id] = held_kind
    return held


def _run_work(claim: Claim) -> None:
    run = IdentificationRun.objects.select_related("version__methodology", "year", "municipality").get(pk=claim.pk)
    results = _evaluate(run, claim)
    with transaction.atomic():
        RunResult.objects.bulk_create(results, batch_size=1000)
        job_finish(claim, schools_count=len(results), proposed_count=sum(result.proposed for result in results))


def _evaluate(run: IdentificationRun, claim: Claim) -> list[RunResult]:
    criteria = list(run.version.criteria.select_related("subject"))
    schools = _candidates(run)
    # A run has its municipality or its region (run_one_scope).
    if run.region_id is not None:
        region_id = run.region_id
    elif run.municipality is not None:
        region_id = run.municipality.region_id
    else:
        raise ValueError(f"run {run.pk} has neither a municipality nor a region")
    region_schools = School.objects.filter(municipality__region_id=region_id)
    pool_rows = list(region_schools.values_list("pk", "municipality_id"))
    # A regional run judges «within the municipality» criteria inside each school's own
    # municipality and «within the region» ones over the whole region: the same pools and
    # explanations a department's run of each municipality gives.
    pools = {
        "municipality": dict(pool_rows),
        "region": {pk: region_id for pk, _ in pool_rows},
    }
    pooled_schools = region_schools
    if run.region_id is None and all(criterion.pool == "municipality" for criterion in criteria):
        pools["municipality"] = {pk: m for pk, m in pools["municipality"].items() if m == run.municipality_id}
        pooled_schools = region_schools.filter(_run_schools(run))
    year_ids = dict(AcademicYear.objects.values_list("start_year", "pk"))
    evaluator = Evaluator(
        criteria=criteria,
        start_year=run.year.start_year,
        year_ids=year_ids,
        pool_schools=pools,
        max_interval_width=run.version.max_interval_width,
        pool_two_years=run.version.pool_two_years,
        isbsh_scale=scale_of(run.version),
        schools=pooled_schools.values("pk"),
    )
    evaluator.load()
    claim.progress(50)
    required = run.version.required_count or len(criteria)
    held = held_statuses(kind=run.kind, year=run.year, school_ids=schools)
    judged = [(criterion, criterion.subject.name if criterion.subject is not None else None) for criterion in criteria]
    results = []
    for school in schools:
        outcomes = [evaluator.judge(criterion, school, name) for criterion, name in judged]
        fired = [outcome for outcome in outcomes if outcome.fired]
        meets = len(fired) >= required
        proposed = meets and school not in held
        if meets and not proposed:
            explanation = (
                f"{_HELD_PHRASE[held[school]]} в {run.year.name} учебном году — повторно не предлагается. "
                + "; ".join(outcome.text for outcome in fired)
                + "."
            )
        elif proposed:
            explanation = "; ".join(outcome.text for outcome in fired) + "."
        elif fired:
            explanation = (
                f"Выполнено критериев: {len(fired)} из {required} необходимых: "
                + "; ".join(outcome.text for outcome in fired)
                + "."
            )
        else:
            explanation = "Критерии не выполняются."
        results.append(
            RunResult(
                run_id=run.pk,
                school_id=school,
                proposed=proposed,
                held_status=held[school] if meets and not proposed else "",
                fired_count=len(fired),
                insufficient=bool(outcomes) and all(outcome.value is None for outcome in outcomes),
                details=[outcome.as_dict() for outcome in outcomes],
                explanation=explanation[0].upper() + explanation[1:],
            )
        )
    return results


def runs_compare(*, run: IdentificationRun, earlier: IdentificationRun) -> tuple[list[RunResult], list[RunResult]]:
    """(entered, left): schools on the list of ``run`` and not of ``earlier``, and the reverse.

    «On the list» is proposed, or meeting the criteria while already holding the status (a
    school approved after the earlier run has not left the list).
    """
    listed = Q(proposed=True) | ~Q(held_status="")
    now = {r.school_id: r for r in run.results.filter(listed).select_related("school__organisation")}
    before = {r.school_id: r for r in earlier.results.filter(listed).select_related("school__organisation")}
    entered = [now[pk] for pk in now.keys() - before.keys()]
    left = [before[pk] for pk in before.keys() - now.keys()]
    key = lambda result: result.school.code  # noqa: E731
    return sorted(entered, key=key), sorted(left, key=key)


# --- Approval into statuses ---------------------------------------------------------------------


ALREADY_APPROVED = "Этот запуск уже утверждён приказом № {number} от {date:%d.%m.%Y}: обновите страницу."
APPROVED_CONCURRENTLY = (
    "Этот запуск только что утвердил другой пользователь: обновите страницу, чтобы увидеть его приказ."
)


@dataclass
class ApprovalPlan:
    """What approving a run changes against the statuses in force (of its kind, year and
    municipality): schools to add, statuses to keep and statuses to revoke."""

    add: list[RunResult]
    keep: list[SchoolStatus]
    revoke: list[SchoolStatus]

    @property
    def changes_nothing(self) -> bool:
        return not self.add and not self.revoke


def run_approval_plan(
    *, run: IdentificationRun, school_ids: Iterable[int], keep_ids: Iterable[int] = ()
) -> ApprovalPlan:
    """The plan of approving ``school_ids`` (proposals of the run); a status in force for a
    school not in the list is revoked unless its id is in ``keep_ids``."""
    wanted = set(school_ids)
    results = {
        r.school_id: r
        for r in run.results.filter(proposed=True, school_id__in=wanted).select_related("school__organisation")
    }
    if wanted - set(results):
        raise IdentificationRefused(APPROVE_ONLY_PROPOSED)
    run_schools = School.objects.filter(_run_schools(run)).values("pk")
    in_force = list(
        SchoolStatus.objects.filter(ACTIVE, year=run.year, kind=run.kind, school__in=run_schools)
        .select_related("school__organisation")
        .order_by("school__organisation__name")
    )
    holding = {status.school_id for status in in_force}
    kept_by_hand = set(keep_ids)
    return ApprovalPlan(
        add=sorted((results[pk] for pk in wanted - holding), key=lambda r: r.school.organisation.name),
        keep=[s for s in in_force if s.school_id in wanted or s.pk in kept_by_hand],
        revoke=[s for s in in_force if s.school_id not in wanted and s.pk not in kept_by_hand],
    )


def run_approve(
    *,
    run: IdentificationRun,
    school_ids: Iterable[int],
    decision_number: str,
    decision_date: datetime.date,
    user: User,
    keep_ids: Iterable[int] = (),
    decision_file=None,
) -> Decision:
    """Apply a run's list under one decision (приказ): add the selected proposals, keep the
    statuses in force that stay on the list, revoke the ones that dropped out.

    One decision per run: a second approval (another tab, another person, the same moment)
    is refused with a message; the run row is locked so the two do not interleave.
    """
    if run.is_regional:
        if not can_run_regional_identification(user):
            raise IdentificationRefused(APPROVE_REGIONAL_NOT_ALLOWED)
    elif not can_manage_identification(user):
        raise IdentificationRefused(APPROVE_NOT_ALLOWED)
    if run.status != TaskStatus.DONE:
        raise IdentificationRefused(APPROVE_ONLY_DONE)
    if run.is_draft:
        raise IdentificationRefused(RUN_DRAFT_NOT_APPROVABLE)
    if not decision_number.strip():
        raise IdentificationRefused(DECISION_NUMBER_MISSING)
    school_ids, keep_ids = list(school_ids), list(keep_ids)
    try:
        with transaction.atomic():
            IdentificationRun.objects.select_for_update().filter(pk=run.pk).first()
            earlier = Decision.objects.filter(run=run).first()
            if earlier is not None:
                raise IdentificationRefused(ALREADY_APPROVED.format(number=earlier.number, date=earlier.date))
            plan = run_approval_plan(run=run, school_ids=school_ids, keep_ids=keep_ids)
            decision = Decision.objects.create(
                municipality_id=run.municipality_id,
                region_id=run.region_id,
                year=run.year,
                kind=run.kind,
                number=decision_number.strip(),
                date=decision_date,
                run=run,
                kept=[status.pk for status in plan.keep],
                created_by=user,
            )
            if decision_file is not None:
                decision.file.save("order.pdf", decision_file, save=True)
            SchoolStatus.objects.bulk_create(
                SchoolStatus(
                    school_id=result.school_id,
                    year=run.year,
                    kind=run.kind,
                    source=SchoolStatus.Source.RUN,
                    run=run,
                    decision=decision,
                    decision_number=decision.number,
                    decision_date=decision_date,
                    reason=result.explanation,
                    approved_by=user,
                )
                for result in plan.add
            )
            revoked = SchoolStatus.objects.filter(ACTIVE, pk__in=[s.pk for s in plan.revoke]).update(
                revoked_at=timezone.now(),
                revoked_by=user,
                revoked_by_decision=decision,
                revoke_reason=f"Школа не вошла в список по приказу № {decision.number} от {decision_date:%d.%m.%Y}.",
            )
            changed = [result.school_id for result in plan.add] + [status.school_id for status in plan.revoke]
            _statuses_changed(changed, run.year, run.kind)
            audit_record(
                actor=user,
                action="identification.approved",
                target=run,
                municipality_id=run.municipality_id,
                details={
                    "decision_number": decision.number,
                    "kind": run.kind,
                    "region": run.region_id,
                    "added": len(plan.add),
                    "kept": len(plan.keep),
                    "revoked": revoked,
                },
            )
    except IntegrityError as exc:
        # The other approval committed between our check and our insert (the unique decision
        # per run, or a status the other one added): nothing of ours was written.
        raise IdentificationRefused(APPROVED_CONCURRENTLY) from exc
    return decision


def statuses_keep(*, statuses: Iterable[SchoolStatus], year: AcademicYear, was: AcademicYear) -> list[SchoolStatus]:
    """Keep statuses in force into ``year`` until the department's next decision: a row per
    status in the new year, with its decision, saying so (the next approval compares
    against them: add / keep / revoke)."""
    kept = SchoolStatus.objects.bulk_create(
        SchoolStatus(
            school_id=s.school_id,
            year=year,
            kind=s.kind,
            source=s.source,
            run=s.run,
            decision=s.decision,
            decision_number=s.decision_number,
            decision_date=s.decision_date,
            reason=f"Сохранён до нового решения: действовал в {was} году. {s.reason}".strip(),
            approved_by=s.approved_by,
        )
        for s in statuses
    )
    for kind in {status.kind for status in kept}:
        _statuses_changed([status.school_id for status in kept if status.kind == kind], year, kind)
    return kept


def status_set(
    *,
    school: School,
    year: AcademicYear,
    kind: str,
    reason: str,
    user: User,
    decision_number: str = "",
    decision_date: datetime.date | None = None,
) -> SchoolStatus:
    """Set a status by hand (with a reason), outside any run."""
    if not can_manage_identification(user):
        raise IdentificationRefused(STATUS_SET_NOT_ALLOWED)
    if not reason.strip():
        raise IdentificationRefused(REASON_MISSING)
    if SchoolStatus.objects.filter(ACTIVE, school=school, year=year, kind=kind).exists():
        raise IdentificationRefused(STATUS_EXISTS)
    with transaction.atomic():
        status = SchoolStatus.objects.create(
            school=school,
            year=year,
            kind=kind,
            source=SchoolStatus.Source.MANUAL,
            reason=reason.strip(),
            decision_number=decision_number.strip(),
            decision_date=decision_date,
            approved_by=user,
        )
        audit_record(
            actor=user,
            action="status.set",
            target=status,
            municipality_id=school.municipality_id,
            details={"kind": kind},
        )
        _statuses_changed([school.pk], year, kind)
    return status


def status_revoke(*, status: SchoolStatus, reason: str, user: User) -> SchoolStatus:
    """Revoke a status; the row stays (history), marked with who, when and why."""
    if not can_manage_identification(user):
        raise IdentificationRefused(REVOKE_NOT_ALLOWED)
    if not reason.strip():
        raise IdentificationRefused(REVOKE_REASON_MISSING)
    with transaction.atomic():
        claimed = SchoolStatus.objects.filter(ACTIVE, pk=status.pk).update(
            revoked_at=timezone.now(), revoked_by=user, revoke_reason=reason.strip()
        )
        if not claimed:
            raise IdentificationRefused(STATUS_ALREADY_REVOKED)
        audit_record(
            actor=user,
            action="status.revoked",
            target=status,
            municipality_id=status.school.municipality_id,
            details={"reason": reason.strip()},
        )
        _statuses_changed([status.school_id], status.year, status.kind)
    status.refresh_from_db()
    return status
