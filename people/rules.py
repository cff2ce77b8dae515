"""Who may manage whose account (DESIGN.md §3): the rule every people page and service asks.

* a department manages the accounts of its municipality below it: methodologists, curators,
  directors and teachers of its schools;
* the region manages the departments of its municipalities and its own regional staff;
* nobody creates an account above their own role or outside their own territory.

A superuser (an operator, not a product role) may manage everybody but superusers.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from schools.models import Municipality, School

MANAGED_ROLES: dict[str, tuple[str, ...]] = {
    Role.DEPARTMENT: (Role.METHODOLOGIST, Role.CURATOR, Role.DIRECTOR, Role.TEACHER),
    Role.REGION: (Role.DEPARTMENT, Role.REGION),
}
ALL_ROLES: tuple[str, ...] = tuple(Role.values)


def managed_roles(user: User) -> tuple[str, ...]:
    if not user.is_authenticated or not user.is_active:
        return ()
    if user.is_superuser:
        return ALL_ROLES
    if user.role == Role.DEPARTMENT and user.municipality_id:
        return MANAGED_ROLES[Role.DEPARTMENT]
    if user.role == Role.REGION and user.region_id:
        return MANAGED_ROLES[Role.REGION]
    return ()


def can_manage_people(user: User) -> bool:
    """Cheap check for the menu and the gates (no query)."""
    return bool(managed_roles(user))


def people_for(user: User) -> QuerySet[User]:
    """Accounts the user may change; everything else is 404 to them."""
    roles = managed_roles(user)
    qs = User.objects.select_related("municipality", "region", "school__organisation")
    if not roles:
        return qs.none()
    if user.is_superuser:
        return qs.filter(is_superuser=False)
    if user.role == Role.DEPARTMENT:
        inside = Q(municipality_id=user.municipality_id) | Q(school__municipality_id=user.municipality_id)
    else:
        inside = Q(region_id=user.region_id) | Q(municipality__region_id=user.region_id)
    return qs.filter(inside, role__in=roles, is_superuser=False)


def person_get_for_manage(*, user: User, pk: int) -> User:
    return get_object_or_404(people_for(user), pk=pk)


def municipalities_for_people(user: User) -> QuerySet[Municipality]:
    """Municipalities an account made by ``user`` may belong to."""
    if not can_manage_people(user):
        return Municipality.objects.none()
    if user.is_superuser:
        return Municipality.objects.all()
    if user.role == Role.DEPARTMENT:
        return Municipality.objects.filter(pk=user.municipality_id)
    return Municipality.objects.filter(region_id=user.region_id)


def schools_for_people(user: User) -> QuerySet[School]:
    """Schools an account made by ``user`` may be attached to (as a director, teacher or curated)."""
    return School.objects.filter(municipality__in=municipalities_for_people(user)).select_related("organisation")
