"""Writes of roadmaps, progress reports and reviews; who may do what is decided here.

Roles (DESIGN.md §3): the department writes the municipal roadmap, approves roadmaps,
sets reporting periods, accepts or returns reports and publishes; a director writes their
school's programme and files its progress; a curator comments on and reviews the roadmaps
and reports of the schools assigned to them (returns, never approves a roadmap).
A user outside the object's scope never reaches these functions: views fetch through
``roadmaps.selectors`` first (404). A role that may never act gets ``ActionForbidden`` (403).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from accounts.models import Role, User
from core.audit import audit_record
from core.errors import ApplicationError
from core.jobs.services import Claim, JobRetry, job_enqueue, job_finish, job_is_done, job_run, job_sweep
from roadmaps import hooks
from roadmaps.evidence import read_evidence
from roadmaps.models import (
    Evidence,
    Level,
    Measure,
    MeasureProgress,
    MeasureStatus,
    Notification,
    Objective,
    ObjectiveRating,
    ProgressReport,
    ReportingPeriod,
    ReviewComment,
    Roadmap,
)
from schools.models import AcademicYear, School

S = Roadmap.Status
R = ProgressReport.Status


class ActionForbidden(PermissionDenied):
    """The user's role may never do this (403)."""


class TransitionRefused(ApplicationError, ValueError):
    """The action is not possible now (e.g. approving a draft); the message is for the user."""


# The refusals' words (tests import them: core.errors).
ROADMAP_LOCKED = (
    "«{title}» в статусе «{status}»: менять её нельзя. Изменения возможны в черновике или после возврата на доработку."
)
YEARS_REVERSED = "Учебный год окончания раньше года начала."
GOAL_HAS_REPORTS = "По мероприятиям задачи уже есть отчёты: удалить её нельзя, отмените мероприятия."
MEASURE_HAS_REPORTS = "По мероприятию уже есть отчёты: отмените его (статус «Отменено»), а не удаляйте."
UNKNOWN_ACTION = "Неизвестное действие."
TRANSITION_NOT_NOW = "Нельзя {action}: «{title}» сейчас в статусе «{status}»."
EMPTY_ROADMAP = "Нельзя отправить пустую карту: добавьте хотя бы одну задачу с мероприятием."
RETURN_WITHOUT_COMMENT = "Напишите, что нужно исправить: без замечаний вернуть нельзя."
PUBLISH_ONLY_APPROVED = "Опубликовать можно только утверждённую дорожную карту."
PERIOD_DEADLINE_BEFORE_OPENING = "Срок сдачи не может быть раньше открытия периода."
PERIOD_EXISTS = "Период «{name}» уже есть."
REPORT_ONLY_APPROVED = "Отчитываться можно только по утверждённой программе."
PERIOD_OF_ANOTHER_MUNICIPALITY = "Этот отчётный период установлен для другого муниципалитета."
PERIOD_NOT_OPEN = "Период «{name}» откроется {opens_on:%d.%m.%Y}."
REPORT_LOCKED = "Отчёт в статусе «{status}»: изменить его можно после возврата на доработку."
REPORT_ALREADY_SUBMITTED = "Отчёт уже отправлен."
REPORT_RETURN_WITHOUT_COMMENT = "Напишите, что нужно исправить: без комментария вернуть отчёт нельзя."
REVIEW_ONLY_SUBMITTED = "Отчёт в статусе «{status}»: принять или вернуть можно только отправленный."
EMPTY_COMMENT = "Пустой комментарий."
MEASURE_NOT_IN_REPORT = "Мероприятие не из этого отчёта."
MEASURE_NOT_IN_PROGRAMME = "В форме мероприятие не из этой программы."
EVIDENCE_MISSING = "Для выполненных мероприятий нужны подтверждающие документы: {measures}."


class EditConflict(ApplicationError):
    """Somebody saved the report after this user opened it (optimistic lock)."""

    message = (
        "Отчёт уже изменил другой пользователь, пока вы его заполняли. Ваши данные не сохранены, "
        "но остались в форме: обновите страницу в другой вкладке, сверьте изменения и сохраните снова. "
        "Файлы нужно прикрепить заново."
    )


# --- Who may do what ------------------------------------------------------------------------


def _is_department_of(user: User, roadmap: Roadmap) -> bool:
    return user.is_superuser or (user.role == Role.DEPARTMENT and user.municipality_id == roadmap.municipality_id)


def _is_curator_of(user: User, school_id: int | None) -> bool:
    return user.role == Role.CURATOR and school_id is not None and user.curated_schools.filter(pk=school_id).exists()


def can_write(user: User, roadmap: Roadmap) -> bool:
    """The owner writes the content: the department a municipal roadmap, the director their school's
    programme, the teacher their own route. Status is checked separately (``Roadmap.is_editable``)."""
    if roadmap.level == Level.MUNICIPAL:
        return _is_department_of(user, roadmap)
    if roadmap.level == Level.SCHOOL:
        return user.is_superuser or (user.role == Role.DIRECTOR and user.school_id == roadmap.school_id)
    return user.is_superuser or user.pk == roadmap.teacher_id


def can_create_roadmap(user: User) -> bool:
    return (
        user.is_superuser
        or (user.role == Role.DEPARTMENT and user.municipality_id is not None)
        or (user.role == Role.DIRECTOR and user.school_id is not None)
    )


def can_manage_periods(user: User) -> bool:
    return user.is_superuser or (user.role == Role.DEPARTMENT and user.municipality_id is not None)


def can_review_roadmap(user: User, roadmap: Roadmap) -> bool:
    """Return with comments: the department, and the curator of the school."""
    return _is_department_of(user, roadmap) or (
        roadmap.level != Level.MUNICIPAL and _is_curator_of(user, roadmap.school_id)
    )


def can_review_report(user: User, report: ProgressReport) -> bool:
    return can_review_roadmap(user, report.roadmap)


def can_fill_report(user: User, roadmap: Roadmap) -> bool:
    return roadmap.level == Level.SCHOOL and can_write(user, roadmap)


# action: (allowed from, to, who may, Russian name of the action)
ROADMAP_TRANSITIONS = {
    "submit": ((S.DRAFT, S.RETURNED), S.SUBMITTED, can_write, "отправить на согласование"),
    "return": ((S.SUBMITTED,), S.RETURNED, can_review_roadmap, "вернуть на доработку"),
    "approve": ((S.SUBMITTED,), S.APPROVED, _is_department_of, "утвердить"),
    "complete": ((S.APPROVED,), S.COMPLETED, _is_department_of, "отметить выполненной"),
    "archive": ((S.DRAFT, S.RETURNED, S.APPROVED, S.COMPLETED), S.ARCHIVED, _is_department_of, "перенести в архив"),
}


def allowed_actions(user: User, roadmap: Roadmap) -> list[str]:
    actions = [
        name
        for name, (sources, _, who, _) in ROADMAP_TRANSITIONS.items()
        if roadmap.status in sources and who(user, roadmap)
    ]
    if _is_department_of(user, roadmap) and roadmap.status in (S.APPROVED, S.COMPLETED):
        actions.append("unpublish" if roadmap.is_published else "publish")
    return actions


# --- Notifications ----------------------------------------------------------------------------


def _emails(users) -> list[str]:
    return sorted({u.email for u in users if u.email and u.is_active})


def _directors_of(school_id: int | None):
    if school_id is None:
        return User.objects.none()
    return User.objects.filter(role=Role.DIRECTOR, school_id=school_id, is_active=True)


def _departments_of(municipality_id: int):
    return User.objects.filter(role=Role.DEPARTMENT, municipality_id=municipality_id, is_active=True)


def _curators_of(school_id: int | None):
    if school_id is None:
        return User.objects.none()
    return User.objects.filter(role=Role.CURATOR, curated_schools=school_id, is_active=True)


def notification_queue(*, kind: str, recipients: list[str], subject: str, body: str) -> Notification | None:
    """Store the letter and send it by a Celery task once the transaction commits."""
    if not recipients:
        return None
    notification = Notification.objects.create(kind=kind, recipients=recipients, subject=subject, body=body)
    job_enqueue(notification)
    return notification


LETTER_REFUSED = "Почтовый сервер не принял письмо; оно будет отправлено повторно."


def notification_send(*, notification_id: int) -> bool:
    """Send once (core.jobs claims the letter): a second delivery of the message sends nothing."""
    ran = job_run(Notification, notification_id, _notification_work)
    return ran and job_is_done(Notification, notification_id)


def _notification_work(claim: Claim) -> None:
    notification = Notification.objects.get(pk=claim.pk)
    try:
        send_mail(notification.subject, notification.body, None, notification.recipients)
    except Exception as exc:
        raise JobRetry(LETTER_REFUSED) from exc  # back to the queue: the sweep sends it again
    job_finish(claim, sent_at=timezone.now())


def notifications_resend_unsent(*, now: dt.datetime | None = None) -> list[int]:
    """The job layer's sweep over letters: sent again while they are news (Notification.RESEND_WITHIN)."""
    return job_sweep(Notification, now=now).ids


def _absolute(path: str) -> str:
    """A link a letter can carry: the portal's address (settings.SITE_URL) and the path."""
    return settings.SITE_URL.rstrip("/") + path


def _roadmap_notify(roadmap: Roadmap, action: str, actor: User, comment: str) -> None:
    link = _absolute(reverse("roadmaps:detail", args=[roadmap.pk]))
    if action == "submit":
        recipients = _departments_of(roadmap.municipality_id)
        if roadmap.level != Level.MUNICIPAL:
            recipients = recipients.union(_curators_of(roadmap.school_id))
        kind, subject = Notification.Kind.ROADMAP_SUBMITTED, f"На согласование: «{roadmap.title}»"
        text = f"{actor} отправил(а) на согласование «{roadmap.title}» ({roadmap.owner_display})."
    elif action in ("return", "approve"):
        recipients = _directors_of(roadmap.school_id) if roadmap.level != Level.MUNICIPAL else User.objects.none()
        recipients = recipients.union(User.objects.filter(pk=roadmap.created_by_id))
        if action == "return":
            kind, subject = Notification.Kind.ROADMAP_RETURNED, f"Возвращена на доработку: «{roadmap.title}»"
            text = f"{actor} вернул(а) «{roadmap.title}» на доработку.\nЗамечания: {comment}"
        else:
            kind, subject = Notification.Kind.ROADMAP_APPROVED, f"Утверждена: «{roadmap.title}»"
            text = f"{actor} утвердил(а) «{roadmap.title}»."
    else:
        return
    emails = [e for e in _emails(recipients) if e != actor.email]
    notification_queue(kind=kind, recipients=emails, subject=subject, body=f"{text}\n\nОткрыть: {link}\n")


# --- Roadmaps ---------------------------------------------------------------------------------


def _save(instance, user: User, **kwargs) -> None:
    """Save with the history's author set (simple-history reads ``_history_user``)."""
    instance._history_user = user
    instance.save(**kwargs)


def _require_editable(user: User, roadmap: Roadmap) -> None:
    if not can_write(user, roadmap):
        raise ActionForbidden
    if not roadmap.is_editable:
        raise TransitionRefused(ROADMAP_LOCKED.format(title=roadmap.title, status=roadmap.get_status_display()))


@transaction.atomic
def roadmap_create(
    *,
    user: User,
    title: str,
    start_year: AcademicYear,
    end_year: AcademicYear,
    school: School | None = None,
    based_on: Roadmap | None = None,
) -> Roadmap:
    """A municipal roadmap (department) or a school programme (the school's director), optionally a copy."""
    if end_year.start_year < start_year.start_year:
        raise TransitionRefused(YEARS_REVERSED)
    if school is None:
        if not (user.is_superuser or user.role == Role.DEPARTMENT) or not user.municipality_id:
            raise ActionForbidden
        roadmap = Roadmap(level=Level.MUNICIPAL, municipality_id=user.municipality_id)
    else:
        if not (user.is_superuser or (user.role == Role.DIRECTOR and user.school_id == school.pk)):
            raise ActionForbidden
        roadmap = Roadmap(level=Level.SCHOOL, school=school, municipality_id=school.municipality_id)
    roadmap.title = title
    roadmap.start_year = start_year
    roadmap.end_year = end_year
    roadmap.created_by = user
    roadmap.based_on = based_on
    _save(roadmap, user)
    if based_on is not None:
        _copy_content(source=based_on, target=roadmap, user=user)
    return roadmap


def _shift(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _copy_content(*, source: Roadmap, target: Roadmap, user: User) -> None:
    """Objectives and measures of ``source``, dates moved by the years between the two roadmaps."""
    years = target.start_year.start_year - source.start_year.start_year
    for objective in source.objectives.prefetch_related("measures"):
        measures = list(objective.measures.all())
        objective.pk = None
        objective.roadmap = target
        _save(objective, user)
        for measure in measures:
            measure.pk = None
            measure.objective = objective
            measure.roadmap = target
            measure.status = MeasureStatus.PLANNED
            measure.starts_on = _shift(measure.starts_on, years)
            measure.due_on = _shift(measure.due_on, years)
            _save(measure, user)


@transaction.atomic
def roadmap_update(*, roadmap: Roadmap, user: User, **fields) -> Roadmap:
    _require_editable(user, roadmap)
    for name, value in fields.items():
        setattr(roadmap, name, value)
    _save(roadmap, user)
    return roadmap


@transaction.atomic
def objective_add(*, roadmap: Roadmap, user: User, **fields) -> Objective:
    _require_editable(user, roadmap)
    order = roadmap.objectives.count()
    objective = Objective(roadmap=roadmap, order=order, **fields)
    objective.full_clean()
    _save(objective, user)
    return objective


@transaction.atomic
def objective_delete(*, objective: Objective, user: User) -> None:
    _require_editable(user, objective.roadmap)
    if MeasureProgress.objects.filter(measure__objective=objective).exists():
        raise TransitionRefused(GOAL_HAS_REPORTS)
    for measure in objective.measures.all():
        measure._history_user = user  # type: ignore[attr-defined]  # read by django-simple-history
        measure.delete()
    objective._history_user = user  # type: ignore[attr-defined]  # read by django-simple-history
    objective.delete()


@transaction.atomic
def measure_add(*, objective: Objective, user: User, **fields) -> Measure:
    roadmap = objective.roadmap
    _require_editable(user, roadmap)
    measure = Measure(objective=objective, roadmap=roadmap, order=objective.measures.count(), **fields)
    measure.full_clean()
    _save(measure, user)
    return measure


@transaction.atomic
def measure_delete(*, measure: Measure, user: User) -> None:
    _require_editable(user, measure.roadmap)
    if measure.progress.exists():
        raise TransitionRefused(MEASURE_HAS_REPORTS)
    measure._history_user = user  # type: ignore[attr-defined]  # read by django-simple-history
    measure.delete()


@transaction.atomic
def roadmap_transition(*, roadmap: Roadmap, user: User, action: str, comment: str = "") -> Roadmap:
    """Move the roadmap along draft → submitted → returned/approved → completed/archived."""
    if action in ("publish", "unpublish"):
        return roadmap_publish(roadmap=roadmap, user=user, publish=action == "publish")
    if action not in ROADMAP_TRANSITIONS:
        raise TransitionRefused(UNKNOWN_ACTION)
    sources, target, who, label = ROADMAP_TRANSITIONS[action]
    if not who(user, roadmap):
        raise ActionForbidden
    # Lock the row: two reviewers pressing at once must not both move it.
    locked = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    if locked.status not in sources:
        raise TransitionRefused(
            TRANSITION_NOT_NOW.format(action=label, title=roadmap.title, status=locked.get_status_display())
        )
    if action == "submit" and not locked.measures.exists():
        raise TransitionRefused(EMPTY_ROADMAP)
    if action == "return" and not comment.strip():
        raise TransitionRefused(RETURN_WITHOUT_COMMENT)
    now = timezone.now()
    roadmap.status = target
    if action == "submit":
        roadmap.submitted_at = now
    elif action == "return":
        roadmap.return_comment = comment.strip()
    elif action == "approve":
        roadmap.approved_by, roadmap.approved_at = user, now
    elif action == "archive":
        roadmap.published_at = None
    _save(roadmap, user)
    if action in ("approve", "return"):
        audit_record(
            actor=user,
            action=f"roadmap.{'approved' if action == 'approve' else 'returned'}",
            target=roadmap,
            municipality_id=roadmap.municipality_id,
            details={"замечания": comment.strip()} if comment.strip() else None,
        )
    if action == "approve":
        # Frozen PDF of the roadmap as approved (issue #9), rendered on commit by the reports queue.
        hooks.roadmap_approved.send(sender=Roadmap, roadmap=roadmap)
    _roadmap_notify(roadmap, action, user, comment.strip())
    return roadmap


@transaction.atomic
def roadmap_publish(*, roadmap: Roadmap, user: User, publish: bool) -> Roadmap:
    if not _is_department_of(user, roadmap):
        raise ActionForbidden
    if publish and roadmap.status not in (S.APPROVED, S.COMPLETED):
        raise TransitionRefused(PUBLISH_ONLY_APPROVED)
    roadmap.published_at = timezone.now() if publish else None
    _save(roadmap, user)
    return roadmap


# --- Reporting periods ---------------------------------------------------------------------------


@transaction.atomic
def period_create(*, user: User, name: str, opens_on: dt.date, due_on: dt.date) -> ReportingPeriod:
    if not can_manage_periods(user) or not user.municipality_id:
        raise ActionForbidden
    if due_on < opens_on:
        raise TransitionRefused(PERIOD_DEADLINE_BEFORE_OPENING)
    if ReportingPeriod.objects.filter(municipality_id=user.municipality_id, name=name).exists():
        raise TransitionRefused(PERIOD_EXISTS.format(name=name))
    return ReportingPeriod.objects.create(
        municipality_id=user.municipality_id, name=name, opens_on=opens_on, due_on=due_on, created_by=user
    )


@transaction.atomic
def period_update(
    *, period: ReportingPeriod, user: User, name: str, opens_on: dt.date, due_on: dt.date
) -> ReportingPeriod:
    """The department corrects its period (a typo, a moved deadline); the change is in the audit log.

    Escalation steps already sent stay (they were sent); the next run counts from the new date.
    """
    if not can_manage_periods(user) or (not user.is_superuser and user.municipality_id != period.municipality_id):
        raise ActionForbidden
    if due_on < opens_on:
        raise TransitionRefused(PERIOD_DEADLINE_BEFORE_OPENING)
    if ReportingPeriod.objects.filter(municipality_id=period.municipality_id, name=name).exclude(pk=period.pk).exists():
        raise TransitionRefused(PERIOD_EXISTS.format(name=name))
    before = {"name": period.name, "opens_on": period.opens_on, "due_on": period.due_on}
    period.name, period.opens_on, period.due_on = name, opens_on, due_on
    period.save(update_fields=["name", "opens_on", "due_on"])
    changes = {
        field: f"{old:%d.%m.%Y}" if isinstance(old, dt.date) else old
        for field, old in before.items()
        if old != getattr(period, field)
    }
    if changes:
        audit_record(
            actor=user,
            action="period.changed",
            target=period,
            municipality_id=period.municipality_id,
            details={f"{field}_before": value for field, value in changes.items()},
        )
    return period


@transaction.atomic
def period_publish(*, period: ReportingPeriod, user: User, publish: bool) -> ReportingPeriod:
    if not can_manage_periods(user) or (not user.is_superuser and user.municipality_id != period.municipality_id):
        raise ActionForbidden
    period.summary_published_at = timezone.now() if publish else None
    period.save(update_fields=["summary_published_at"])
    return period


# --- Progress reports -------------------------------------------------------------------------------


@transaction.atomic
def report_open(*, roadmap: Roadmap, period: ReportingPeriod, user: User) -> ProgressReport:
    """The report of a programme for a period; the director's first visit creates it with a row per measure."""
    existing = ProgressReport.objects.filter(roadmap=roadmap, period=period).first()
    if existing is not None:
        if existing.is_editable and can_fill_report(user, roadmap):
            _report_add_missing_rows(existing)
        return existing
    if not can_fill_report(user, roadmap):
        raise ActionForbidden
    if roadmap.status != S.APPROVED:
        raise TransitionRefused(REPORT_ONLY_APPROVED)
    if period.municipality_id != roadmap.municipality_id:
        raise TransitionRefused(PERIOD_OF_ANOTHER_MUNICIPALITY)
    if period.opens_on > timezone.localdate():
        raise TransitionRefused(PERIOD_NOT_OPEN.format(name=period.name, opens_on=period.opens_on))
    report, _ = ProgressReport.objects.get_or_create(roadmap=roadmap, period=period)
    _report_add_missing_rows(report)
    return report


def _report_add_missing_rows(report: ProgressReport) -> None:
    """A row for every measure of the programme not in the report yet (measures added after a return)."""
    present = report.items.values("measure_id")
    MeasureProgress.objects.bulk_create(
        MeasureProgress(
            report=report,
            measure=m,
            status=m.status,
        )
        for m in report.roadmap.measures.exclude(status=MeasureStatus.CANCELLED).exclude(pk__in=present)
    )


@dataclass
class ItemInput:
    status: str
    percent: int
    comment: str
    files: list  # uploaded files


def _require_fillable(user: User, report: ProgressReport) -> None:
    if not can_fill_report(user, report.roadmap):
        raise ActionForbidden
    if not report.is_editable:
        raise TransitionRefused(REPORT_LOCKED.format(status=report.get_status_display()))


def _claim_version(report: ProgressReport, version: int, user: User, **changes) -> None:
    """The optimistic lock: the save goes through only if nobody saved since ``version`` was read."""
    updated = ProgressReport.objects.filter(pk=report.pk, version=version, status__in=(R.DRAFT, R.RETURNED)).update(
        version=F("version") + 1, updated_at=timezone.now(), updated_by=user, **changes
    )
    if not updated:
        raise EditConflict
    report.refresh_from_db()


@transaction.atomic
def report_save(
    *,
    report: ProgressReport,
    user: User,
    version: int,
    self_assessment: str,
    items: dict[int, ItemInput],
    submit: bool = False,
) -> ProgressReport:
    """Save the director's form (and send it for review when ``submit``); all or nothing.

    Evidence files are checked by content before anything is written; on submit every
    measure that requires evidence and is reported done must have at least one file.
    """
    _require_fillable(user, report)
    rows = {item.measure_id: item for item in report.items.select_related("measure").prefetch_related("evidence")}
    files_checked = []
    for measure_id, data in items.items():
        if measure_id not in rows:
            raise TransitionRefused(MEASURE_NOT_IN_PROGRAMME)
        for upload in data.files:
            content, kind = read_evidence(upload, upload.name)
            files_checked.append((measure_id, upload.name, content, kind))
    if submit:
        with_new_files = {measure_id for measure_id, *_ in files_checked}
        missing = [
            row.measure.title
            for measure_id, row in rows.items()
            if row.measure.evidence_required
            and (items[measure_id].status if measure_id in items else row.status) == MeasureStatus.DONE
            and not row.evidence.all()
            and measure_id not in with_new_files
        ]
        if missing:
            raise TransitionRefused(EVIDENCE_MISSING.format(measures="; ".join(missing)))
    # Everything is checked: from here on the save either happens whole or is undone whole.
    _claim_version(report, version, user, self_assessment=self_assessment)
    changed = []
    for measure_id, data in items.items():
        row = rows[measure_id]
        row.status, row.percent, row.comment = data.status, data.percent, data.comment
        changed.append(row)
    MeasureProgress.objects.bulk_update(changed, ["status", "percent", "comment"])
    stored = []
    try:
        now = timezone.now()
        for measure_id, name, content, kind in files_checked:
            evidence = Evidence(
                item=rows[measure_id],
                token=secrets.token_hex(16),
                kind=kind,
                original_name=name[:255],
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                uploaded_by=user,
                uploaded_at=now,
            )
            evidence.file.save(f"{evidence.token}.{kind}", ContentFile(content), save=False)
            stored.append(evidence.file.name)
            evidence.save()
        if submit:
            report_submit(report=report, user=user)
    except BaseException:
        # The transaction rolls back the rows; the files it wrote must go too.
        for name in stored:
            Evidence.file.field.storage.delete(name)  # type: ignore[arg-type]  # names of files just stored
        raise
    return report


def report_submit(*, report: ProgressReport, user: User) -> ProgressReport:
    _require_fillable(user, report)
    updated = ProgressReport.objects.filter(pk=report.pk, status__in=(R.DRAFT, R.RETURNED)).update(
        status=R.SUBMITTED, submitted_at=timezone.now(), submitted_by=user, version=F("version") + 1
    )
    if not updated:
        raise TransitionRefused(REPORT_ALREADY_SUBMITTED)
    report.refresh_from_db()
    roadmap = report.roadmap
    # Frozen PDF of the report as submitted (issue #9), rendered on commit by the reports queue.
    hooks.progress_report_submitted.send(sender=ProgressReport, roadmap=roadmap, report=report)
    recipients = _emails(_departments_of(roadmap.municipality_id).union(_curators_of(roadmap.school_id)))
    notification_queue(
        kind=Notification.Kind.REPORT_SUBMITTED,
        recipients=recipients,
        subject=f"Отчёт за «{report.period.name}»: {roadmap.owner_display}",
        body=(
            f"{user} отправил(а) отчёт о ходе выполнения программы «{roadmap.title}» за «{report.period.name}».\n\n"
            f"Проверить: {_absolute(reverse('roadmaps:review', args=[report.pk]))}\n"
        ),
    )
    return report


@transaction.atomic
def report_review(
    *,
    report: ProgressReport,
    user: User,
    accept: bool,
    comment: str = "",
    measure_comments: dict[int, str] | None = None,
) -> ProgressReport:
    """Accept the report or return it with comments (on the whole and per measure)."""
    if not can_review_report(user, report):
        raise ActionForbidden
    measure_comments = {k: v.strip() for k, v in (measure_comments or {}).items() if v and v.strip()}
    if not accept and not (comment.strip() or measure_comments):
        raise TransitionRefused(REPORT_RETURN_WITHOUT_COMMENT)
    target = R.ACCEPTED if accept else R.RETURNED
    updated = ProgressReport.objects.filter(pk=report.pk, status=R.SUBMITTED).update(
        status=target, reviewed_at=timezone.now(), reviewed_by=user, version=F("version") + 1
    )
    if not updated:
        report.refresh_from_db()
        raise TransitionRefused(REVIEW_ONLY_SUBMITTED.format(status=report.get_status_display()))
    report.refresh_from_db()
    valid_measures = set(report.items.values_list("measure_id", flat=True))
    ReviewComment.objects.bulk_create(
        [ReviewComment(report=report, measure_id=None, author=user, text=comment.strip())] * bool(comment.strip())
        + [
            ReviewComment(report=report, measure_id=mid, author=user, text=text)
            for mid, text in measure_comments.items()
            if mid in valid_measures
        ]
    )
    roadmap = report.roadmap
    audit_record(
        actor=user,
        action="progress.accepted" if accept else "progress.returned",
        target=report,
        municipality_id=roadmap.municipality_id,
        details={"период": report.period.name},
    )
    if accept:
        _measures_take_reported_status(report=report, user=user)
        kind, subject = Notification.Kind.REPORT_ACCEPTED, f"Отчёт за «{report.period.name}» принят"
        text = f"{user} принял(а) отчёт по программе «{roadmap.title}» за «{report.period.name}»."
    else:
        kind, subject = Notification.Kind.REPORT_RETURNED, f"Отчёт за «{report.period.name}» возвращён"
        text = f"{user} вернул(а) отчёт по программе «{roadmap.title}» на доработку.\n{comment.strip()}"
    notification_queue(
        kind=kind,
        recipients=_emails(_directors_of(roadmap.school_id)),
        subject=subject,
        body=f"{text}\n\nОткрыть: {_absolute(reverse('roadmaps:review', args=[report.pk]))}\n",
    )
    return report


def _measures_take_reported_status(*, report: ProgressReport, user: User) -> None:
    """An accepted report is the truth about its measures: their status becomes the reported one."""
    measures = []
    for item in report.items.select_related("measure"):
        if item.measure.status != item.status:
            item.measure.status = item.status
            measures.append(item.measure)
    bulk_update_with_history(measures, Measure, ["status"], default_user=user)


UNKNOWN_RATING = "Неизвестная оценка."
OBJECTIVE_NOT_LINKED = "Эта задача не из отчёта или не связана с показателем из данных портала."
RATING_NEEDS_REASON = "Оценка отличается от рассчитанной по данным ({computed}): укажите причину в комментарии."


@transaction.atomic
def objective_rating_confirm(
    *, report: ProgressReport, objective_id: int, rating: str, user: User, comment: str = ""
) -> ObjectiveRating:
    """The curator confirms an objective's progress rating in a period's report (or sets another,
    with a reason). The rating computed from the data and the actual value are kept beside it."""
    from roadmaps.selectors import RATING_LABELS, objective_progress

    if not can_review_report(user, report):
        raise ActionForbidden
    if rating not in ObjectiveRating.Rating.values:
        raise TransitionRefused(UNKNOWN_RATING)
    row = next(
        (
            r
            for r in objective_progress(roadmap=report.roadmap, period=report.period)
            if r["objective"].pk == objective_id
        ),
        None,
    )
    if row is None:
        raise TransitionRefused(OBJECTIVE_NOT_LINKED)
    computed = row["rating"] or ""
    comment = comment.strip()
    if rating != computed and not comment:
        raise TransitionRefused(RATING_NEEDS_REASON.format(computed=RATING_LABELS.get(computed, "нет данных")))
    confirmed, _ = ObjectiveRating.objects.update_or_create(
        report=report,
        objective_id=objective_id,
        defaults={
            "rating": rating,
            "computed": computed,
            "actual": row["value"],
            "comment": comment,
            "confirmed_by": user,
        },
    )
    audit_record(
        actor=user,
        action="objective.rating_confirmed",
        target=confirmed,
        municipality_id=report.roadmap.municipality_id,
        details={"rating": rating, "computed": computed, "actual": row["value"], "comment": comment},
    )
    return confirmed


@transaction.atomic
def report_comment(*, report: ProgressReport, user: User, text: str, measure_id: int | None = None) -> ReviewComment:
    """A reply in a thread: the director or a reviewer writes under a measure or the whole report."""
    if not (can_fill_report(user, report.roadmap) or can_review_report(user, report)):
        raise ActionForbidden
    if not text.strip():
        raise TransitionRefused(EMPTY_COMMENT)
    if measure_id is not None and not report.items.filter(measure_id=measure_id).exists():
        raise TransitionRefused(MEASURE_NOT_IN_REPORT)
    return ReviewComment.objects.create(report=report, measure_id=measure_id, author=user, text=text.strip())


# --- Periodic jobs ------------------------------------------------------------------------------------


def periods_remind_due(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Remind directors who have not filed, ``days`` before a period is due; each period once.

    The period is claimed with ``UPDATE … WHERE reminder_sent_at IS NULL`` before any letter
    is written, so two beat runs (or two workers) never remind twice.
    """
    from django.conf import settings

    now = now or timezone.now()
    days = settings.ROADMAP_REMINDER_DAYS if days is None else days
    today = timezone.localdate(now)
    reminded = 0
    candidates = ReportingPeriod.objects.filter(
        reminder_sent_at__isnull=True, due_on__gte=today, due_on__lte=today + dt.timedelta(days=days)
    ).values_list("pk", flat=True)
    for period_id in list(candidates):
        with transaction.atomic():
            if not ReportingPeriod.objects.filter(pk=period_id, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                continue
            period = ReportingPeriod.objects.get(pk=period_id)
            filed = ProgressReport.objects.filter(period=period, status__in=(R.SUBMITTED, R.ACCEPTED)).values(
                "roadmap_id"
            )
            schools = (
                Roadmap.objects.filter(level=Level.SCHOOL, municipality=period.municipality, status=S.APPROVED)
                .exclude(pk__in=filed)
                .values("school_id")
            )
            recipients = _emails(User.objects.filter(role=Role.DIRECTOR, school_id__in=schools, is_active=True))
            notification_queue(
                kind=Notification.Kind.PERIOD_REMINDER,
                recipients=recipients,
                subject=f"Срок отчёта за «{period.name}» — {period.due_on:%d.%m.%Y}",
                body=(
                    f"Напоминаем: отчёт о ходе выполнения программы за «{period.name}» нужно отправить "
                    f"до {period.due_on:%d.%m.%Y}.\n\nПериоды: {_absolute(reverse('roadmaps:period_list'))}\n"
                ),
            )
            reminded += 1
    return reminded
