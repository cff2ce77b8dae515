"""Menu entries of roadmaps (core.extensions)."""

from django.urls import reverse

from accounts.models import Role


def nav_items(user) -> list[tuple[str, str, str]]:
    if not user.is_authenticated or not (user.is_superuser or user.role):
        return []
    label = "Программа школы" if user.role in (Role.DIRECTOR, Role.TEACHER) else "Дорожные карты"
    # One entry: periods, overdue measures and the summary are reached from the roadmaps page
    # (the menu is already crowded for a department).
    return [(label, reverse("roadmaps:list"), "bi-signpost-split")]
