from django.contrib import admin

from teachers.models import Competence, Deficit, Diagnosis, Mentorship, Route, Teacher


@admin.register(Competence)
class CompetenceAdmin(admin.ModelAdmin):
    list_display = ("name", "area", "threshold", "is_active")
    list_filter = ("area", "is_active")
    search_fields = ("name",)


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "middle_name", "school", "position", "is_active")
    list_select_related = ("school__organisation",)
    search_fields = ("last_name", "email", "school__code")
    raw_id_fields = ("school", "user")


@admin.register(Diagnosis)
class DiagnosisAdmin(admin.ModelAdmin):
    list_display = ("teacher", "competence", "score", "threshold", "date", "source")
    raw_id_fields = ("teacher", "import_batch")


@admin.register(Deficit)
class DeficitAdmin(admin.ModelAdmin):
    list_display = ("teacher", "competence", "opened_by", "closed_by")
    raw_id_fields = ("teacher", "opened_by", "closed_by")


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ("teacher", "year", "status")
    raw_id_fields = ("teacher",)


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin):
    list_display = ("topic", "mentor", "mentee", "starts_on", "ends_on", "status")
    raw_id_fields = ("mentor", "mentee")
