"""The broker down when a roadmap moves on: the change is saved, the page says the letters are
delayed, and the sweep (notifications_resend_unsent) sends each stored letter once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core import queue
from roadmaps import services
from roadmaps.models import Notification, Roadmap
from roadmaps.tasks import send_notification

TEN_MINUTES_AGO = dt.timedelta(minutes=10)


# Real commits: the notice belongs to the request that queued the letter (on_commit runs inside it).
@pytest.mark.django_db(transaction=True)
def test_a_roadmap_submitted_with_the_broker_down_is_submitted_and_the_letter_follows_once(
    client, draft_programme, director, department, curator, broker
):
    broker.up = False
    client.force_login(director)

    response = client.post(reverse("roadmaps:transition", args=[draft_programme.pk]), {"action": "submit"}, follow=True)

    draft_programme.refresh_from_db()
    assert response.status_code == 200 and draft_programme.status == Roadmap.Status.SUBMITTED
    page = response.content.decode().lower()
    assert "отправка писем задерживается" in page and "ничего не потеряно" in page
    letter = Notification.objects.get()
    assert letter.sent_at is None and mail.outbox == []

    broker.up = True
    Notification.objects.filter(pk=letter.pk).update(created_at=timezone.now() - TEN_MINUTES_AGO)
    assert services.notifications_resend_unsent() == [letter.pk]
    assert services.notifications_resend_unsent() == []
    queue.send(send_notification, letter.pk)  # the first message, delivered late after all

    assert len(mail.outbox) == 1 and sorted(mail.outbox[0].to) == sorted([department.email, curator.email])
    assert Notification.objects.get(pk=letter.pk).sent_at is not None


def test_the_sweep_leaves_fresh_letters_to_their_message_and_old_ones_alone(db, broker):
    def letter(age: dt.timedelta) -> Notification:
        broker.up = False
        notification = services.notification_queue(
            kind="report_accepted", recipients=["a@example.ru"], subject="s", body="b"
        )
        Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - age)
        return notification

    letter(dt.timedelta(minutes=1))
    due = letter(dt.timedelta(hours=5))
    letter(queue.RESEND_LETTERS_WITHIN + dt.timedelta(hours=1))  # stale news: not sent a week late
    broker.up = True

    assert services.notifications_resend_unsent() == [due.pk]


def test_a_letter_the_mail_server_refused_is_released_for_the_sweep(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        notification = services.notification_queue(
            kind="report_accepted", recipients=["a@example.ru"], subject="s", body="b"
        )

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(services, "send_mail", refuse)
    assert services.notification_send(notification_id=notification.pk) is False
    letter = Notification.objects.get(pk=notification.pk)
    assert (letter.sent_at, letter.status, letter.attempts) == (None, "queued", 1)
    assert letter.error == services.LETTER_REFUSED

    # Ten minutes later the sweep sends it again (the mail server is back).
    monkeypatch.undo()
    ten_minutes_ago = timezone.now() - TEN_MINUTES_AGO
    Notification.objects.filter(pk=notification.pk).update(created_at=ten_minutes_ago, heartbeat_at=ten_minutes_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notifications_resend_unsent() == [notification.pk]
    letter.refresh_from_db()
    assert (letter.status, letter.attempts, len(mail.outbox)) == ("done", 2, 1) and letter.sent_at is not None
