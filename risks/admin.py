from django.contrib import admin

from risks.models import ObjectivitySignal, RiskFactor, RiskQuestion, SchoolRisk, SelfDiagnosis


class RiskQuestionInline(admin.TabularInline):
    model = RiskQuestion
    extra = 0


@admin.register(RiskFactor)
class RiskFactorAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "version", "is_current", "data_source")
    list_filter = ("is_current", "data_source")
    inlines = [RiskQuestionInline]


@admin.register(ObjectivitySignal)
class ObjectivitySignalAdmin(admin.ModelAdmin):
    list_display = ("school", "year", "kind", "subject", "grade", "value", "is_active", "review")
    list_filter = ("kind", "is_active", "review")
    list_select_related = ("school__organisation", "year", "subject")
    raw_id_fields = ("school", "reviewed_by")


@admin.register(SchoolRisk)
class SchoolRiskAdmin(admin.ModelAdmin):
    list_display = ("school", "year", "factor", "level", "source")
    list_filter = ("level", "source")
    list_select_related = ("school__organisation", "year", "factor")
    raw_id_fields = ("school",)


@admin.register(SelfDiagnosis)
class SelfDiagnosisAdmin(admin.ModelAdmin):
    list_display = ("school", "year", "status", "submitted_at")
    list_filter = ("status",)
    raw_id_fields = ("school",)
