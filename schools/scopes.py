"""The one place that decides what a user may see and change.

Every view, htmx fragment, export, PDF and Celery task fetches objects through these
functions (or through selectors built on them), so a user outside the scope gets a 404,
never somebody else's data. DESIGN.md §3 is the source of the rules:

* department — everything inside their municipality; manages the registry there;
* region — reads every municipality of their region;
* methodologist — reads the schools of their municipality;
* curator — reads the schools assigned to them;
* director, teacher — their own school.

A superuser sees everything (operators only; not a product role).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from accounts.models import Role

if TYPE_CHECKING:
    from accounts.models import User
    from schools.models import Municipality, School


def municipalities_for(user: User) -> QuerySet[Municipality]:
    from schools.models import Municipality

    qs = Municipality.objects.select_related("region")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs.all()
    if user.role == Role.REGION:
        return qs.filter(region_id=user.region_id) if user.region_id else qs.none()
    if user.role in (Role.DEPARTMENT, Role.METHODOLOGIST, Role.CURATOR):
        return qs.filter(pk=user.municipality_id) if user.municipality_id else qs.none()
    if user.role in (Role.DIRECTOR, Role.TEACHER) and user.school_id:
        return qs.filter(schools__pk=user.school_id)
    return qs.none()


def schools_for(user: User) -> QuerySet[School]:
    """Schools the user may read."""
    from schools.models import School

    qs = School.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.REGION:
        return qs.filter(municipality__region_id=user.region_id) if user.region_id else qs.none()
    if user.role in (Role.DEPARTMENT, Role.METHODOLOGIST):
        return qs.filter(municipality_id=user.municipality_id) if user.municipality_id else qs.none()
    if user.role == Role.CURATOR:
        return qs.filter(curators=user)
    if user.role in (Role.DIRECTOR, Role.TEACHER):
        return qs.filter(pk=user.school_id) if user.school_id else qs.none()
    return qs.none()


def manageable_municipalities(user: User) -> QuerySet[Municipality]:
    """Municipalities whose registry the user may change (create, edit, import)."""
    if user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.DEPARTMENT):
        return municipalities_for(user)
    from schools.models import Municipality

    return Municipality.objects.none()


def schools_manageable_by(user: User) -> QuerySet[School]:
    """Schools whose registry card the user may edit."""
    from schools.models import School

    return School.objects.filter(municipality__in=manageable_municipalities(user))


def can_manage_registry(user: User) -> bool:
    """Cheap check for navigation and permission gates (no query)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.role == Role.DEPARTMENT and user.municipality_id is not None)
