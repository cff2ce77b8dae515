from django.urls import path

from partnerships import views

app_name = "partnerships"

urlpatterns = [
    path("", views.agreement_list, name="agreement_list"),
    path("new/", views.agreement_create, name="agreement_create"),
    path("<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/transition/", views.agreement_transition, name="agreement_transition"),
    path("<int:pk>/scan/", views.agreement_scan, name="agreement_scan"),
    path("<int:pk>/scan/upload/", views.agreement_scan_upload, name="agreement_scan_upload"),
    path("<int:pk>/assess/", views.agreement_assess, name="agreement_assess"),
    path("schools/", views.supported_list, name="supported_list"),
    path("schools/<int:school_pk>/matching/", views.matching, name="matching"),
    path(
        "schools/<int:school_pk>/matching/<int:organisation_pk>/accept/",
        views.suggestion_accept,
        name="suggestion_accept",
    ),
    path("candidates/", views.candidate_list, name="candidates"),
    path("candidates/<int:pk>/remove/", views.candidate_remove, name="candidate_remove"),
    path("settings/", views.settings_edit, name="settings"),
]
