"""Menu entries of the reports app (core.extensions)."""

from django.urls import reverse

from reports.selectors import can_export_municipal_data


def nav_items(user) -> list[tuple[str, str, str]]:
    if not user.is_authenticated:
        return []
    items = [("Отчёты", reverse("reports:archive"), "bi-file-earmark-text")]
    if can_export_municipal_data(user):
        items.append(("Выгрузка данных", reverse("reports:municipal_export_index"), "bi-file-earmark-zip"))
    return items
