from django.urls import path

from risks import views

app_name = "risks"

urlpatterns = [
    path("signals/", views.signals, name="signals"),
    path("signals/<int:pk>/review/", views.signal_review, name="signal_review"),
    path("recompute/", views.recompute, name="recompute"),
    path("recompute/<int:pk>/", views.recompute_status, name="recompute_status"),
    path("overview/", views.overview, name="overview"),
    path("factors/", views.catalogue, name="catalogue"),
    path("factors/<int:pk>/edit/", views.factor_edit, name="factor_edit"),
    path("schools/<int:pk>/", views.school, name="school"),
    path("schools/<int:pk>/self-diagnosis/", views.questionnaire, name="questionnaire"),
    path("schools/<int:pk>/self-diagnosis/lock/", views.questionnaire_lock, name="questionnaire_lock"),
]
