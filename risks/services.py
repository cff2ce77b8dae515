"""Writes of the risks app: recomputes, reviews of signals, the self-diagnosis, the factor catalogue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from accounts.models import Role, User
from core.errors import ApplicationError
from core.jobs.services import Claim, job_enqueue, job_finish, job_lock, job_run, job_sweep
from core.queue import RESEND_QUEUED_AFTER, enqueue_on_commit
from risks.models import (
    ObjectivitySignal,
    RecomputeJob,
    RiskFactor,
    RiskQuestion,
    SchoolRisk,
    SelfDiagnosis,
    SelfDiagnosisAnswer,
)
from risks.scoring import store_levels
from risks.signals import compute_signals
from schools.models import AcademicYear, School


class RiskActionRefused(ApplicationError):
    """A write the rules forbid; the message is Russian and shown to the user."""


# The refusals' words (tests import them: core.errors).
COMMENT_MISSING = "Напишите комментарий: что проверено и что выяснилось."
RECOMPUTE_NOT_ALLOWED = "Пересчёт запускает управление образования муниципалитета."
FACTOR_NOT_CURRENT = "Изменять можно только действующую версию фактора."
THRESHOLDS_REVERSED = "Порог среднего уровня не может быть выше порога высокого."
DIAGNOSIS_LOCKED = "Самодиагностика закрыта управлением образования: изменения не сохранены."
UNKNOWN_QUESTIONS = "Некоторые ответы не относятся к действующим вопросам: обновите страницу."
DIAGNOSIS_NOT_SUBMITTED = "Школа ещё не отправила самодиагностику."


def _year(year: AcademicYear | int) -> AcademicYear:
    return year if isinstance(year, AcademicYear) else AcademicYear.objects.get(pk=year)


def _school_ids(school_ids) -> list[int]:
    if school_ids is None:
        return list(School.objects.filter(is_active=True).values_list("pk", flat=True))
    return sorted(set(school_ids))


# --- objectivity signals -----------------------------------------------------------------------


@transaction.atomic
def objectivity_recompute(*, year: AcademicYear | int, school_ids: list[int] | None = None) -> int:
    """Recompute the signals of the schools (all when None) for the year; returns how many fire.

    Idempotent. A signal that no longer fires is kept inactive with its review, and comes back
    active (review kept) if it fires again — a person's check is never lost to a recompute.
    """
    year = _year(year)
    found = {f.key: f for f in compute_signals(year=year, school_ids=school_ids)}
    existing_qs = ObjectivitySignal.objects.filter(year=year)
    if school_ids is not None:
        existing_qs = existing_qs.filter(school_id__in=school_ids)
    existing = {(s.school_id, s.kind, s.subject_id, s.grade): s for s in existing_qs}
    create, update = [], []
    for key, f in found.items():
        row = existing.get(key)
        if row is None:
            create.append(
                ObjectivitySignal(
                    school_id=f.school_id,
                    year=year,
                    kind=f.kind,
                    subject_id=f.subject_id,
                    grade=f.grade,
                    value=f.value,
                    reference=f.reference,
                    participants=f.participants,
                    details=f.details,
                    explanation=f.explanation,
                )
            )
        elif (row.value, row.reference, row.participants, row.details, row.explanation, row.is_active) != (
            f.value,
            f.reference,
            f.participants,
            f.details,
            f.explanation,
            True,
        ):
            row.value, row.reference, row.participants = f.value, f.reference, f.participants
            row.details, row.explanation, row.is_active = f.details, f.explanation, True
            update.append(row)
    gone = [s.pk for key, s in existing.items() if key not in found and s.is_active]
    ObjectivitySignal.objects.bulk_create(create, batch_size=1000)
    ObjectivitySignal.objects.bulk_update(
        update, ["value", "reference", "participants", "details", "explanation", "is_active"], batch_size=1000
    )
    ObjectivitySignal.objects.filter(pk__in=gone).update(is_active=False)
    return len(found)


def signal_review(*, signal: ObjectivitySignal, user: User, review: str, comment: str) -> ObjectivitySignal:
    """A person's check of a signal (confirmed / explained, or reopened) with a comment."""
    if review != ObjectivitySignal.Review.OPEN and not comment.strip():
        raise RiskActionRefused(COMMENT_MISSING)
    signal.review = review
    signal.review_comment = comment.strip()
    signal.reviewed_by = user
    signal.reviewed_at = timezone.now()
    signal.save(update_fields=["review", "review_comment", "reviewed_by", "reviewed_at"])
    return signal


# --- risk profile ------------------------------------------------------------------------------


def current_factors() -> list[RiskFactor]:
    return list(RiskFactor.objects.filter(is_current=True).order_by("order", "code"))


@transaction.atomic
def risk_profile_compute(*, year: AcademicYear | int, school_ids: list[int] | None = None) -> int:
    """Recompute the risk levels of the schools (all active when None) for the year; idempotent."""
    return store_levels(year=_year(year), school_ids=_school_ids(school_ids), factors=current_factors())


def risks_recompute(*, year: AcademicYear | int, school_ids: list[int] | None = None) -> str:
    """Both recomputes; the post-import hook and the department's button call this."""
    year = _year(year)
    signals = objectivity_recompute(year=year, school_ids=school_ids)
    levels = risk_profile_compute(year=year, school_ids=school_ids)
    return f"Сигналов объективности: {signals}; обновлено уровней риска: {levels}."


def recompute_job_create(*, user: User, year: AcademicYear) -> RecomputeJob:
    if not user.municipality_id:
        raise RiskActionRefused(RECOMPUTE_NOT_ALLOWED)
    job = RecomputeJob.objects.create(year=year, municipality_id=user.municipality_id, requested_by=user)
    job_enqueue(job)
    return job


def recompute_jobs_after_import(*, municipality_years: dict[int, set[int]]) -> list[int]:
    """A recompute job per municipality and year an import's indicator recompute touched, queued
    on commit (identification.hooks.recompute_after_import_done); returns their ids."""
    written: list[int] = []
    for municipality_id, year_ids in sorted(municipality_years.items()):
        for year_id in sorted(year_ids):
            job = RecomputeJob.objects.create(year_id=year_id, municipality_id=municipality_id)
            job_enqueue(job)
            written.append(job.pk)
    return written


def recompute_job_run(*, job_id: int) -> bool:
    """The task's body (core.jobs): a second delivery finds the job no longer queued and does nothing.

    The levels and the job's «done» commit together; two recomputes of one municipality-year
    run one after the other (a lock), each replacing the same levels.
    """
    return job_run(RecomputeJob, job_id, _recompute_job_work)


def _recompute_job_work(claim: Claim) -> None:
    job = RecomputeJob.objects.get(pk=claim.pk)
    with transaction.atomic():
        job_lock(f"risks.recompute:{job.municipality_id}:{job.year_id}")
        ids = list(School.objects.filter(municipality_id=job.municipality_id).values_list("pk", flat=True))
        summary = risks_recompute(year=job.year, school_ids=ids)
        job_finish(claim, summary=summary)


# By name: services never import tasks (core.queue). Idempotent (it overwrites the same levels), so it
# needs no job row: the risks' sweep sends it again when a profile is older than its answers.
RECOMPUTE_SCHOOL_PROFILE = "risks.tasks.recompute_school_profile"

# Self-diagnoses changed this long ago are no longer looked at by the sweep (an old one whose
# profile a later factor edit left behind is the department's recompute's business).
PROFILE_SWEEP_WINDOW = dt.timedelta(days=2)


def risks_requeue_stale(*, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Send again the recomputes left «queued» (broker outage) or stuck «running», and recompute
    the risk profile of a submitted self-diagnosis whose profile is older than its answers.

    The profile of a self-diagnosis has no job row of its own: its levels' ``computed_at``
    older than the diagnosis's ``updated_at`` is what tells that the message was lost. Both
    recomputes are idempotent (they overwrite the same levels), so a resend does no harm.
    """
    now = now or timezone.now()
    return {"jobs": job_sweep(RecomputeJob, now=now).ids, "profiles": risk_profiles_resend_behind(now=now)}


def risk_profiles_resend_behind(*, now: dt.datetime | None = None) -> list[int]:
    """Recompute the profile of each submitted self-diagnosis whose levels are older than its answers
    (the message was lost: the profile has no job row of its own). The periodic part of the risks'
    sweep; their recompute jobs are swept with every other job kind (core.tasks.sweep_jobs)."""
    now = now or timezone.now()
    behind: list[int] = []
    if not RiskFactor.objects.filter(is_current=True).exists():
        return behind
    diagnoses = SelfDiagnosis.objects.exclude(status=SelfDiagnosis.Status.DRAFT).filter(
        updated_at__lt=now - RESEND_QUEUED_AFTER, updated_at__gte=now - PROFILE_SWEEP_WINDOW
    )
    for diagnosis in diagnoses.only("pk", "school_id", "year_id", "updated_at"):
        computed = SchoolRisk.objects.filter(school_id=diagnosis.school_id, year_id=diagnosis.year_id).aggregate(
            last=Max("computed_at")
        )["last"]
        if computed is None or computed < diagnosis.updated_at:
            enqueue_on_commit(RECOMPUTE_SCHOOL_PROFILE, diagnosis.year_id, diagnosis.school_id)
            behind.append(diagnosis.pk)
    return behind


# --- self-diagnosis ----------------------------------------------------------------------------


def self_diagnosis_save(
    *, school: School, year: AcademicYear, user: User, answers: dict[int, int], submit: bool
) -> SelfDiagnosis:
    """Save the director's answers (saving twice is safe); ``submit`` sends it to the department.

    Editable (also after submitting) until the department locks it. Answers only to questions of
    current factor versions are accepted.
    """
    with transaction.atomic():
        diagnosis, _ = SelfDiagnosis.objects.select_for_update().get_or_create(
            school=school, year=year, defaults={"updated_by": user}
        )
        if diagnosis.status == SelfDiagnosis.Status.LOCKED:
            raise RiskActionRefused(DIAGNOSIS_LOCKED)
        valid = set(RiskQuestion.objects.filter(factor__is_current=True, pk__in=answers).values_list("pk", flat=True))
        bad = [q for q, v in answers.items() if q not in valid or v not in (1, 2, 3, 4)]
        if bad:
            raise RiskActionRefused(UNKNOWN_QUESTIONS)
        existing = {a.question_id: a for a in diagnosis.answers.all()}
        create = [
            SelfDiagnosisAnswer(diagnosis=diagnosis, question_id=q, value=v)
            for q, v in answers.items()
            if q not in existing
        ]
        update = []
        for q, v in answers.items():
            if q in existing and existing[q].value != v:
                existing[q].value = v
                update.append(existing[q])
        SelfDiagnosisAnswer.objects.bulk_create(create)
        SelfDiagnosisAnswer.objects.bulk_update(update, ["value"])
        diagnosis.updated_by = user
        if submit and diagnosis.status == SelfDiagnosis.Status.DRAFT:
            diagnosis.status = SelfDiagnosis.Status.SUBMITTED
            diagnosis.submitted_at = timezone.now()
        diagnosis.save()
        if diagnosis.status != SelfDiagnosis.Status.DRAFT:
            enqueue_on_commit(RECOMPUTE_SCHOOL_PROFILE, year.pk, school.pk)
    return diagnosis


def self_diagnosis_set_locked(*, diagnosis: SelfDiagnosis, user: User, locked: bool) -> SelfDiagnosis:
    if locked:
        if diagnosis.status == SelfDiagnosis.Status.DRAFT:
            raise RiskActionRefused(DIAGNOSIS_NOT_SUBMITTED)
        diagnosis.status, diagnosis.locked_at, diagnosis.locked_by = SelfDiagnosis.Status.LOCKED, timezone.now(), user
    else:
        diagnosis.status, diagnosis.locked_at, diagnosis.locked_by = SelfDiagnosis.Status.SUBMITTED, None, None
    diagnosis.save(update_fields=["status", "locked_at", "locked_by", "updated_at"])
    return diagnosis


# --- catalogue ---------------------------------------------------------------------------------


def risk_factor_is_used(factor: RiskFactor) -> bool:
    return (
        SchoolRisk.objects.filter(factor=factor).exists()
        or SelfDiagnosisAnswer.objects.filter(question__factor=factor).exists()
    )


@transaction.atomic
def risk_factor_update(
    *,
    factor: RiskFactor,
    user: User,
    name: str,
    description: str,
    data_source: str,
    medium_from: Decimal | None,
    high_from: Decimal | None,
    questions: list[str],
) -> RiskFactor:
    """Change a factor. A version already used by a stored level or an answer is not touched: a new
    version is made (questions copied from the form) and becomes current."""
    from schools.catalogues import may_edit_catalogue, refusal

    if not may_edit_catalogue(user, "risks.RiskFactor"):
        raise RiskActionRefused(refusal("risks.RiskFactor"))
    if not factor.is_current:
        raise RiskActionRefused(FACTOR_NOT_CURRENT)
    if medium_from is not None and high_from is not None and medium_from > high_from:
        raise RiskActionRefused(THRESHOLDS_REVERSED)
    if risk_factor_is_used(factor):
        RiskFactor.objects.filter(pk=factor.pk).update(is_current=False)
        factor = RiskFactor.objects.create(
            code=factor.code,
            version=factor.version + 1,
            order=factor.order,
            name=name,
            description=description,
            data_source=data_source,
            medium_from=medium_from,
            high_from=high_from,
            created_by=user,
        )
    else:
        factor.name, factor.description, factor.data_source = name, description, data_source
        factor.medium_from, factor.high_from = medium_from, high_from
        factor.save()
        factor.questions.all().delete()
    RiskQuestion.objects.bulk_create(
        [RiskQuestion(factor=factor, order=i, text=text) for i, text in enumerate(questions, 1)]
    )
    return factor


def schools_with_results(*, year: AcademicYear):
    from monitoring.models import CURRENT, ParticipantResult

    return School.objects.filter(Exists(ParticipantResult.objects.filter(CURRENT, year=year, school_id=OuterRef("pk"))))


def can_review_signals(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role == Role.DEPARTMENT)
