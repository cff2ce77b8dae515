"""Account flows that write or send: kept out of the views (STYLE.md)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.template.loader import render_to_string

from core.letters import letter_queue, letter_send

RESET_SUBJECT_TEMPLATE = "accounts/password_reset_subject.txt"
RESET_EMAIL_TEMPLATE = "accounts/password_reset_email.txt"


class _CollectingResetForm(PasswordResetForm):
    """Django's reset form, its letters collected instead of sent (core.letters sends them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.letters: list[tuple[str, str, list[str]]] = []

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        self.letters.append((subject, render_to_string(email_template_name, context), [to_email]))


def password_reset_queue(*, email: str) -> None:
    """The reset asked for ``email``: one outbox row, whether the address is known or not.

    Written in the request's transaction and composed by the worker (password_reset_letters),
    so the request answers the same at the same speed whatever the address and the mail server,
    and a broker that is down loses nothing (the job sweep sends it)."""
    letter_queue(purpose="password_reset", compose=RESET_COMPOSER, params={"email": email})


def password_reset_letters(*, email: str) -> list[tuple[str, str, list[str]]]:
    """The reset letters for every active account with this address (none for an unknown one).

    Links point to SITE_URL (no request here). Composed again if the letter is sent again, which
    gives fresh valid links: harmless."""
    form = _CollectingResetForm({"email": email})
    if not form.is_valid():
        return []
    site = urlsplit(settings.SITE_URL)
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        subject_template_name=RESET_SUBJECT_TEMPLATE,
        email_template_name=RESET_EMAIL_TEMPLATE,
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    return form.letters


def password_reset_send(*, email: str) -> int:
    """Queue and send at once (the worker's old task and manual use); returns the letters sent."""
    with transaction.atomic():
        letter = letter_queue(purpose="password_reset", compose=RESET_COMPOSER, params={"email": email})
    letter_send(letter_id=letter.pk)
    letter.refresh_from_db()
    return letter.sent


RESET_COMPOSER = "accounts.services.password_reset_letters"
