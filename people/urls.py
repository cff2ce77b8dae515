from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    # Accounts managed by the department (its municipality) or the region (DESIGN.md §3).
    path("", views.people_list, name="list"),
    path("invite/", views.person_invite, name="invite"),
    path("directors/", views.directors_bulk, name="directors_bulk"),
    path("import/", views.people_import, name="import"),
    path("import/template/", views.people_import_template, name="import_template"),
    path("curators/", views.curators, name="curators"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/deactivate/", views.person_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.person_reactivate, name="reactivate"),
    path("<int:pk>/password/", views.person_password_reset, name="password_reset"),
    path("invitation/<uidb64>/<token>/", views.invitation_accept, name="invitation_accept"),
]
