from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from roadmaps.models import Measure, Notification, Objective, ProgressReport, ReportingPeriod, Roadmap


@admin.register(Roadmap)
class RoadmapAdmin(SimpleHistoryAdmin):
    list_display = ("title", "level", "municipality", "school", "status", "published_at")
    list_filter = ("level", "status")
    search_fields = ("title",)
    raw_id_fields = ("school", "teacher", "based_on", "created_by", "approved_by")


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ("title", "direction", "roadmap")
    raw_id_fields = ("roadmap",)


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ("title", "roadmap", "due_on", "status")
    list_filter = ("status",)
    raw_id_fields = ("roadmap", "objective", "responsible_organisation")


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "opens_on", "due_on", "reminder_sent_at")


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ("roadmap", "period", "status", "version")
    list_filter = ("status",)
    raw_id_fields = ("roadmap", "period", "updated_by", "submitted_by", "reviewed_by")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("kind", "subject", "created_at", "sent_at")
