from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("new/", views.request_new, name="new"),
    path("registry.xlsx/", views.registry_export, name="registry_export"),
    path("agreements.xlsx/", views.agreement_export, name="agreement_export"),
    path(
        "analytics/municipality/<int:pk>.xlsx/",
        views.municipality_analytics_export,
        name="municipality_analytics_export",
    ),
    path("events/<int:pk>/participants.xlsx/", views.event_participants_export, name="event_participants_export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/download/", views.download, name="download"),
    path("snapshots/<int:pk>/download/", views.snapshot_download, name="snapshot_download"),
    path("municipal-export/", views.municipal_export_index, name="municipal_export_index"),
    path("municipal-export/<int:municipality_pk>/", views.municipal_export_page, name="municipal_export"),
    path(
        "municipal-export/files/<int:pk>/download/",
        views.municipal_export_download,
        name="municipal_export_download",
    ),
]
