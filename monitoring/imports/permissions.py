"""Who may upload results and roll an import back (DESIGN.md §3)."""

from __future__ import annotations

from accounts.models import Role, User
from core.errors import ApplicationError

UPLOAD_NOT_ALLOWED = "Загружать результаты могут региональный уровень, управление образования и руководитель школы."
ROLLBACK_NOT_DONE = "Отменить можно только успешно завершённую загрузку."
ROLLBACK_REPLACED = "Данные этой загрузки уже заменены загрузкой {numbers}: сначала отмените её."
ROLLBACK_ALREADY = "Загрузка уже отменена."


class ImportRefused(ApplicationError):
    """An action on an import that the rules forbid; the message is for the user, in Russian."""


def can_upload_results(user: User) -> bool:
    """The region role for its region's schools (region-wide files), department staff for their
    municipality, a director for their own school (DESIGN.md §3)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.role == Role.REGION:
        return user.region_id is not None
    if user.role == Role.DEPARTMENT:
        return user.municipality_id is not None
    return user.role == Role.DIRECTOR and user.school_id is not None


def can_roll_back_results(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.role == Role.DEPARTMENT and user.municipality_id is not None)
