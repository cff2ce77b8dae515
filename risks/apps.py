from django.apps import AppConfig


class RisksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "risks"
    verbose_name = "Риски и объективность"

    def ready(self) -> None:
        # Identification sits below us: after an import's recompute it announces the school-years
        # it touched (we refresh signals and risk profiles) and asks for the new signals.
        from identification import hooks
        from risks import receivers

        hooks.recompute_after_import_done.connect(receivers.recompute_after_import, dispatch_uid="risks.recompute")
        hooks.import_changes_found.connect(receivers.new_signals, dispatch_uid="risks.new_signals")
