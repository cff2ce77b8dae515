"""Reads of identification outcomes that other apps use."""

from __future__ import annotations

from django.db.models import QuerySet

from identification.models import ACTIVE, SchoolStatus, StatusKind
from schools.models import AcademicYear, School


def current_year() -> AcademicYear | None:
    return AcademicYear.objects.filter(is_current=True).first()


def supported_schools(*, schools: QuerySet[School] | None = None, year: AcademicYear | None = None) -> QuerySet[School]:
    """Schools with an active ШНОР or ШССУ status in the year (the current one by default).

    ``schools`` narrows the answer to a scope, e.g. ``accounts.scopes.schools_for(user)``.
    """
    year = year or current_year()
    base = schools if schools is not None else School.objects.all()
    if year is None:
        return base.none()
    supported = SchoolStatus.objects.filter(ACTIVE, year=year, kind__in=StatusKind.supported()).values("school_id")
    return base.filter(pk__in=supported)


def statuses_of(*, school: School) -> QuerySet[SchoolStatus]:
    """Every status of a school, active and revoked, newest year first (the card's history)."""
    return SchoolStatus.objects.filter(school=school).select_related("year", "approved_by", "revoked_by")
