"""The audit log entries this app writes (core.audit collects them through core.extensions)."""

ACTIONS: dict[str, str] = {
    "agreement.signed": "Договор о сотрудничестве подписан",
    "agreement.status_changed": "Статус договора изменён",
}
