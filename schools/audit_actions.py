"""The audit log entries this app writes (core.audit collects them through core.extensions)."""

ACTIONS: dict[str, str] = {
    "registry_import.done": "Реестр загружен",
    "school.created": "Школа добавлена в реестр",
    "school.changed": "Карточка школы изменена",
    "municipality.created": "Муниципалитет добавлен",
}
