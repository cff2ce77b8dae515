from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/template/context.xlsx", views.import_template, name="import_template"),
    path("imports/template/<slug:kind>.xlsx", views.import_template, name="import_template_of"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("imports/<int:pk>/names/", views.import_matching, name="import_matching"),
    path("imports/<int:pk>/rollback/", views.import_rollback, name="import_rollback"),
]
