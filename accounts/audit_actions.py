"""The audit log entries this app writes (core.audit collects them through core.extensions)."""

ACTIONS: dict[str, str] = {
    "user.role_changed": "Изменены роль или область доступа пользователя",
}
