"""The audit log entries this app writes (core.audit collects them through core.extensions)."""

ACTIONS: dict[str, str] = {
    "teachers.imported": "Загружен список педагогов школы",
    "diagnostics.imported": "Загружены результаты диагностики педагогов",
}

DETAILS: dict[str, str] = {"file": "Файл", "created": "Добавлено", "updated": "Изменено"}
