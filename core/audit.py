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


@functools.cache
def audit_words() -> tuple[dict[str, str], dict[str, str]]:
    """The words for the details' keys and coded values (``<app>.audit_actions.DETAILS`` and
    ``VALUES``), so the log reads «Номер приказа: 42-од», not «decision_number: 42-од»."""
    keys: dict[str, str] = {}
    values: dict[str, str] = {}
    for module in app_modules("audit_actions"):
        keys.update(getattr(module, "DETAILS", {}))
        values.update(getattr(module, "VALUES", {}))
    return keys, values


def details_display(details: Any) -> list[tuple[str, str]]:
    """An event's details as (label, value) pairs in Russian words."""
    keys, values = audit_words()

    def word(value: Any) -> str:
        if isinstance(value, bool):
            return "да" if value else "нет"
        if isinstance(value, list | tuple):
            return ", ".join(word(v) for v in value) or "—"
        if isinstance(value, dict):
            return "; ".join(f"{keys.get(k, k)}: {word(v)}" for k, v in value.items())
        return values.get(str(value), str(value))

    if isinstance(details, dict):
        return [(keys.get(key) or key, word(value)) for key, value in details.items()]
    if isinstance(details, list):
        return [("", word(item)) for item in details]
    return [("", word(details))] if details else []


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
