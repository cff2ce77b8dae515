from django.contrib import admin

from events.models import Association, Enrolment, Event, Page, Practice, Programme, Registration


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "status", "municipality"]
    list_filter = ["status", "kind"]
    search_fields = ["title"]
    raw_id_fields = ["organiser", "host_school", "association", "created_by"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["full_name", "event", "status", "attended"]
    list_filter = ["status", "attended"]
    raw_id_fields = ["event", "school", "user"]


admin.site.register([Programme, Association, Practice, Page])
admin.site.register(Enrolment, raw_id_fields=["programme", "school"])
