"""The outbox of the portal's own letters (core.letters): at least once, never twice.

The broker down when someone asks for a password reset, is invited or gets a new password: the
request answers as usual with the letter's row written in its transaction; nothing is sent until
the job sweep (core.jobs, the beat's ``core.tasks.sweep_jobs``) finds the row still queued and
sends it; a late first message, a second sweep or a redelivery sends nothing more. A mail server
that refuses puts the letter back in the queue.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core import letters, queue
from core.jobs.services import jobs_sweep
from core.models import Letter
from core.tasks import send_letter
from people import services as people
from tests.factories import UserFactory

TEN_MINUTES_AGO = dt.timedelta(minutes=10)
RESET_LINK = "/accounts/password/reset/"


def _waited() -> None:
    """Ten minutes pass: the sweep no longer waits for the first message."""
    Letter.objects.update(created_at=timezone.now() - TEN_MINUTES_AGO)


def _letters_swept() -> list[int]:
    return jobs_sweep().get("core.Letter", [])


# Real commits: the letter is queued on commit of the request's transaction, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_password_reset_with_the_broker_down_is_kept_and_sent_once_by_the_sweep(client, broker, settings):
    settings.SITE_URL = "https://opora.example.ru"
    UserFactory(username="uo", email="uo@example.ru")
    broker.up = False

    response = client.post(reverse("accounts:password_reset"), {"email": "uo@example.ru"})

    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert broker.attempts == ["core.tasks.send_letter"]  # tried, refused: kept in the outbox
    assert mail.outbox == []
    letter = Letter.objects.get()
    assert (letter.purpose, letter.status, letter.params) == ("password_reset", "queued", {"email": "uo@example.ru"})

    broker.up = True
    assert _letters_swept() == []  # just written: the first message may still be on its way
    _waited()
    assert _letters_swept() == [letter.pk]  # sent (eager tasks run at once)
    assert _letters_swept() == []
    queue.send(send_letter, letter.pk)  # the first message, late after all: nothing more

    assert [m.to for m in mail.outbox] == [["uo@example.ru"]]
    assert "https://opora.example.ru" + RESET_LINK in mail.outbox[0].body
    letter.refresh_from_db()
    # Sent once, and the address and the link are not kept.
    assert (letter.status, letter.sent, letter.params, letter.body) == ("done", 1, {}, "")


def test_a_reset_for_an_unknown_address_writes_the_same_row_and_sends_nothing(client, broker):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.ru"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    letter = Letter.objects.get()
    assert (letter.status, letter.sent) == ("done", 0)
    assert mail.outbox == []


def test_a_letter_the_mail_server_refuses_goes_back_to_the_queue_and_is_sent_later(client, broker, monkeypatch):
    UserFactory(username="uo", email="uo@example.ru")

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("421 try again later")

    monkeypatch.setattr(letters, "send_mail", refuse)

    client.post(reverse("accounts:password_reset"), {"email": "uo@example.ru"})

    letter = Letter.objects.get()
    assert (letter.status, letter.attempts, letter.sent_at) == ("queued", 1, None)
    assert "не принял письмо" in letter.error
    monkeypatch.setattr(letters, "send_mail", send_mail)
    Letter.objects.update(created_at=timezone.now() - TEN_MINUTES_AGO, heartbeat_at=timezone.now() - TEN_MINUTES_AGO)
    assert _letters_swept() == [letter.pk]
    assert [m.to for m in mail.outbox] == [["uo@example.ru"]]


def test_an_invitation_with_the_broker_down_is_kept_and_sent_once(broker, municipality, department):
    broker.up = False

    user = people.person_invite(
        by=department,
        email="new.director@example.ru",
        role=Role.METHODOLOGIST,
        last_name="Петрова",
        first_name="Анна",
        municipality=municipality,
    )

    assert mail.outbox == []
    letter = Letter.objects.get()
    assert (letter.purpose, letter.recipients, letter.status) == ("invitation", [user.email], "queued")
    broker.up = True
    _waited()
    assert _letters_swept() == [letter.pk]
    send_letter(letter.pk)  # a redelivered message: claimed already, nothing sent

    assert [m.to for m in mail.outbox] == [["new.director@example.ru"]]
    assert "Приглашение" in mail.outbox[0].subject
    assert "/people/invitation/" in mail.outbox[0].body


def test_a_failed_invitation_writes_no_letter(broker, municipality, department):
    """The letter is the action's: an invitation refused (a role the department may not give) leaves none."""
    with pytest.raises(ValidationError):
        people.person_invite(
            by=department,
            email="x@example.ru",
            role=Role.REGION,
            last_name="Х",
            first_name="Х",
            municipality=municipality,
        )

    assert Letter.objects.count() == 0


def test_the_link_to_an_existing_registration_waits_out_a_broker_outage(client, broker, municipality):
    """Someone fills the event form again while the broker is down: the letter with their link
    is a row of the outbox, sent once by the sweep (before, a plain task: lost)."""
    from events.models import Registration
    from events.tests.factories import EventFactory

    event = EventFactory(municipality=municipality)
    form = {
        "full_name": "Иванова Мария Сергеевна",
        "position": "учитель",
        "subject": "русский язык",
        "email": "ivanova@example.ru",
        "consent": "on",
    }
    url = reverse("events:register", args=[event.pk])
    client.post(url, form)  # the first registration: its confirmation goes as before
    confirmations = len(mail.outbox)
    broker.up = False

    again = client.post(url, {**form, "full_name": "Кто Угодно Другой"})

    assert again.status_code == 200 and Registration.objects.count() == 1
    assert len(mail.outbox) == confirmations
    letter = Letter.objects.get(purpose="registration_link")
    assert letter.status == "queued"

    broker.up = True
    _waited()
    assert _letters_swept() == [letter.pk]
    assert _letters_swept() == []
    queue.send(send_letter, letter.pk)  # a late first message: nothing more

    links = mail.outbox[confirmations:]
    assert [m.to for m in links] == [["ivanova@example.ru"]]
    assert "повторно записываться не нужно" in links[0].body
    assert client.get(re.search(r"http://\S+(/events/r/\S+/)", links[0].body)[1]).status_code == 200
