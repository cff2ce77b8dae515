from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("new/", views.request_new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/download/", views.download, name="download"),
    path("snapshots/<int:pk>/download/", views.snapshot_download, name="snapshot_download"),
]
