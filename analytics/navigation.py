from django.urls import reverse


def nav_items(user) -> list[tuple[str, str, str]]:
    if user.is_authenticated:
        return [("Анализ результатов", reverse("analytics:index"), "bi-bar-chart-line")]
    return []
