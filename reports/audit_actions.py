"""The audit log entries this app writes (core.audit collects them through core.extensions)."""

ACTIONS: dict[str, str] = {
    "municipal_export.requested": "Заказана выгрузка данных муниципалитета",
    "municipal_export.downloaded": "Скачана выгрузка данных муниципалитета",
    "report.personal_downloaded": "Скачан отчёт с персональными данными (список участников)",
}
