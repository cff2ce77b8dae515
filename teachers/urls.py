from django.urls import path

from teachers import views

app_name = "teachers"

urlpatterns = [
    path("", views.index, name="index"),
    path("school/<int:school_pk>/", views.school_teachers, name="school"),
    path("school/<int:school_pk>/new/", views.teacher_create, name="create"),
    path("school/<int:school_pk>/import/", views.roster_import, name="roster_import"),
    path("school/<int:school_pk>/diagnostics/import/", views.diagnostics_import, name="diagnostics_import"),
    path("import/template.xlsx", views.roster_template, name="roster_template"),
    path("diagnostics/template.xlsx", views.diagnostics_template, name="diagnostics_template"),
    path("competences/", views.competence_list, name="competences"),
    path("<int:pk>/", views.teacher_detail, name="detail"),
    path("<int:pk>/edit/", views.teacher_edit, name="edit"),
    path("<int:pk>/diagnosis/", views.diagnosis_add, name="diagnosis_add"),
    path("<int:pk>/route/new/", views.route_create, name="route_create"),
    path("my-route/", views.my_route, name="my_route"),
    path("routes/<int:pk>/", views.route_detail, name="route_detail"),
    path("routes/<int:pk>/goals/new/", views.goal_add, name="goal_add"),
    path("routes/<int:pk>/steps/new/", views.step_add, name="step_add"),
    path("steps/<int:pk>/status/", views.step_status, name="step_status"),
    path("mentoring/", views.mentoring_list, name="mentoring"),
    path("mentoring/new/", views.mentorship_create, name="mentorship_create"),
    path("mentoring/<int:pk>/", views.mentorship_detail, name="mentorship_detail"),
    path("mentoring/<int:pk>/meetings/new/", views.meeting_add, name="meeting_add"),
]
