from django.contrib import admin

from monitoring.models import ImportJob, Subject


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
