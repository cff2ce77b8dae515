from django.contrib import admin

from partnerships.models import Agreement, AgreementEvent, PartnerCandidate, PartnershipSettings


class AgreementEventInline(admin.TabularInline):
    model = AgreementEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "changes", "comment", "by", "at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("__str__", "supported_school", "status", "signed_on", "municipality")
    list_filter = ("status", "municipality")
    search_fields = ("number", "supported_school__organisation__name")
    raw_id_fields = ("supported_school", "partners", "created_by")
    # Status changes go through partnerships.services.agreement_transition only.
    readonly_fields = ("status",)
    inlines = [AgreementEventInline]


admin.site.register(PartnerCandidate)
admin.site.register(PartnershipSettings)
