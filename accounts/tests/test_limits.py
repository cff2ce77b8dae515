"""Lockouts and rate limits behind the documented HTTPS proxy, through the real views.

One setting (TRUSTED_PROXY_COUNT) says where the client's address is; django-axes, the login
cap across usernames, the password-reset throttle and the event registration limit all use it
(core.client_ip). The counters are in the database: they hold with Redis down.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from events.tests.factories import EventFactory
from tests.factories import PASSWORD, UserFactory

PROXY = "10.0.0.2"  # our nginx, as the application sees it
ATTACKER = "203.0.113.66"
COLLEAGUE = "198.51.100.7"
DEAD_REDIS = "redis://127.0.0.1:1/12"


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _via_proxy(client_address: str, forged: str = "") -> dict:
    """What our proxy passes on: whatever the client sent in X-Forwarded-For, then its address."""
    chain = f"{forged}, {client_address}" if forged else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


def _log_in(client, username: str, password: str, address: str, forged: str = ""):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **_via_proxy(address, forged)
    )


def _user(username: str):
    user = UserFactory(username=username, email=f"{username}@example.ru")
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "203.0.113.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "203.0.113.1"),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.1"}, "203.0.113.1"),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.1"}, "203.0.113.1"),
        (2, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.1, 10.0.0.9"}, "203.0.113.1"),
        (1, {"REMOTE_ADDR": PROXY}, PROXY),  # a probe from inside, no header
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "not-an-ip"}, PROXY),
        (2, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.1"}, PROXY),  # fewer hops than proxies
    ],
)
def test_the_client_address_is_read_as_far_from_the_right_as_there_are_trusted_proxies(
    settings, proxies, meta, expected
):
    from core.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", **meta)

    assert client_ip(request) == expected


def test_axes_uses_the_same_client_address(settings):
    from axes.helpers import get_client_ip_address

    request = RequestFactory().get("/", **_via_proxy(COLLEAGUE, forged="1.1.1.1"))

    assert get_client_ip_address(request) == COLLEAGUE


def test_bad_passwords_from_one_address_do_not_lock_the_user_out_everywhere(client, settings, db):
    """Behind the proxy every request came from 10.0.0.2: five bad passwords from anywhere locked «uo»."""
    settings.AXES_FAILURE_LIMIT = 5
    _user("uo")
    for _ in range(5):
        _log_in(client, "uo", "wrong", ATTACKER)

    assert _log_in(client, "uo", PASSWORD, ATTACKER).status_code == 429
    assert _log_in(client, "uo", PASSWORD, COLLEAGUE).status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_lock(client, settings, db):
    settings.AXES_FAILURE_LIMIT = 3
    _user("uo")
    for i in range(3):
        _log_in(client, "uo", "wrong", ATTACKER, forged=f"192.0.2.{i}")

    assert _log_in(client, "uo", PASSWORD, ATTACKER, forged="192.0.2.99").status_code == 429


def test_password_spraying_from_one_address_is_capped_across_usernames(client, settings, db):
    settings.LOGIN_IP_FAILURE_LIMIT = 6
    victims = [_user(f"user{i}") for i in range(8)]

    statuses = [_log_in(client, user.username, "Leto2026!", ATTACKER).status_code for user in victims]

    assert statuses == [200] * 6 + [429] * 2
    # The capped address cannot log in even with a right password; another address can.
    assert _log_in(client, "user0", PASSWORD, ATTACKER).status_code == 429
    assert _log_in(client, "user0", PASSWORD, COLLEAGUE).status_code == 302


def test_the_login_cap_holds_with_redis_down(client, settings, db):
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.FailSoftRedisCache", "LOCATION": DEAD_REDIS, "OPTIONS": {}},
    }
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    victims = [_user(f"user{i}") for i in range(4)]

    statuses = [_log_in(client, user.username, "wrong", ATTACKER).status_code for user in victims]

    assert statuses == [200, 200, 200, 429]


# --- Password reset ---------------------------------------------------------------------------------


def _reset(client, email: str, address: str):
    return client.post(reverse("accounts:password_reset"), {"email": email}, **_via_proxy(address))


def test_password_reset_letters_are_throttled_per_address(client, settings, db, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_PER_EMAIL = 3
    _user("uo")

    with django_capture_on_commit_callbacks(execute=True):
        responses = [_reset(client, "uo@example.ru", ATTACKER if i % 2 else COLLEAGUE) for i in range(10)]

    # The same answer every time (nothing tells that the address exists or was throttled) …
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, reverse("accounts:password_reset_done"))}
    # … but three letters, not ten.
    assert len(mail.outbox) == 3


def test_password_reset_is_throttled_per_client_address(client, settings, db, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_PER_IP = 5
    users = [_user(f"user{i}") for i in range(7)]

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [_reset(client, user.email, ATTACKER).status_code for user in users]

    assert statuses == [302] * 5 + [429] * 2
    assert len(mail.outbox) == 5
    assert _reset(client, users[6].email, COLLEAGUE).status_code == 302


def test_the_reset_letter_is_sent_by_the_worker_not_in_the_request(
    client, db, broker, django_capture_on_commit_callbacks
):
    """With the broker down the page answers at once and no SMTP happens in the request (the
    outbox row waits for the sweep: core/tests/test_letters.py)."""
    _user("uo")
    broker.up = False

    with django_capture_on_commit_callbacks(execute=True):
        response = _reset(client, "uo@example.ru", COLLEAGUE)

    assert response.status_code == 302
    assert mail.outbox == []
    assert broker.attempts == ["core.tasks.send_letter"]  # the outbox row stays for the sweep


def test_the_worker_sends_the_reset_letter_with_a_link_to_the_site(db, settings):
    from accounts.tasks import send_password_reset

    settings.SITE_URL = "https://opora.example.ru"
    _user("uo")

    assert send_password_reset("uo@example.ru") == 1
    assert send_password_reset("nobody@example.ru") == 0

    assert len(mail.outbox) == 1
    assert "https://opora.example.ru/accounts/password/reset/" in mail.outbox[0].body


# --- The anonymous event registration limit ----------------------------------------------------------


def _form(email: str) -> dict:
    return {"full_name": "Иванова Мария Сергеевна", "school": "", "position": "учитель", "subject": "",
            "email": email, "consent": "on"}  # fmt: skip


def test_registration_limit_gives_each_client_behind_the_proxy_its_own_bucket(client, municipality):
    event = EventFactory(municipality=municipality, capacity=None)
    url = reverse("events:register", args=[event.pk])

    first = [client.post(url, _form(f"a{i}@example.ru"), **_via_proxy(ATTACKER)).status_code for i in range(11)]
    other = client.post(url, _form("b@example.ru"), **_via_proxy(COLLEAGUE)).status_code

    assert first[-1] == 429 and first[:10] == [200] * 10
    assert other == 200


def test_registration_limit_ignores_forwarded_for_from_a_private_address_without_trusted_proxies(
    client, municipality, settings
):
    """Before, any private REMOTE_ADDR made X-Forwarded-For believed: rotating it removed the limit."""
    settings.TRUSTED_PROXY_COUNT = 0
    event = EventFactory(municipality=municipality, capacity=None)
    url = reverse("events:register", args=[event.pk])

    statuses = [
        client.post(
            url, _form(f"r{i}@example.ru"), REMOTE_ADDR="192.168.1.50", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
        ).status_code
        for i in range(11)
    ]

    assert statuses[-1] == 429


def test_registration_limit_holds_with_redis_down(client, municipality, settings):
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.FailSoftRedisCache", "LOCATION": DEAD_REDIS, "OPTIONS": {}},
    }
    event = EventFactory(municipality=municipality, capacity=None)
    url = reverse("events:register", args=[event.pk])

    statuses = [client.post(url, _form(f"d{i}@example.ru"), **_via_proxy(ATTACKER)).status_code for i in range(11)]

    assert statuses[-1] == 429
