"""The audit log entries this app writes (core.audit collects them through core.extensions)."""

ACTIONS: dict[str, str] = {
    "results_import.done": "Загрузка результатов записана",
    "results_import.rolled_back": "Загрузка результатов отменена",
    "results_import.names_settled": "Названия школ в загрузке сопоставлены с реестром",
}
