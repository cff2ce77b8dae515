from django.apps import AppConfig


class TeachersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "teachers"
    verbose_name = "Педагоги"

    def ready(self) -> None:
        # Attendance and course completion are written by events, below us: it announces them.
        from events import hooks
        from teachers import receivers

        hooks.attendance_changed.connect(receivers.route_steps_after_attendance, dispatch_uid="teachers.attendance")
        hooks.course_completed.connect(receivers.route_steps_after_course, dispatch_uid="teachers.course")
