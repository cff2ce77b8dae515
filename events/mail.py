"""Letters to participants: each is a ``Letter`` job row (core.jobs), claimed before it is sent."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import ratelimit
from core.jobs.services import Claim, JobFailed, JobRetry, job_finish, job_is_done, job_run
from core.letters import Message, letter_queue
from events.models import Event, Letter, Registration
from events.selectors import registration_token

LETTER_REFUSED = "Почтовый сервер не принял письмо; оно будет отправлено повторно."
LETTER_NOT_DUE = "Письмо больше не нужно: запись отменена или мероприятие не отменено."

# kind → (template, subject prefix, the registration's field that records the sending)
LETTERS = {
    Letter.Kind.CONFIRMATION: ("events/mail/confirmation.txt", None, "confirmation_sent_at"),
    Letter.Kind.PROMOTION: ("events/mail/promotion.txt", "Освободилось место", "promotion_sent_at"),
    Letter.Kind.CANCELLATION: ("events/mail/cancelled.txt", "Мероприятие отменено", "cancellation_sent_at"),
    Letter.Kind.SURVEY: ("events/mail/survey.txt", "Оцените мероприятие", "survey_sent_at"),
}


def letter_send(*, letter_id: int) -> bool:
    """The task's body: send the letter once; True when it was sent by this call."""
    return job_run(Letter, letter_id, _letter_work) and job_is_done(Letter, letter_id)


def _letter_work(claim: Claim) -> None:
    letter = Letter.objects.select_related("registration__event", "registration__school__organisation").get(pk=claim.pk)
    registration = letter.registration
    template, prefix, field = LETTERS[letter.kind]
    if letter.kind == Letter.Kind.CANCELLATION and (
        registration.event.status != Event.Status.CANCELLED or registration.status == Registration.Status.CANCELLED
    ):
        raise JobFailed(LETTER_NOT_DUE)
    if prefix is None:
        prefix = "Лист ожидания" if registration.status == Registration.Status.WAITLISTED else "Вы записаны"
    try:
        _deliver(registration, template, f"{prefix}: {registration.event.title}")
    except Exception as exc:
        raise JobRetry(LETTER_REFUSED) from exc  # back to the queue: the sweep sends it again
    with transaction.atomic():
        Registration.objects.filter(pk=registration.pk).update(**{field: timezone.now()})
        job_finish(claim)


def _deliver(registration: Registration, template: str, subject: str) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse("events:registration", args=[registration_token(registration)])
    body = render_to_string(template, {"registration": registration, "event": registration.event, "link": link})
    send_mail(
        subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[registration.email]
    )


# One repeated-registration letter per address and event an hour, however often the form is sent.
LINK_RESEND_PAUSE = 3600
LINK_COMPOSER = "events.mail.registration_link_letters"


def registration_link_queue(*, registration_id: int) -> bool:
    """Queue the link to an existing registration, for someone who filled the form again.

    A row of the portal's outbox (core.letters), written in the caller's transaction: with the
    broker down the letter waits and the sweep sends it. False when one went within the hour."""
    # In the database, not the cache: with Redis down cache.add says «taken» and nothing would go.
    if ratelimit.hit(scope="events.link_resent", key=str(registration_id), limit=1, window=LINK_RESEND_PAUSE):
        return False
    letter_queue(purpose="registration_link", compose=LINK_COMPOSER, params={"registration_id": registration_id})
    return True


def registration_link_letters(*, registration_id: int) -> list[Message]:
    """The worker composes the letter when it sends it (none if the registration is gone)."""
    registration = Registration.objects.select_related("event", "school__organisation").filter(pk=registration_id)
    registration = registration.first()
    if registration is None:
        return []
    link = settings.SITE_URL.rstrip("/") + reverse("events:registration", args=[registration_token(registration)])
    body = render_to_string(
        "events/mail/already_registered.txt", {"registration": registration, "event": registration.event, "link": link}
    )
    return [(f"Ваша запись: {registration.event.title}", body, [registration.email])]
