from django.contrib import admin

from identification.models import SchoolStatus


@admin.register(SchoolStatus)
class SchoolStatusAdmin(admin.ModelAdmin):
    list_display = ("school", "year", "kind", "source", "decision_number", "decision_date", "revoked_at")
    list_filter = ("kind", "source", "year")
    raw_id_fields = ("school", "approved_by", "revoked_by")
