from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Отчёты"

    def ready(self) -> None:
        # Roadmaps sit below reports: they announce approvals and submissions, we freeze the PDFs.
        from reports import receivers
        from roadmaps import hooks

        hooks.roadmap_approved.connect(receivers.snapshot_after_approval, dispatch_uid="reports.roadmap_approved")
        hooks.progress_report_submitted.connect(
            receivers.snapshot_after_submission, dispatch_uid="reports.progress_report_submitted"
        )
