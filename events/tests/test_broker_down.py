"""The broker down when someone registers, a seat is freed, an event is cancelled or the survey
is sent: the action succeeds, the page says the letters are delayed, and the sweep
(letters_resend_unsent) sends each due letter once when the broker is back (core/queue.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core import queue
from events import mail as events_mail
from events import services
from events.models import Event, Registration
from events.tasks import send_event_cancelled, send_registration_confirmation
from events.tests.factories import EventFactory, RegistrationFactory

TEN_MINUTES_AGO = dt.timedelta(minutes=10)
NOTHING = {"confirmations": [], "promotions": [], "cancellations": [], "surveys": []}


def _sweep(django_capture_on_commit_callbacks=None) -> dict[str, list[int]]:
    if django_capture_on_commit_callbacks is None:
        return services.letters_resend_unsent()
    with django_capture_on_commit_callbacks(execute=True):
        return services.letters_resend_unsent()


# Real commits: the notice belongs to the request that queued the letter (on_commit runs inside it).
@pytest.mark.django_db(transaction=True)
def test_a_registration_with_the_broker_down_is_kept_and_its_letter_is_sent_once_later(
    client, municipality, school, broker
):
    event = EventFactory(municipality=municipality, capacity=2)
    broker.up = False

    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"full_name": "Иванова Мария Сергеевна", "school": school.pk, "position": "учитель",
         "subject": "русский язык", "email": "ivanova@example.ru", "consent": "on"},
    )  # fmt: skip

    registration = Registration.objects.get()
    assert response.status_code == 200 and registration.status == Registration.Status.CONFIRMED
    page = response.content.decode().lower()
    assert "письмо задерживается" in page and "записываться повторно не нужно" in page
    assert mail.outbox == [] and registration.confirmation_sent_at is None

    broker.up = True
    assert services.letters_resend_unsent() == NOTHING  # just registered: the message may be on the way
    Registration.objects.filter(pk=registration.pk).update(created_at=timezone.now() - TEN_MINUTES_AGO)
    assert services.letters_resend_unsent()["confirmations"] == [registration.pk]
    assert services.letters_resend_unsent() == NOTHING
    queue.send(send_registration_confirmation, registration.pk)  # the first message, late after all

    assert [m.to for m in mail.outbox] == [["ivanova@example.ru"]]


@pytest.mark.django_db(transaction=True)
def test_an_event_cancelled_with_the_broker_down_is_cancelled_and_everyone_is_told_once_later(
    client, municipality, methodologist, broker
):
    event = EventFactory(municipality=municipality, capacity=2)
    RegistrationFactory(event=event, email="one@example.ru")
    RegistrationFactory(event=event, email="two@example.ru", status="waitlisted")
    RegistrationFactory(event=event, email="gone@example.ru", status="cancelled")
    Registration.objects.update(confirmation_sent_at=timezone.now())
    client.force_login(methodologist)
    broker.up = False

    response = client.post(
        reverse("events:staff_event_action", args=[event.pk, "cancel"]), {"reason": "Карантин"}, follow=True
    )

    event.refresh_from_db()
    page = response.content.decode().lower()
    assert response.status_code == 200 and event.status == Event.Status.CANCELLED
    assert "отправка писем задерживается" in page and "отправлены письма" not in page

    broker.up = True
    Event.objects.filter(pk=event.pk).update(updated_at=timezone.now() - TEN_MINUTES_AGO)
    assert services.letters_resend_unsent()["cancellations"] == [event.pk]
    assert services.letters_resend_unsent() == NOTHING
    queue.send(send_event_cancelled, event.pk)

    assert sorted(m.to[0] for m in mail.outbox) == ["one@example.ru", "two@example.ru"]


def test_a_promotion_and_the_survey_left_by_the_outage_are_sent_by_the_sweep(
    event, broker, mailoutbox, django_capture_on_commit_callbacks
):
    seat = RegistrationFactory(event=event, email="seat@example.ru", confirmation_sent_at=timezone.now())
    waiting = RegistrationFactory(
        event=event, email="wait@example.ru", status="waitlisted", confirmation_sent_at=timezone.now()
    )
    broker.up = False
    with django_capture_on_commit_callbacks(execute=True):
        assert services.registration_cancel(registration=seat) == waiting
    Registration.objects.filter(pk=waiting.pk).update(promoted_at=timezone.now() - TEN_MINUTES_AGO)

    broker.up = True
    assert _sweep(django_capture_on_commit_callbacks)["promotions"] == [waiting.pk]
    assert [m.to for m in mailoutbox] == [["wait@example.ru"]] and "Освободилось место" in mailoutbox[0].subject

    Event.objects.filter(pk=event.pk).update(status=Event.Status.HELD)
    event.refresh_from_db()
    Registration.objects.filter(pk=waiting.pk).update(attended=True)
    broker.up = False
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_send_survey(event=event) == 1
    Event.objects.filter(pk=event.pk).update(survey_requested_at=timezone.now() - TEN_MINUTES_AGO)

    broker.up = True
    assert _sweep(django_capture_on_commit_callbacks)["surveys"] == [event.pk]
    assert _sweep(django_capture_on_commit_callbacks) == NOTHING
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Освободилось место", "Оцените мероприятие"]


def test_old_registrations_never_confirmed_are_not_written_to_days_later(event):
    """The sweep sends news, not a backlog: a letter is due for core.queue.RESEND_LETTERS_WITHIN."""
    RegistrationFactory(event=event, created_at=timezone.now() - queue.RESEND_LETTERS_WITHIN - dt.timedelta(hours=1))

    assert services.letters_resend_unsent() == NOTHING


def test_a_letter_the_mail_server_refused_is_released_for_the_sweep(event, monkeypatch):
    registration = RegistrationFactory(event=event, created_at=timezone.now() - TEN_MINUTES_AGO)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(events_mail, "send_mail", refuse)
    with pytest.raises(ConnectionRefusedError):
        events_mail.registration_confirmation_send(registration_id=registration.pk)

    assert Registration.objects.get(pk=registration.pk).confirmation_sent_at is None
    assert services.letters_resend_unsent()["confirmations"] == [registration.pk]
