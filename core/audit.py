"""Writing the audit log (core.models.AuditEvent): one call from each sensitive service."""

from __future__ import annotations

import functools
from typing import Any, Protocol, cast

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from core.extensions import app_modules
from core.models import AuditEvent


class Actor(Protocol):
    """The user who acted (accounts.User; core names no app above it)."""

    @property
    def pk(self) -> Any: ...
    @property
    def full_name(self) -> str: ...
    @property
    def username(self) -> str: ...


@functools.cache
def audit_actions() -> dict[str, str]:
    """Every action the log knows, with the words the department reads, from every app's
    ``<app>.audit_actions.ACTIONS`` (core.extensions); the filter on the log page lists them all."""
    actions: dict[str, str] = {}
    for module in app_modules("audit_actions"):
        for code, label in module.ACTIONS.items():
            if code in actions:
                raise ImproperlyConfigured(f"audit action {code!r} is declared twice (see {module.__name__})")
            actions[code] = label
    return actions


def action_label(code: str) -> str:
    return audit_actions().get(code, code)


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    target: models.Model | None = None,
    municipality_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one record; call it inside the action's transaction so both land or neither does."""
    if action not in audit_actions():
        raise ValueError(f"unknown audit action {action!r}: add it to the app's audit_actions.ACTIONS")
    return AuditEvent.objects.create(
        # The settings' user model (accounts.User), which core's own code does not name.
        actor=cast(Any, actor) if actor is not None and actor.pk else None,
        actor_name=(actor.full_name or actor.username) if actor is not None else "",
        action=action,
        municipality_id=municipality_id,
        object_type=str(target._meta.verbose_name) if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:300] if target is not None else "",
        details=details or {},
    )
