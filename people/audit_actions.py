"""The audit log entries this app writes (core.audit collects them through core.extensions)."""

ACTIONS: dict[str, str] = {
    "user.invited": "Пользователь приглашён",
    "user.changed": "Учётная запись изменена",
    "user.deactivated": "Учётная запись отключена",
    "user.reactivated": "Учётная запись включена снова",
    "user.password_reset": "Отправлена ссылка для нового пароля",
    "curators.assigned": "Изменено закрепление кураторов за школами",
    "users.bulk_created": "Учётные записи созданы списком",
}

DETAILS: dict[str, str] = {
    "role": "Роль",
    "email": "Эл. почта",
    "school": "Школа",
    "curated": "Курируемые школы",
    "sessions_ended": "Завершено сеансов",
    "links": "Изменено связей",
}
