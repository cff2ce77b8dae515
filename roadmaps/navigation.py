"""Menu entries of roadmaps (core.extensions)."""

from django.urls import reverse

from accounts.models import Role


def nav_items(user) -> list[tuple[str, str, str]]:
    if not user.is_authenticated or not (user.is_superuser or user.role):
        return []
    label = "Программа школы" if user.role in (Role.DIRECTOR, Role.TEACHER) else "Дорожные карты"
    items = [(label, reverse("roadmaps:list"), "bi-signpost-split")]
    if user.is_superuser or user.role in (Role.DEPARTMENT, Role.REGION, Role.CURATOR, Role.DIRECTOR):
        items.append(("Отчётные периоды", reverse("roadmaps:period_list"), "bi-calendar-check"))
    return items
