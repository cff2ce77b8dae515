"""Account flows that write or send: kept out of the views (STYLE.md)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm

RESET_SUBJECT_TEMPLATE = "accounts/password_reset_subject.txt"
RESET_EMAIL_TEMPLATE = "accounts/password_reset_email.txt"


def password_reset_send(*, email: str) -> int:
    """Send the reset letter to every active account with this address; returns how many.

    Runs in the worker (accounts.tasks), with the address exactly as the form took it: the
    request answers the same at the same speed whether the address is known or not, and
    whatever the mail server does. Links point to SITE_URL (no request here). Running it twice
    sends two letters with two valid links, which is harmless.
    """
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    site = urlsplit(settings.SITE_URL)
    users = list(form.get_users(form.cleaned_data["email"]))
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        subject_template_name=RESET_SUBJECT_TEMPLATE,
        email_template_name=RESET_EMAIL_TEMPLATE,
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    return len(users)
