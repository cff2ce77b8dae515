from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "identification"
    verbose_name = "Выявление школ"

    def ready(self) -> None:
        from identification.services import indicators_after_import
        from monitoring.imports.follow_ups import import_follow_up_register

        # Indicators follow the data: a done or rolled-back import recomputes the school-years it touched.
        import_follow_up_register("identification.indicators", lambda job: indicators_after_import(job_id=job.pk))
