"""The audit log entries this app writes (core.audit collects them through core.extensions)."""

ACTIONS: dict[str, str] = {
    "identification.approved": "Утверждён список по результатам выявления",
    "status.set": "Статус школы установлен",
    "status.revoked": "Статус школы отменён",
}
