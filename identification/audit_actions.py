"""The audit log entries this app writes (core.audit collects them through core.extensions)."""

ACTIONS: dict[str, str] = {
    "identification.approved": "Утверждён список по результатам выявления",
    "status.set": "Статус школы установлен",
    "status.revoked": "Статус школы отменён",
}

# Words for the keys and coded values of this app's audit details.
DETAILS: dict[str, str] = {
    "decision_number": "Номер приказа",
    "kind": "Статус",
    "added": "Добавлено",
    "kept": "Оставлено",
    "revoked": "Отменено",
    "reason": "Причина",
    "schools": "Школ",
}
VALUES: dict[str, str] = {
    "low_results": "ШНОР",
    "difficult_conditions": "ШССУ",
    "high_results": "высокие результаты",
    "risk_zone": "зона риска",
    "effective": "эффективный режим",
}
