from django.urls import path

from schools import views

app_name = "schools"

urlpatterns = [
    path("", views.school_list, name="list"),
    path("new/", views.school_create, name="create"),
    path("<int:pk>/", views.school_detail, name="detail"),
    path("<int:pk>/edit/", views.school_edit, name="edit"),
    path("import/", views.registry_import, name="import"),
    path("import/template.xlsx", views.registry_import_template, name="import_template"),
    path("import/<int:pk>/", views.registry_import_detail, name="import_detail"),
    path("import/<int:pk>/mapping/", views.registry_import_mapping, name="import_mapping"),
    path("municipalities/", views.municipality_list, name="municipalities"),
]
