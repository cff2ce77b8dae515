from django.urls import reverse

from people.rules import can_manage_people


def nav_items(user) -> list[tuple[str, str, str]]:
    if not can_manage_people(user):
        return []
    return [("Пользователи", reverse("people:list"), "bi-people")]
