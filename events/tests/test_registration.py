import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events import selectors, services
from events.models import Event, Registration
from events.tests.factories import EventFactory, RegistrationFactory


def _register(event, email, **kwargs):
    return services.registration_create(event=event, full_name=f"Участник {email}", email=email, **kwargs)


def _form(school=None, **overrides):
    data = {
        "full_name": "Иванова Мария Сергеевна",
        "school": school.pk if school else "",
        "position": "учитель",
        "subject": "русский язык",
        "email": "ivanova@example.ru",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_registrations_beyond_capacity_go_to_the_waitlist(event):
    first, second, third = (_register(event, f"p{i}@example.ru") for i in range(3))

    assert [r.status for r in (first, second, third)] == ["confirmed", "confirmed", "waitlisted"]


def test_cancelling_a_seat_promotes_the_first_in_the_waitlist(event, django_capture_on_commit_callbacks, mailoutbox):
    first = _register(event, "a@example.ru")
    _register(event, "b@example.ru")
    waiting_first = _register(event, "c@example.ru")
    waiting_second = _register(event, "d@example.ru")

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.registration_cancel(registration=first)

    assert promoted.pk == waiting_first.pk
    waiting_first.refresh_from_db()
    waiting_second.refresh_from_db()
    assert waiting_first.status == Registration.Status.CONFIRMED
    assert waiting_second.status == Registration.Status.WAITLISTED
    assert event.registrations.filter(status="confirmed").count() == 2
    assert [m.to for m in mailoutbox] == [["c@example.ru"]]
    assert "освободилось место" in mailoutbox[0].body


def test_cancelling_a_waitlisted_registration_promotes_nobody(event):
    _register(event, "a@example.ru")
    _register(event, "b@example.ru")
    waiting = _register(event, "c@example.ru")
    last = _register(event, "d@example.ru")

    assert services.registration_cancel(registration=waiting) is None
    last.refresh_from_db()
    assert last.status == Registration.Status.WAITLISTED


def test_cancelling_twice_promotes_only_once(event):
    first = _register(event, "a@example.ru")
    _register(event, "b@example.ru")
    _register(event, "c@example.ru")
    _register(event, "d@example.ru")

    services.registration_cancel(registration=first)
    assert services.registration_cancel(registration=first) is None
    assert event.registrations.filter(status="confirmed").count() == 2
    assert event.registrations.filter(status="waitlisted").count() == 1


def test_the_same_address_cannot_register_twice(event):
    _register(event, "same@example.ru")

    with pytest.raises(ValidationError) as refused:
        _register(event, " SAME@example.ru ")
    assert refused.value.message == services.ALREADY_REGISTERED
    assert event.registrations.count() == 1


def test_a_cancelled_registration_can_be_renewed(event):
    registration = _register(event, "back@example.ru")
    services.registration_cancel(registration=registration)

    renewed = _register(event, "back@example.ru")

    assert renewed.status == Registration.Status.CONFIRMED


@pytest.mark.parametrize(
    ("opens", "closes", "status", "open_"),
    [
        (-1, 1, Event.Status.PUBLISHED, True),
        (1, 2, Event.Status.PUBLISHED, False),  # not yet open
        (-2, -1, Event.Status.PUBLISHED, False),  # already closed
        (-1, 1, Event.Status.REGISTRATION_CLOSED, False),
        (-1, 1, Event.Status.DRAFT, False),
        (-1, 1, Event.Status.CANCELLED, False),
    ],
)
def test_registration_is_accepted_only_inside_its_window(municipality, opens, closes, status, open_):
    now = timezone.now()
    event = EventFactory(
        municipality=municipality,
        status=status,
        registration_opens=now + dt.timedelta(days=opens),
        registration_closes=now + dt.timedelta(days=closes),
    )

    if open_:
        assert _register(event, "w@example.ru").status == "confirmed"
    else:
        with pytest.raises(ValidationError) as refused:
            _register(event, "w@example.ru")
        assert refused.value.message == services.REGISTRATION_CLOSED
        assert not event.registrations.exists()


def test_registration_closes_at_the_start_when_no_date_is_set(municipality):
    event = EventFactory(municipality=municipality, starts_at=timezone.now() - dt.timedelta(minutes=5))

    with pytest.raises(ValidationError):
        _register(event, "late@example.ru")


def test_anonymous_form_registers_and_sends_a_letter_with_a_working_cancel_link(
    client, event, school, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:register", args=[event.pk]), _form(school))

    assert response.status_code == 200
    registration = Registration.objects.get(event=event)
    assert registration.school == school
    assert registration.consent_at is not None
    assert len(mailoutbox) == 1
    # The token is signed with a timestamp: take the link from the letter itself.
    link = re.search(r"http://\S+(/events/r/\S+/)", mailoutbox[0].body)[1]
    assert selectors.registration_from_token(link.split("/")[-2]) == registration

    client.post(link, {"action": "cancel"})

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_the_confirmation_task_sends_once_when_run_twice(event, mailoutbox, django_capture_on_commit_callbacks):
    from events.models import Letter
    from events.tasks import send_letter

    with django_capture_on_commit_callbacks(execute=False):  # the test delivers the message itself, twice
        registration = services.registration_create(
            event=event, full_name="Иванова Мария", email="ivanova@example.ru", school=None, position="", subject=""
        )
    letter = Letter.objects.get(registration=registration, kind=Letter.Kind.CONFIRMATION)

    assert (send_letter(letter.pk), send_letter(letter.pk)) == (True, False)
    assert len(mailoutbox) == 1
    letter.refresh_from_db()
    registration.refresh_from_db()
    assert (letter.status, letter.attempts) == ("done", 1) and registration.confirmation_sent_at is not None


def test_form_without_consent_writes_nothing_and_says_why(client, event):
    response = client.post(reverse("events:register", args=[event.pk]), _form(consent=""))

    assert "Без согласия на обработку персональных данных" in response.content.decode()
    assert not Registration.objects.exists()


def test_form_refuses_a_school_of_another_municipality(client, event, foreign_school):
    response = client.post(reverse("events:register", args=[event.pk]), _form(foreign_school))

    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_the_form_does_not_tell_whether_an_address_is_registered(
    client, event, django_capture_on_commit_callbacks, mailoutbox
):
    """Same page for a new and a known address; the owner of the known one gets their link."""
    url = reverse("events:register", args=[event.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, _form())
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, _form(full_name="Кто Угодно Другой"))

    strip_token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"|"X-CSRFToken": "[^"]+"')
    assert (first.status_code, again.status_code) == (200, 200)
    assert strip_token.sub("", first.content.decode()) == strip_token.sub("", again.content.decode())
    assert "уже есть запись" not in again.content.decode()
    assert Registration.objects.count() == 1
    assert [m.to for m in mailoutbox] == [["ivanova@example.ru"], ["ivanova@example.ru"]]
    assert "повторно записываться не нужно" in mailoutbox[1].body
    link = re.search(r"http://\S+(/events/r/\S+/)", mailoutbox[1].body)[1]
    assert client.get(link).status_code == 200


def test_a_repeated_form_letters_the_link_once_an_hour(client, event, django_capture_on_commit_callbacks, mailoutbox):
    url = reverse("events:register", args=[event.pk])
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, _form())

    assert len(mailoutbox) == 2  # the confirmation, then one link letter


def test_the_participant_link_holds_no_address_and_expires(client, event, settings):
    registration = _register(event, "secret.person@example.ru")
    token = selectors.registration_token(registration)
    payload = token.split(":")[0]

    import base64

    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"secret.person" not in decoded and b"example.ru" not in decoded
    assert client.get(reverse("events:registration", args=[token])).status_code == 200

    settings.REGISTRATION_LINK_MAX_AGE_DAYS = 30
    later = timezone.now() + dt.timedelta(days=31)
    import time_machine

    with time_machine.travel(later, tick=False):
        assert client.get(reverse("events:registration", args=[token])).status_code == 404


def test_a_link_stops_working_when_the_registration_address_changes(client, event):
    registration = _register(event, "old@example.ru")
    token = selectors.registration_token(registration)
    Registration.objects.filter(pk=registration.pk).update(email="new@example.ru")

    assert client.get(reverse("events:registration", args=[token])).status_code == 404


def test_the_form_is_rate_limited_per_address(client, municipality):
    event = EventFactory(municipality=municipality, capacity=None)
    url = reverse("events:register", args=[event.pk])
    statuses = [client.post(url, _form(email=f"r{i}@example.ru")).status_code for i in range(12)]

    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]
    assert Registration.objects.count() == 10


def test_the_form_needs_a_csrf_token(event):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("events:register", args=[event.pk]), _form())

    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_cancelling_an_event_tells_everyone_registered(event, django_capture_on_commit_callbacks, mailoutbox):
    RegistrationFactory(event=event, email="one@example.ru")
    RegistrationFactory(event=event, email="two@example.ru", status="waitlisted")
    RegistrationFactory(event=event, email="gone@example.ru", status="cancelled")

    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, reason="Карантин")

    assert sorted(m.to[0] for m in mailoutbox) == ["one@example.ru", "two@example.ru"]
    assert "Карантин" in mailoutbox[0].body


def test_a_forged_link_is_a_404(client):
    assert client.get(reverse("events:registration", args=["abc:def"])).status_code == 404


def test_a_formula_instead_of_a_name_is_refused(client, event):
    response = client.post(reverse("events:register", args=[event.pk]), _form(full_name='=HYPERLINK("http://x")'))

    assert "буквами" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_signed_in_teacher_registers_as_themself_and_sees_it_in_their_list(client, teacher, event):
    client.force_login(teacher)
    client.post(reverse("events:register", args=[event.pk]), _form(teacher.school, email=teacher.email))
    RegistrationFactory(event=EventFactory(municipality=event.municipality), email="someone@example.ru")

    body = client.get(reverse("events:my_registrations")).content.decode()

    registration = Registration.objects.get(email=teacher.email)
    assert registration.user == teacher
    assert event.title in body
    assert body.count("открыть</a>") == 1


def test_a_forged_forwarded_for_header_does_not_reset_the_limit(client, municipality, settings):
    event = EventFactory(municipality=municipality, capacity=None)
    url = reverse("events:register", args=[event.pk])

    statuses = [
        client.post(
            url, _form(email=f"f{i}@example.ru"), REMOTE_ADDR="93.184.216.34", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
        ).status_code
        for i in range(11)
    ]

    assert statuses[-1] == 429
