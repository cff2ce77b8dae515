"""Create forms that create once: a token per rendered form, claimed with the object it makes.

The form carries a random ``submit_token``; the view claims it inside the transaction that
creates the object (``submit_claim``) and records where the object is (``submit_done``). A
second POST with the same token — a double click, a browser resending — gets the first result
back instead of a second agreement or a second comment. If the create fails, the transaction
rolls the claim back with it, so the user can correct the form and send it again.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import SubmitToken


class SubmitTokenField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, required=False, max_length=64, **kwargs)


def submit_token_new() -> str:
    return secrets.token_urlsafe(24)


def submit_claim(*, token: str, user) -> SubmitToken | None:
    """Claim ``token`` for this submission: None if it is the first one (go on and create);
    the earlier submission's row if the form was already sent. Call inside the create's
    transaction. An empty token (an old page) is never a duplicate."""
    if not token:
        return None
    try:
        with transaction.atomic():
            SubmitToken.objects.create(token=token, user=user)
    except IntegrityError:
        return SubmitToken.objects.filter(token=token, user=user).first() or SubmitToken(token=token, user=user)
    return None


def submit_done(*, token: str, user, url: str) -> None:
    if token:
        SubmitToken.objects.filter(token=token, user=user).update(url=url[:300])


def submit_tokens_purge(*, older_than: timedelta = timedelta(days=2)) -> int:
    deleted, _ = SubmitToken.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
