from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _unicode_case_functions(sender, connection, **kwargs):
    """SQLite's LOWER/UPPER fold only ASCII; Russian names need full Unicode folding.

    PostgreSQL folds Cyrillic itself, so only SQLite connections are patched.
    """
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("lower", 1, lambda s: s.lower() if isinstance(s, str) else s, deterministic=True)
    raw.create_function("upper", 1, lambda s: s.upper() if isinstance(s, str) else s, deterministic=True)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Общие страницы"

    def ready(self) -> None:
        connection_created.connect(_unicode_case_functions, dispatch_uid="core.unicode_case_functions")
