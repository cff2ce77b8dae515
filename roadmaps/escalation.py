"""Escalation of a missing progress report: the director, then the curator, then the department.

A school with an approved programme that has not filed (submitted or accepted) its report for
a period past its due date gets, each once:

1. a reminder to its director the day after the due date;
2. after ``curator_after_days`` a notice to its curators;
3. after ``department_after_days`` a notice to the department.

N and M are set per municipality (``EscalationSettings``). Each step is written as an
``EscalationStep`` row in the same transaction as its letter; the unique step per school
and period makes a second run of the beat job (or a second worker) send nothing twice.
The period page lists the steps.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from roadmaps.models import (
    EscalationSettings,
    EscalationStep,
    Level,
    Notification,
    ProgressReport,
    ReportingPeriod,
    Roadmap,
)
from roadmaps.services import _absolute, _emails, notification_queue

DEFAULTS = EscalationSettings(curator_after_days=3, department_after_days=7)
Step = EscalationStep.Step


def settings_for(municipality_id: int) -> EscalationSettings:
    return EscalationSettings.objects.filter(municipality_id=municipality_id).first() or DEFAULTS


def steps_due(*, period: ReportingPeriod, today: dt.date, rules: EscalationSettings) -> list[str]:
    """The steps whose day has come for a report of ``period`` still missing on ``today``."""
    late = (today - period.due_on).days
    steps = []
    if late >= 1:
        steps.append(Step.DIRECTOR)
    if late >= rules.curator_after_days:
        steps.append(Step.CURATOR)
    if late >= rules.department_after_days:
        steps.append(Step.DEPARTMENT)
    return steps


def missing_schools(period: ReportingPeriod):
    """Schools with an approved programme and no submitted or accepted report for the period."""
    filed = ProgressReport.objects.filter(
        period=period, status__in=(ProgressReport.Status.SUBMITTED, ProgressReport.Status.ACCEPTED)
    ).values("roadmap_id")
    return (
        Roadmap.objects.filter(level=Level.SCHOOL, municipality=period.municipality, status=Roadmap.Status.APPROVED)
        .exclude(pk__in=filed)
        .select_related("school__organisation")
    )


def _letter(step: str, period: ReportingPeriod, school, late: int) -> tuple[str, list[str], str, str]:
    link = _absolute(reverse("roadmaps:period_detail", args=[period.pk]))
    name = school.organisation.display_name
    if step == Step.DIRECTOR:
        users = User.objects.filter(role=Role.DIRECTOR, school=school, is_active=True)
        return (
            Notification.Kind.REPORT_OVERDUE,
            _emails(users),
            f"Отчёт за «{period.name}» не сдан",
            f"Срок отчёта о ходе выполнения программы за «{period.name}» истёк {period.due_on:%d.%m.%Y}. "
            f"Отправьте отчёт, пожалуйста: {link}\n",
        )
    if step == Step.CURATOR:
        users = User.objects.filter(role=Role.CURATOR, curated_schools=school, is_active=True)
        return (
            Notification.Kind.ESCALATE_CURATOR,
            _emails(users),
            f"{name}: отчёт за «{period.name}» не сдан ({late} дн.)",
            f"Школа {name}, которую вы курируете, не сдала отчёт за «{period.name}» (срок "
            f"{period.due_on:%d.%m.%Y}, напоминание руководителю отправлено). Свяжитесь со школой: {link}\n",
        )
    users = User.objects.filter(role=Role.DEPARTMENT, municipality_id=period.municipality_id, is_active=True)
    return (
        Notification.Kind.ESCALATE_DEPARTMENT,
        _emails(users),
        f"{name}: отчёт за «{period.name}» не сдан ({late} дн.)",
        f"Школа {name} не сдала отчёт за «{period.name}» (срок {period.due_on:%d.%m.%Y}); руководителю "
        f"и куратору сообщено. Период: {link}\n",
    )


def periods_escalate(*, now: dt.datetime | None = None) -> int:
    """Send every escalation step whose day has come; returns the number of steps sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    # Periods due in the last year: older ones are history, nobody is chased for them.
    periods = ReportingPeriod.objects.filter(due_on__lt=today, due_on__gte=today - dt.timedelta(days=366))
    for period in periods.select_related("municipality"):
        rules = settings_for(period.municipality_id)
        due = steps_due(period=period, today=today, rules=rules)
        if not due:
            continue
        done = set(EscalationStep.objects.filter(period=period).values_list("school_id", "step"))
        for roadmap in missing_schools(period):
            for step in due:
                if (roadmap.school_id, step) in done:
                    continue
                kind, recipients, subject, body = _letter(step, period, roadmap.school, (today - period.due_on).days)
                try:
                    with transaction.atomic():
                        EscalationStep.objects.create(
                            period=period, school=roadmap.school, step=step, recipients=recipients, sent_at=now
                        )
                        notification_queue(kind=kind, recipients=recipients, subject=subject, body=body)
                except IntegrityError:
                    continue  # another run sent this step a moment ago
                sent += 1
    return sent


def escalation_for_period(period: ReportingPeriod) -> dict[int, list[EscalationStep]]:
    """The steps sent for each school of the period (the period page's column)."""
    steps: dict[int, list[EscalationStep]] = {}
    for step in EscalationStep.objects.filter(period=period).order_by("sent_at", "pk"):
        steps.setdefault(step.school_id, []).append(step)
    return steps


def settings_save(*, user: User, curator_after_days: int, department_after_days: int) -> EscalationSettings:
    from core.audit import audit_record

    if not (user.role == Role.DEPARTMENT and user.municipality_id) and not user.is_superuser:
        raise PermissionError("only the department sets its escalation")
    with transaction.atomic():
        rules, _ = EscalationSettings.objects.update_or_create(
            municipality_id=user.municipality_id,
            defaults={"curator_after_days": curator_after_days, "department_after_days": department_after_days},
        )
        audit_record(
            actor=user,
            action="escalation.settings_changed",
            municipality_id=user.municipality_id,
            details={"curator_after_days": curator_after_days, "department_after_days": department_after_days},
        )
    return rules
