from django.apps import AppConfig


class TeachersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "teachers"
    verbose_name = "Педагоги"

    def ready(self) -> None:
        # Attendance and course completion are written by events, below us: it announces them.
        from events import hooks
        from identification import hooks as identification_hooks
        from teachers import receivers

        hooks.attendance_changed.connect(receivers.route_steps_after_attendance, dispatch_uid="teachers.attendance")
        hooks.course_completed.connect(receivers.route_steps_after_course, dispatch_uid="teachers.course")
        # The programme's KPIs (identification, below us) ask which schools' teachers did КПК.
        identification_hooks.programme_measures.connect(receivers.programme_measure, dispatch_uid="teachers.kpk")
