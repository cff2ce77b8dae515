"""One outbox for the portal's own letters (``core.models.Letter``): at least once, never twice.

``letter_queue`` writes the row inside the caller's transaction and queues
``core.tasks.send_letter`` on commit. The worker claims the row (core.jobs), sends and marks it
sent in one step, so a message delivered again finds it no longer queued and sends nothing. With
the broker down the row waits «queued» and the job sweep sends it again; a refusal of the mail
server puts it back in the queue for the sweep too.

A composed letter names a function by its dotted path (``compose``), called by the worker with
``params``; it returns the messages to send (``(subject, body, recipients)``), possibly none.
Services of higher apps register nothing here: the path is a string, as tasks are queued by name.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.jobs.services import Claim, JobRetry, job_enqueue, job_finish, job_is_done, job_run
from core.models import Letter

LETTER_REFUSED = "Почтовый сервер не принял письмо; оно будет отправлено повторно."

Message = tuple[str, str, list[str]]


def letter_queue(
    *,
    purpose: str,
    recipients: Iterable[str] = (),
    subject: str = "",
    body: str = "",
    compose: str = "",
    params: dict | None = None,
) -> Letter:
    """Store the letter (in the caller's transaction) and queue its sending once that commits."""
    if not compose and not recipients:
        raise ValueError("a written-out letter needs recipients")
    letter = Letter.objects.create(
        purpose=purpose,
        recipients=list(recipients),
        subject=subject,
        body=body,
        compose=compose,
        params=params or {},
    )
    job_enqueue(letter)
    return letter


def letter_send(*, letter_id: int) -> bool:
    """The task's body: send the letter once; True when it was sent by this call."""
    return job_run(Letter, letter_id, _letter_work) and job_is_done(Letter, letter_id)


def _messages(letter: Letter) -> list[Message]:
    if letter.compose:
        return list(import_string(letter.compose)(**letter.params))
    return [(letter.subject, letter.body, list(letter.recipients))]


def _letter_work(claim: Claim) -> None:
    letter = Letter.objects.get(pk=claim.pk)
    messages = _messages(letter)
    try:
        for subject, body, recipients in messages:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception as exc:
        raise JobRetry(LETTER_REFUSED) from exc  # back to the queue: the sweep sends it again
    with transaction.atomic():
        # The text holds links with tokens and the parameters an address: nothing kept once sent.
        job_finish(claim, sent=len(messages), sent_at=timezone.now(), body="", params={})
