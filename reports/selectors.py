"""Reads of the reports app: the municipal data export, scoped by the user.

Who may export a municipality's data: its department, and the region over it (DESIGN.md §3);
operators too. Everybody else gets 403 on these pages; a municipality outside the user's scope
is a 404, as every scoped fetch.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from reports.models import MunicipalExport
from schools.models import Municipality
from schools.scopes import municipalities_for

EXPORT_ROLES = (Role.DEPARTMENT, Role.REGION)
# The page lists this many of a municipality's exports (older ones are history whose files are gone).
LIST_LIMIT = 20


def can_export_municipal_data(user: User) -> bool:
    """Cheap check for the menu and the role gate (no query)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role in EXPORT_ROLES


def export_municipalities_for(*, user: User) -> QuerySet[Municipality]:
    if not can_export_municipal_data(user):
        return Municipality.objects.none()
    return municipalities_for(user).order_by("name")


def export_municipality_get(*, user: User, pk: int) -> Municipality:
    if not can_export_municipal_data(user):
        raise PermissionDenied
    return get_object_or_404(export_municipalities_for(user=user), pk=pk)


def municipal_exports_of(*, municipality: Municipality) -> QuerySet[MunicipalExport]:
    return MunicipalExport.objects.filter(municipality=municipality).select_related("requested_by", "municipality")


def municipal_export_get(*, user: User, pk: int) -> MunicipalExport:
    if not can_export_municipal_data(user):
        raise PermissionDenied
    return get_object_or_404(
        MunicipalExport.objects.filter(municipality__in=export_municipalities_for(user=user)).select_related(
            "municipality"
        ),
        pk=pk,
    )
