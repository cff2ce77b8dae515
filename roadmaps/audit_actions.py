"""The audit log entries this app writes (core.audit collects them through core.extensions)."""

ACTIONS: dict[str, str] = {
    "roadmap.approved": "Дорожная карта утверждена",
    "roadmap.returned": "Дорожная карта возвращена на доработку",
    "progress.accepted": "Отчёт о ходе выполнения принят",
    "progress.returned": "Отчёт о ходе выполнения возвращён",
    "year.opened": "Открыт следующий учебный год",
    "period.changed": "Изменён отчётный период",
    "escalation.settings_changed": "Изменены сроки эскалации несданных отчётов и просроченных мероприятий",
    "objective.rating_confirmed": "Куратор подтвердил оценку задачи программы",
}

DETAILS: dict[str, str] = {
    "rating": "Оценка куратора",
    "computed": "Оценка по данным",
    "actual": "Фактическое значение",
    "comment": "Комментарий",
    "periods": "Отчётных периодов",
    "programmes_carried": "Программ продлено",
    "programmes_restarted": "Программ начато заново",
    "statuses_kept": "Статусов сохранено до нового решения",
    "name_before": "Было название",
    "opens_on_before": "Было открытие",
    "due_on_before": "Был срок сдачи",
    "curator_after_days": "Куратору через, дн.",
    "department_after_days": "Управлению через, дн.",
}
