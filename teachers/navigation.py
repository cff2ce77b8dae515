"""Menu entries of the teachers app (core.extensions)."""

from django.urls import reverse

from accounts.models import Role
from teachers.selectors import may_read_names


def nav_items(user) -> list[tuple[str, str, str]]:
    if user.role == Role.TEACHER and not user.is_superuser:
        return [("Мой маршрут", reverse("teachers:my_route"), "bi-signpost-split")]
    if may_read_names(user):
        return [("Педагоги", reverse("teachers:index"), "bi-person-badge")]
    return []
