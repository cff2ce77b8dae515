from django.urls import path

from identification import views

app_name = "identification"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indicators/", views.indicator_catalogue, name="catalogue"),
    path("indicators/recompute/", views.recompute_start, name="recompute_start"),
    path("indicators/recompute/<int:pk>/", views.recompute_detail, name="recompute_detail"),
    path("indicators/weights/", views.weights, name="weights"),
    path("methodology/", views.methodology_list, name="methodology_list"),
    path("methodology/<int:pk>/", views.version_detail, name="version_detail"),
    path("methodology/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path("runs/new/", views.run_create, name="run_create"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/approve/", views.run_approve, name="run_approve"),
    path("decisions/", views.decision_list, name="decisions"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/file/", views.decision_file, name="decision_file"),
    path("schools/<int:pk>/", views.school_monitoring, name="school"),
    path("schools/<int:school_pk>/statuses/new/", views.status_create, name="status_create"),
    path("statuses/<int:pk>/revoke/", views.status_revoke, name="status_revoke"),
]
