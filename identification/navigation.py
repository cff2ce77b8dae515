from django.urls import reverse

from identification.services import can_read_identification


def nav_items(user) -> list[tuple[str, str, str]]:
    if can_read_identification(user):
        return [
            ("Выявление школ", reverse("identification:dashboard"), "bi-bullseye"),
            ("Приказы о статусах", reverse("identification:decisions"), "bi-file-earmark-text"),
        ]
    return []
