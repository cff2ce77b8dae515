from django.contrib import admin

from monitoring.models import ImportJob, SchoolAggregate, Subject


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "fis_oko_abbr")
    search_fields = ("code", "name")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("pk", "original_name", "layout", "status", "uploaded_by", "municipality", "created_at")
    list_filter = ("status", "layout")
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(SchoolAggregate)
class SchoolAggregateAdmin(admin.ModelAdmin):
    """Read-only: the figures change only through an import (and its rollback) or the recompute."""

    list_display = ("school", "year", "procedure", "subject", "grade", "source", "participants", "import_job")
    list_filter = ("procedure", "source", "year")
    list_select_related = ("school__organisation", "year", "subject")
    search_fields = ("school__code",)
    raw_id_fields = ("school", "import_job", "replaced_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
