from django.urls import path

from portal import views

# The names are core:… since these pages lived in core; every template and test uses them.
app_name = "core"

urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("system/", views.public_system, name="public_system"),
    path("home/", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("audit/", views.audit_log, name="audit_log"),
]
