from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("home/", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("audit/", views.audit_log, name="audit_log"),
]
