"""The audit log: who did what to which object, for the department to read (issue #10).

Sensitive actions only — imports and their rollbacks, approvals and status changes, agreement
signing, role changes — each written by the service that performs the action, inside its
transaction, through ``core.audit.audit_record``. Rows are never changed or deleted by the app.
"""

from __future__ import annotations

from django.db import models

from core.jobs.models import Job
from core.queue import RESEND_LETTERS_WITHIN


class AuditEvent(models.Model):
    created_at = models.DateTimeField("когда", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто",
        help_text="Пусто — система или командная строка.",
    )
    actor_name = models.CharField("кто (как был записан)", max_length=300, blank=True)
    action = models.CharField("действие", max_length=40, db_index=True)
    # Whose record it is: the department of this municipality reads it; empty — operators only.
    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_type = models.CharField("объект", max_length=100, blank=True)
    object_id = models.CharField("номер объекта", max_length=40, blank=True)
    object_repr = models.CharField("описание объекта", max_length=300, blank=True)
    details = models.JSONField("подробности", default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "запись журнала действий"
        verbose_name_plural = "журнал действий"
        indexes = [models.Index(fields=["municipality", "-created_at"], name="audit_muni_created")]

    def __str__(self) -> str:
        return f"{self.created_at:%d.%m.%Y %H:%M} {self.actor_name or 'система'}: {self.action}"


class RateLimitCounter(models.Model):
    """One fixed window of one rate limit (core.ratelimit): logins per address, password resets,
    registrations. In the database, not the cache: a limit must hold while Redis is down, and be
    shared by every web process. ``bucket`` holds a hash, never the address or e-mail itself."""

    bucket = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "счётчик ограничения частоты"
        verbose_name_plural = "счётчики ограничения частоты"

    def __str__(self) -> str:
        return f"{self.bucket[:12]}…: {self.count}"


class SubmitToken(models.Model):
    """One submission of a create form (core.idempotency): the second POST of the same form —
    a double click, a resent request — finds the row and is answered with the first result."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.token[:8]}… → {self.url or '—'}"


class Letter(Job):
    """The outbox of the portal's own letters (a password reset, an invitation, a new password).

    The action that calls for a letter writes its row in the action's transaction (core.letters);
    the worker claims the row and sends it, so a message delivered twice sends one letter, and a
    broker that is down when the request commits loses nothing: the row stays «queued» and the
    job sweep (core.jobs, ``core.tasks.sweep_jobs``) sends it while it is news (``RESEND_WITHIN``).

    A letter is either written out (``recipients``, ``subject``, ``body``) or composed by the worker
    (``compose``: the dotted path of a function taking ``params`` and returning the messages), so a
    request that must not tell whether an address is known writes the same row either way. The text
    and the parameters (links with tokens, addresses) are blanked once the letter is sent.
    """

    TASK_NAME = "core.tasks.send_letter"
    RESEND_WITHIN = RESEND_LETTERS_WITHIN

    purpose = models.CharField("назначение", max_length=40)
    recipients = models.JSONField("получатели", default=list, blank=True)
    subject = models.CharField("тема", max_length=300, blank=True)
    body = models.TextField("текст", blank=True)
    compose = models.CharField("составитель", max_length=200, blank=True)
    params = models.JSONField("параметры", default=dict, blank=True)
    sent = models.PositiveSmallIntegerField("отправлено писем", default=0)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "письмо"
        verbose_name_plural = "очередь писем"

    def __str__(self) -> str:
        return f"{self.purpose} #{self.pk}"
