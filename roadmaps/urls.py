from django.urls import path

from roadmaps import views

app_name = "roadmaps"

urlpatterns = [
    path("", views.roadmap_list, name="list"),
    path("new/", views.roadmap_create, name="create"),
    path("<int:pk>/", views.roadmap_detail, name="detail"),
    path("<int:pk>/builder/", views.roadmap_builder, name="builder"),
    path("<int:pk>/objectives/new/", views.objective_add, name="objective_add"),
    path("<int:pk>/action/", views.roadmap_transition, name="transition"),
    path("<int:pk>/periods/<int:period_pk>/progress/", views.progress, name="progress"),
    path("objectives/<int:pk>/measures/new/", views.measure_add, name="measure_add"),
    path("objectives/<int:pk>/delete/", views.objective_delete, name="objective_delete"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure_delete"),
    path("reports/<int:pk>/", views.review, name="review"),
    path("reports/<int:pk>/comment/", views.report_comment, name="report_comment"),
    path("reports/<int:pk>/ratings/", views.objective_rating, name="objective_rating"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("periods/", views.period_list, name="period_list"),
    path("periods/<int:pk>/", views.period_detail, name="period_detail"),
    path("periods/<int:pk>/edit/", views.period_edit, name="period_edit"),
    path("periods/next-year/", views.year_open, name="year_open"),
    path("periods/escalation/", views.escalation_settings, name="escalation_settings"),
    path("schools/<int:pk>/visits/", views.visit_log, name="visit_log"),
    path("schools/<int:pk>/visits/brief/", views.visit_brief, name="visit_brief"),
    path("overdue/", views.overdue, name="overdue"),
    path("public/", views.public_index, name="public_index"),
    path("public/<int:pk>/", views.public_roadmap, name="public_roadmap"),
    path("public/periods/<int:pk>/", views.public_period, name="public_period"),
]
