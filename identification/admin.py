from django.contrib import admin

from identification.models import (
    Criterion,
    IdentificationRun,
    IndicatorRecompute,
    Methodology,
    MethodologyVersion,
    SchoolStatus,
)


@admin.register(SchoolStatus)
class SchoolStatusAdmin(admin.ModelAdmin):
    list_display = ("school", "year", "kind", "source", "decision_number", "decision_date", "revoked_at")
    list_filter = ("kind", "source", "year")
    raw_id_fields = ("school", "approved_by", "revoked_by", "run")


@admin.register(Methodology)
class MethodologyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(MethodologyVersion)
class MethodologyVersionAdmin(admin.ModelAdmin):
    list_display = ("methodology", "number", "required_count", "created_at")
    inlines = [CriterionInline]


@admin.register(IdentificationRun)
class IdentificationRunAdmin(admin.ModelAdmin):
    # Runs are immutable: the admin shows them, the portal makes them.
    list_display = ("pk", "version", "year", "municipality", "status", "schools_count", "proposed_count")
    list_filter = ("status", "year")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(IndicatorRecompute)
class IndicatorRecomputeAdmin(admin.ModelAdmin):
    list_display = ("pk", "municipality", "import_job", "status", "values_written", "created_at")
