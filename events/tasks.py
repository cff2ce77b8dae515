"""Mail of the centre: thin tasks, ids in, each message claimed before it is sent.

A conditional UPDATE of the ``*_sent_at`` field claims the work, so a task that runs twice
(a retry, a redelivered message) sends once.
"""

from celery import shared_task

from events import mail, services


@shared_task(name="events.tasks.send_registration_confirmation")
def send_registration_confirmation(registration_id: int) -> bool:
    return mail.registration_confirmation_send(registration_id=registration_id)


@shared_task(name="events.tasks.send_registration_link")
def send_registration_link(registration_id: int) -> bool:
    return mail.registration_link_send(registration_id=registration_id)


@shared_task(name="events.tasks.send_waitlist_promotion")
def send_waitlist_promotion(registration_id: int) -> bool:
    return mail.waitlist_promotion_send(registration_id=registration_id)


@shared_task(name="events.tasks.send_event_cancelled")
def send_event_cancelled(event_id: int) -> int:
    return mail.event_cancelled_send(event_id=event_id)


@shared_task(name="events.tasks.send_survey_invitations")
def send_survey_invitations(event_id: int) -> int:
    return mail.survey_invitations_send(event_id=event_id)


@shared_task(name="events.tasks.resend_unsent_letters")
def resend_unsent_letters() -> dict[str, list[int]]:
    return services.letters_resend_unsent()
