from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Пользователи и доступ"

    def ready(self):
        from accounts import signals  # noqa: F401 - connects the failed-login counter
