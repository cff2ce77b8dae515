from __future__ import annotations

from django.urls import reverse

from accounts.models import Role
from risks import selectors


def nav_items(user) -> list[tuple[str, str, str]]:
    items = []
    if selectors.has_role(user, selectors.SIGNAL_LIST_ROLES):
        items.append(("Сигналы объективности", reverse("risks:signals"), "bi-flag"))
    if selectors.has_role(user, selectors.OVERVIEW_ROLES):
        items.append(("Рисковые профили", reverse("risks:overview"), "bi-grid-3x3"))
    if user.role == Role.DIRECTOR and user.school_id:
        items.append(("Рисковый профиль", reverse("risks:school", args=[user.school_id]), "bi-shield-exclamation"))
    return items
