from django.apps import AppConfig


class RoadmapsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "roadmaps"
    verbose_name = "Дорожные карты"

    def ready(self) -> None:
        # The programme's KPIs (identification, below us) ask which schools have an approved programme.
        from identification import hooks
        from roadmaps import receivers

        hooks.programme_measures.connect(receivers.programme_measure, dispatch_uid="roadmaps.kpi")
