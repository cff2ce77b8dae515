from django.contrib import admin

from reports.models import ReportRequest, Snapshot


@admin.register(ReportRequest)
class ReportRequestAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "format", "requested_by", "status", "progress", "created_at")
    list_filter = ("kind", "status", "format")
    readonly_fields = ("token", "created_at", "started_at", "finished_at")


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ("roadmap", "event", "progress_report", "status", "frozen_at")
    list_filter = ("event", "status")
