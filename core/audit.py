"""Writing the audit log (core.models.AuditEvent): one call from each sensitive service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from core.models import AuditEvent

if TYPE_CHECKING:
    from accounts.models import User

# Every action the log knows, with the words the department reads. Apps add theirs here,
# so the filter on the log page lists them all.
ACTIONS: dict[str, str] = {
    "results_import.done": "Загрузка результатов записана",
    "results_import.rolled_back": "Загрузка результатов отменена",
    "registry_import.done": "Реестр загружен",
    "school.created": "Школа добавлена в реестр",
    "school.changed": "Карточка школы изменена",
    "user.role_changed": "Изменены роль или область доступа пользователя",
    "identification.approved": "Утверждён список по результатам выявления",
    "status.set": "Статус школы установлен",
    "status.revoked": "Статус школы отменён",
    "roadmap.approved": "Дорожная карта утверждена",
    "roadmap.returned": "Дорожная карта возвращена на доработку",
    "progress.accepted": "Отчёт о ходе выполнения принят",
    "progress.returned": "Отчёт о ходе выполнения возвращён",
    "agreement.signed": "Договор о сотрудничестве подписан",
    "agreement.status_changed": "Статус договора изменён",
    "teachers.imported": "Загружен список педагогов школы",
    "diagnostics.imported": "Загружены результаты диагностики педагогов",
    "municipal_export.requested": "Заказана выгрузка данных муниципалитета",
    "municipal_export.downloaded": "Скачана выгрузка данных муниципалитета",
}


def action_label(code: str) -> str:
    return ACTIONS.get(code, code)


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    municipality_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one record; call it inside the action's transaction so both land or neither does."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to core.audit.ACTIONS")
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.full_name or actor.username) if actor is not None else "",
        action=action,
        municipality_id=municipality_id,
        object_type=target._meta.verbose_name if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:300] if target is not None else "",
        details=details or {},
    )
