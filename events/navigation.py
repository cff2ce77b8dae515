from django.urls import reverse

from events.permissions import can_manage_centre


def nav_items(user) -> list[tuple[str, str, str]]:
    if can_manage_centre(user):
        return [("Методический центр", reverse("events:staff_home"), "bi-easel")]
    return [
        ("Мероприятия", reverse("events:list"), "bi-calendar-event"),
        ("Мои записи", reverse("events:my_registrations"), "bi-journal-check"),
    ]
