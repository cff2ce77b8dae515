"""Celery tasks of roadmaps: thin, take ids, safe to run twice (see the services they call)."""

from celery import shared_task

from roadmaps import services


@shared_task(name="roadmaps.tasks.send_notification")
def send_notification(notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id)


@shared_task(name="roadmaps.tasks.remind_periods_due")
def remind_periods_due() -> int:
    return services.periods_remind_due()


@shared_task(name="roadmaps.tasks.escalate_missing_reports")
def escalate_missing_reports() -> int:
    from roadmaps import escalation

    return escalation.periods_escalate()


@shared_task(name="roadmaps.tasks.escalate_late_measures")
def escalate_late_measures() -> int:
    from roadmaps import escalation

    return escalation.measures_escalate()
