from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("portal.urls")),
    path("accounts/", include("accounts.urls")),
    path("schools/", include("schools.urls")),
    path("people/", include("people.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("identification/", include("identification.urls")),
    path("analytics/", include("analytics.urls")),
    path("risks/", include("risks.urls")),
    path("roadmaps/", include("roadmaps.urls")),
    path("partnerships/", include("partnerships.urls")),
    path("events/", include("events.urls")),
    path("teachers/", include("teachers.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
