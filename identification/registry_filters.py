"""identification's filters on the registry's school list (schools.filters.SchoolFilter, core.extensions)."""

import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from identification.models import ACTIVE, SchoolStatus, StatusKind
from schools.models import AcademicYear


def _by_status(queryset: QuerySet, name: str, value: str) -> QuerySet:
    # Active statuses of the current academic year.
    current = SchoolStatus.objects.filter(ACTIVE, kind=value, year=AcademicYear.current(), school=OuterRef("pk"))
    return queryset.filter(Exists(current))


def status_filter() -> django_filters.Filter:
    return django_filters.ChoiceFilter(
        label="Статус", choices=StatusKind.choices, empty_label="Все", method=_by_status, field_name="status"
    )


FILTERS = {"status": status_filter}
