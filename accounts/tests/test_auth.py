"""Login, lock-out, logout and both password flows, through the real views."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

NEW_PASSWORD = "Novyi-parol-Opora-2026"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Every login here checks a password; the production hasher takes ~0.3 s a check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _rehash(user):
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def department(department):
    return _rehash(department)


@pytest.fixture
def methodologist(methodologist):
    return _rehash(methodologist)


def _log_in(client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _is_logged_in(client) -> bool:
    return client.get(reverse("core:home")).status_code == 200


# --- Login --------------------------------------------------------------------------------


def test_login_with_the_right_password_lands_on_the_home_page(client, department):
    response = _log_in(client, "department", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert _is_logged_in(client)


def test_login_honours_a_next_url_inside_the_site(client, department):
    response = client.post(
        reverse("accounts:login"), {"username": "department", "password": PASSWORD, "next": reverse("schools:list")}
    )

    assert response["Location"] == reverse("schools:list")


def test_login_ignores_a_next_url_on_another_site(client, department):
    response = client.post(
        reverse("accounts:login"), {"username": "department", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("core:home")


def test_login_with_a_wrong_password_shows_a_russian_error(client, department):
    response = _log_in(client, "department", "not-the-password")

    assert response.status_code == 200
    assert "Неверный логин или пароль" in response.content.decode()
    assert not _is_logged_in(client)


def test_inactive_user_cannot_log_in(client, department):
    department.is_active = False
    department.save(update_fields=["is_active"])

    response = _log_in(client, "department", PASSWORD)

    assert response.status_code == 200
    assert not _is_logged_in(client)


def test_axes_locks_the_account_out_after_the_failure_limit(client, settings, department):
    settings.AXES_FAILURE_LIMIT = 3

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _log_in(client, "department", "wrong").status_code == 200
    locked = _log_in(client, "department", "wrong")

    assert locked.status_code == 429
    assert "Вход временно заблокирован" in locked.content.decode()
    # Even the right password is refused while the lock holds.
    assert _log_in(client, "department", PASSWORD).status_code == 429
    assert not _is_logged_in(client)


def test_axes_lock_out_of_one_user_leaves_others_alone(client, settings, department, methodologist):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        _log_in(client, "department", "wrong")

    response = _log_in(client, "methodologist", PASSWORD)

    assert response.status_code == 302
    assert _is_logged_in(client)


def test_a_successful_login_resets_the_failure_count(client, settings, department):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        _log_in(client, "department", "wrong")
    assert _log_in(client, "department", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))

    for _ in range(2):
        assert _log_in(client, "department", "wrong").status_code == 200


# --- Logout --------------------------------------------------------------------------------


def test_logout_by_get_is_refused_and_keeps_the_session(client, department):
    client.force_login(department)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert _is_logged_in(client)


def test_logout_by_post_ends_the_session(client, department):
    client.force_login(department)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("core:public_home")
    home = client.get(reverse("core:home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("accounts:login"))


# --- Password change --------------------------------------------------------------------------


def test_password_change_sets_the_new_password_and_keeps_the_session(client, department):
    client.force_login(department)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    department.refresh_from_db()
    assert department.check_password(NEW_PASSWORD)
    assert _is_logged_in(client)


def test_password_change_with_a_wrong_old_password_changes_nothing(client, department):
    client.force_login(department)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "старый пароль введен неправильно" in response.content.decode()
    department.refresh_from_db()
    assert department.check_password(PASSWORD)


def test_new_password_works_at_the_login_page(client, department):
    client.force_login(department)
    client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    client.post(reverse("accounts:logout"))

    assert _log_in(client, "department", PASSWORD).status_code == 200
    assert _log_in(client, "department", NEW_PASSWORD).status_code == 302


# --- Password reset by e-mail -------------------------------------------------------------------

_RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def request_reset(client, django_capture_on_commit_callbacks):
    """POST the reset form as a browser does and return the path of the letter's link (the letter
    leaves the outbox, core.letters, once the request commits)."""

    def run(email: str) -> str:
        # django.core.mail.outbox, not pytest-django's ``mailoutbox`` fixture: the db fixture's
        # TestCase set-up replaces the list when it runs after ``mailoutbox`` has taken it.
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:password_reset"), {"email": email})
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:password_reset_done")
        assert len(mail.outbox) == 1
        match = _RESET_LINK.search(mail.outbox[0].body)
        assert match, mail.outbox[0].body
        return match[1]

    return run


def test_password_reset_sends_a_russian_letter_to_the_user(client, department, request_reset):
    request_reset(department.email)

    letter = mail.outbox[0]
    assert letter.to == [department.email]
    assert letter.subject == "Опора: восстановление пароля"
    assert "логин: department" in letter.body


def test_password_reset_link_sets_a_new_password(client, department, request_reset):
    link = request_reset(department.email)

    # The token is swapped for a session key and the browser sent on to a clean URL.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Новый пароль" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    department.refresh_from_db()
    assert department.check_password(NEW_PASSWORD)
    assert _log_in(client, "department", NEW_PASSWORD).status_code == 302


def test_password_reset_link_works_only_once(client, department, request_reset):
    link = request_reset(department.email)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert "Ссылка недействительна" in again.content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.ru"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


@pytest.mark.parametrize("new_password", ["12345678", "department1"])
def test_password_reset_refuses_weak_passwords(client, department, new_password, request_reset):
    link = request_reset(department.email)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]

    response = client.post(set_password_url, {"new_password1": new_password, "new_password2": new_password})

    assert response.status_code == 200
    department.refresh_from_db()
    assert department.check_password(PASSWORD)
