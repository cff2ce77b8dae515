"""Escalation of a missing progress report or an overdue measure: the director, then the curator, then the department.

A school with an approved programme that has not filed (submitted or accepted) its report for
a period past its due date gets, each once:

1. a reminder to its director the day after the due date;
2. after ``curator_after_days`` a notice to its curators;
3. after ``department_after_days`` a notice to the department.

N and M are set per municipality (``EscalationSettings``). Each step is written as an
``EscalationStep`` row in the same transaction as its letter; the unique step per school
and period makes a second run of the beat job (or a second worker) send nothing twice.
The period page lists the steps.

An overdue measure of a school's programme (overdue as every page counts it, at read time:
``selectors.overdue_q``) climbs the same steps on the same days after its deadline. Each
step is a ``MeasureEscalationStep`` row per measure (unique), and the letters of one run go
out one per school and step, listing the measures, so a school with five late measures gets
one letter, not five. The roadmap page and the overdue list show the steps.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from roadmaps.models import (
    EscalationSettings,
    EscalationStep,
    Level,
    Measure,
    MeasureEscalationStep,
    Notification,
    ProgressReport,
    ReportingPeriod,
    Roadmap,
)
from roadmaps.selectors import overdue_q
from roadmaps.services import _absolute, _emails, notification_queue

DEFAULTS = EscalationSettings(curator_after_days=3, department_after_days=7)
Step = EscalationStep.Step


def settings_for(municipality_id: int) -> EscalationSettings:
    return EscalationSettings.objects.filter(municipality_id=municipality_id).first() or DEFAULTS


def steps_due(*, period: ReportingPeriod, today: dt.date, rules: EscalationSettings) -> list[str]:
    """The steps whose day has come for a report of ``period`` still missing on ``today``."""
    return steps_after(late=(today - period.due_on).days, rules=rules)


def steps_after(*, late: int, rules: EscalationSettings) -> list[str]:
    """The steps whose day has come ``late`` days after a deadline."""
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


def _recipients(step: str, school) -> list[str]:
    """Who each step of an escalation letters: the school's director, its curators, then its
    municipality's department (the same for a missing report and for overdue measures)."""
    if step == Step.DIRECTOR:
        users = User.objects.filter(role=Role.DIRECTOR, school=school, is_active=True)
    elif step == Step.CURATOR:
        users = User.objects.filter(role=Role.CURATOR, curated_schools=school, is_active=True)
    else:
        users = User.objects.filter(role=Role.DEPARTMENT, municipality_id=school.municipality_id, is_active=True)
    return _emails(users)


def _letter(step: str, period: ReportingPeriod, school, late: int) -> tuple[str, list[str], str, str]:
    link = _absolute(reverse("roadmaps:period_detail", args=[period.pk]))
    name = school.organisation.display_name
    recipients = _recipients(step, school)
    if step == Step.DIRECTOR:
        return (
            Notification.Kind.REPORT_OVERDUE,
            recipients,
            f"Отчёт за «{period.name}» не сдан",
            f"Срок отчёта о ходе выполнения программы за «{period.name}» истёк {period.due_on:%d.%m.%Y}. "
            f"Отправьте отчёт, пожалуйста: {link}\n",
        )
    if step == Step.CURATOR:
        return (
            Notification.Kind.ESCALATE_CURATOR,
            recipients,
            f"{name}: отчёт за «{period.name}» не сдан ({late} дн.)",
            f"Школа {name}, которую вы курируете, не сдала отчёт за «{period.name}» (срок "
            f"{period.due_on:%d.%m.%Y}, напоминание руководителю отправлено). Свяжитесь со школой: {link}\n",
        )
    return (
        Notification.Kind.ESCALATE_DEPARTMENT,
        recipients,
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


def _measure_letter(step: str, school, measures: list[Measure], today: dt.date) -> tuple[str, list[str], str, str]:
    name = school.organisation.display_name
    lines = "\n".join(
        f"— «{m.title}» (срок {m.due_on:%d.%m.%Y}, просрочено {(today - m.due_on).days} дн.): "
        f"{_absolute(reverse('roadmaps:detail', args=[m.roadmap_id]))}"
        for m in measures
    )
    count = len(measures)
    recipients = _recipients(step, school)
    if step == Step.DIRECTOR:
        return (
            Notification.Kind.MEASURE_OVERDUE,
            recipients,
            f"Просрочены мероприятия программы ({count})",
            f"Срок этих мероприятий программы {name} прошёл, а выполнение не отмечено:\n{lines}\n"
            "Отметьте выполнение в отчёте или согласуйте новый срок.\n",
        )
    if step == Step.CURATOR:
        return (
            Notification.Kind.MEASURE_CURATOR,
            recipients,
            f"{name}: просрочены мероприятия программы ({count})",
            f"Школа {name}, которую вы курируете, не выполнила в срок мероприятия программы "
            f"(руководителю напомнили):\n{lines}\n",
        )
    return (
        Notification.Kind.MEASURE_DEPARTMENT,
        recipients,
        f"{name}: просрочены мероприятия программы ({count})",
        f"Школа {name} не выполнила в срок мероприятия программы; руководителю и куратору сообщено:\n{lines}\n",
    )


def measures_escalate(*, now: dt.datetime | None = None) -> int:
    """Send every escalation step of an overdue measure whose day has come; returns the steps written.

    One letter per school and step lists its measures; a run that finds them already
    written (a second worker) sends nothing.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    # Measures overdue for up to a year: older ones are history, nobody is chased for them.
    late_measures = list(
        Measure.objects.filter(
            overdue_q(today), roadmap__level=Level.SCHOOL, due_on__gte=today - dt.timedelta(days=366)
        )
        .select_related("roadmap__school__organisation")
        .order_by("due_on", "pk")
    )
    done = set(
        MeasureEscalationStep.objects.filter(measure__in=[m.pk for m in late_measures]).values_list(
            "measure_id", "step"
        )
    )
    rules: dict[int, EscalationSettings] = {}
    groups: dict[tuple[int, str], list[Measure]] = defaultdict(list)
    for measure in late_measures:
        municipality_id = measure.roadmap.municipality_id
        if municipality_id not in rules:
            rules[municipality_id] = settings_for(municipality_id)
        for step in steps_after(late=(today - measure.due_on).days, rules=rules[municipality_id]):
            if (measure.pk, step) not in done:
                groups[(measure.roadmap.school_id, step)].append(measure)
    order = {value: n for n, value in enumerate(Step.values)}
    sent = 0
    for (_, step), measures in sorted(groups.items(), key=lambda item: (item[0][0], order[item[0][1]])):
        school = measures[0].roadmap.school
        kind, recipients, subject, body = _measure_letter(step, school, measures, today)
        try:
            with transaction.atomic():
                MeasureEscalationStep.objects.bulk_create(
                    [MeasureEscalationStep(measure=m, step=step, recipients=recipients, sent_at=now) for m in measures]
                )
                notification_queue(kind=kind, recipients=recipients, subject=subject, body=body)
        except IntegrityError:
            continue  # another run sent this step a moment ago; what it did not send, the next run does
        sent += len(measures)
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
