"""Who runs the centre's workplace: the methodologist, and the department of the municipality.

Built on schools.scopes: staff pages fetch through ``staff_municipalities(user)``, so an
object of another municipality is a 404; a role that may never manage events gets a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.models import Role
from schools.scopes import municipalities_for

STAFF_ROLES = (Role.METHODOLOGIST, Role.DEPARTMENT)


def can_manage_centre(user) -> bool:
    """Cheap check for navigation and gates (no query)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.role in STAFF_ROLES and user.municipality_id is not None)


def require_centre_staff(user) -> None:
    if not can_manage_centre(user):
        raise PermissionDenied


def staff_municipalities(user) -> QuerySet:
    from schools.models import Municipality

    if not can_manage_centre(user):
        return Municipality.objects.none()
    return municipalities_for(user)
