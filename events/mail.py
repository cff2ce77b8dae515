"""Letters to participants. Each function claims its registration with a conditional UPDATE."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import ratelimit
from events.models import Event, Registration
from events.selectors import registration_token


def _claim(registration_id: int, field: str) -> Registration | None:
    claimed = Registration.objects.filter(pk=registration_id, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()}
    )
    if not claimed:
        return None
    return Registration.objects.select_related("event", "school__organisation").get(pk=registration_id)


def _send(registration: Registration, template: str, subject: str, field: str) -> None:
    """Send the claimed letter; if the mail server refuses, release the claim (``field``) so the
    sweep (events.services.letters_resend_unsent) sends it later, and let the task fail loudly."""
    try:
        _deliver(registration, template, subject)
    except Exception:
        Registration.objects.filter(pk=registration.pk).update(**{field: None})
        raise


def _deliver(registration: Registration, template: str, subject: str) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse("events:registration", args=[registration_token(registration)])
    body = render_to_string(template, {"registration": registration, "event": registration.event, "link": link})
    send_mail(
        subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[registration.email]
    )


def registration_confirmation_send(*, registration_id: int) -> bool:
    registration = _claim(registration_id, "confirmation_sent_at")
    if registration is None:
        return False
    waitlisted = registration.status == Registration.Status.WAITLISTED
    subject = "Лист ожидания" if waitlisted else "Вы записаны"
    _send(
        registration, "events/mail/confirmation.txt", f"{subject}: {registration.event.title}", "confirmation_sent_at"
    )
    return True


# One repeated-registration letter per address and event an hour, however often the form is sent.
LINK_RESEND_PAUSE = 3600


def registration_link_send(*, registration_id: int) -> bool:
    """The link to an existing registration, for someone who filled the form again."""
    # In the database, not the cache: with Redis down cache.add says «taken» and nothing would go.
    if ratelimit.hit(scope="events.link_resent", key=str(registration_id), limit=1, window=LINK_RESEND_PAUSE):
        return False
    registration = Registration.objects.select_related("event", "school__organisation").filter(pk=registration_id)
    registration = registration.first()
    if registration is None:
        return False
    _deliver(registration, "events/mail/already_registered.txt", f"Ваша запись: {registration.event.title}")
    return True


def waitlist_promotion_send(*, registration_id: int) -> bool:
    registration = _claim(registration_id, "promotion_sent_at")
    if registration is None:
        return False
    _send(
        registration,
        "events/mail/promotion.txt",
        f"Освободилось место: {registration.event.title}",
        "promotion_sent_at",
    )
    return True


def event_cancelled_send(*, event_id: int) -> int:
    ids = Registration.objects.filter(
        event_id=event_id, event__status=Event.Status.CANCELLED, cancellation_sent_at__isnull=True
    ).exclude(status=Registration.Status.CANCELLED)
    sent = 0
    for registration_id in ids.values_list("pk", flat=True):
        registration = _claim(registration_id, "cancellation_sent_at")
        if registration is not None:
            _send(
                registration,
                "events/mail/cancelled.txt",
                f"Мероприятие отменено: {registration.event.title}",
                "cancellation_sent_at",
            )
            sent += 1
    return sent


def survey_invitations_send(*, event_id: int) -> int:
    ids = Registration.objects.filter(event_id=event_id, attended=True, survey_sent_at__isnull=True)
    sent = 0
    for registration_id in ids.values_list("pk", flat=True):
        registration = _claim(registration_id, "survey_sent_at")
        if registration is not None:
            _send(
                registration,
                "events/mail/survey.txt",
                f"Оцените мероприятие: {registration.event.title}",
                "survey_sent_at",
            )
            sent += 1
    return sent
