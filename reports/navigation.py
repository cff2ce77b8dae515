"""Menu entry of the reports app (core.extensions)."""

from django.urls import reverse


def nav_items(user) -> list[tuple[str, str, str]]:
    if user.is_authenticated:
        return [("Отчёты", reverse("reports:archive"), "bi-file-earmark-text")]
    return []
