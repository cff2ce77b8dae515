"""The broker down when someone registers, a seat is freed, an event is cancelled or the survey
is sent: the action succeeds with its letters written (events.models.Letter), the page says they
are delayed, and the sweep (core.jobs) sends each letter once when the broker is back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core import queue
from events import mail as events_mail
from events import services
from events.models import Event, Letter, Registration
from events.tasks import send_letter
from events.tests.factories import EventFactory, RegistrationFactory

TEN_MINUTES_AGO = dt.timedelta(minutes=10)
NOTHING: list[int] = []


def _waited(*letters: Letter) -> None:
    """Ten minutes pass since the letters were written."""
    Letter.objects.filter(pk__in=[letter.pk for letter in letters]).update(created_at=timezone.now() - TEN_MINUTES_AGO)


def _sweep(django_capture_on_commit_callbacks=None) -> list[int]:
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

    letter = Letter.objects.get(registration=registration)
    assert (letter.kind, letter.status) == (Letter.Kind.CONFIRMATION, "queued")

    broker.up = True
    assert services.letters_resend_unsent() == NOTHING  # just registered: the message may be on the way
    _waited(letter)
    assert services.letters_resend_unsent() == [letter.pk]  # sent, and run at once (eager tasks)
    assert services.letters_resend_unsent() == NOTHING
    queue.send(send_letter, letter.pk)  # the first message, late after all: nothing

    assert [m.to for m in mail.outbox] == [["ivanova@example.ru"]]
    assert Registration.objects.get(pk=registration.pk).confirmation_sent_at is not None


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

    letters = list(Letter.objects.filter(kind=Letter.Kind.CANCELLATION).order_by("pk"))
    assert sorted(letter.registration.email for letter in letters) == ["one@example.ru", "two@example.ru"]

    broker.up = True
    _waited(*letters)
    assert services.letters_resend_unsent() == [letter.pk for letter in letters]
    assert services.letters_resend_unsent() == NOTHING
    for letter in letters:
        queue.send(send_letter, letter.pk)

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
    promotion = Letter.objects.get(registration=waiting, kind=Letter.Kind.PROMOTION)
    _waited(promotion)

    broker.up = True
    assert _sweep(django_capture_on_commit_callbacks) == [promotion.pk]
    assert [m.to for m in mailoutbox] == [["wait@example.ru"]] and "Освободилось место" in mailoutbox[0].subject

    Event.objects.filter(pk=event.pk).update(status=Event.Status.HELD)
    event.refresh_from_db()
    Registration.objects.filter(pk=waiting.pk).update(attended=True)
    broker.up = False
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_send_survey(event=event) == 1
    survey = Letter.objects.get(registration=waiting, kind=Letter.Kind.SURVEY)
    _waited(survey)

    broker.up = True
    assert _sweep(django_capture_on_commit_callbacks) == [survey.pk]
    assert _sweep(django_capture_on_commit_callbacks) == NOTHING
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Освободилось место", "Оцените мероприятие"]


def test_old_letters_never_sent_are_not_sent_days_later(event, broker, django_capture_on_commit_callbacks):
    """The sweep sends news, not a backlog: a letter is due for core.queue.RESEND_LETTERS_WITHIN."""
    broker.up = False
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_create(event=event, full_name="Иванова Мария", email="i@example.ru")
    broker.up = True
    Letter.objects.filter(registration=registration).update(
        created_at=timezone.now() - queue.RESEND_LETTERS_WITHIN - dt.timedelta(hours=1)
    )

    assert services.letters_resend_unsent() == NOTHING


def test_a_letter_the_mail_server_refused_is_released_for_the_sweep(
    event, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        registration = services.registration_create(event=event, full_name="Иванова Мария", email="i@example.ru")
    letter = Letter.objects.get(registration=registration)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(events_mail, "send_mail", refuse)
    assert events_mail.letter_send(letter_id=letter.pk) is False

    letter.refresh_from_db()
    assert (letter.status, letter.attempts, letter.error) == ("queued", 1, events_mail.LETTER_REFUSED)
    assert Registration.objects.get(pk=registration.pk).confirmation_sent_at is None
    monkeypatch.undo()
    Letter.objects.filter(pk=letter.pk).update(
        created_at=timezone.now() - TEN_MINUTES_AGO, heartbeat_at=timezone.now() - TEN_MINUTES_AGO
    )
    assert _sweep(django_capture_on_commit_callbacks) == [letter.pk]
    assert [m.to for m in mailoutbox] == [["i@example.ru"]]
    assert Letter.objects.get(pk=letter.pk).status == "done"
