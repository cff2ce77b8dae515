from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerships"
    verbose_name = "Партнёрство школ"

    def ready(self) -> None:
        # The programme's KPIs (identification, below us) ask which schools have an active partner.
        from identification import hooks
        from partnerships import receivers

        hooks.programme_measures.connect(receivers.programme_measure, dispatch_uid="partnerships.kpi")
