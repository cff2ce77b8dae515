from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.index, name="index"),
    path("school/<int:pk>/", views.school_analytics, name="school"),
    path("school/<int:pk>/analysis.xlsx", views.school_analytics_xlsx, name="school_xlsx"),
    path("school/<int:pk>/class/<str:class_name>/", views.school_analytics, name="class"),
    path("school/<int:pk>/class/<str:class_name>/analysis.xlsx", views.school_analytics_xlsx, name="class_xlsx"),
    path("municipality/<int:pk>/", views.municipality_analytics, name="municipality"),
    path("catalogues/", views.catalogue_list, name="catalogue_list"),
    path("catalogues/upload/", views.catalogue_upload, name="catalogue_upload"),
    path("catalogues/template.xlsx", views.catalogue_template, name="catalogue_template"),
    path("catalogues/<int:pk>/", views.catalogue_detail, name="catalogue_detail"),
    path("catalogues/items/<int:pk>/edit/", views.catalogue_item_edit, name="catalogue_item_edit"),
]
