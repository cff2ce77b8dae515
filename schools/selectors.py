"""Reads of the registry, already scoped to the user and joined for the page."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Sum
from django.shortcuts import get_object_or_404

from accounts.models import User
from schools.models import RegistryImport, School
from schools.scopes import municipalities_for, schools_for, schools_manageable_by


def school_list(*, user: User) -> QuerySet[School]:
    return schools_for(user).select_related("organisation", "municipality")


def school_get(*, user: User, pk: int) -> School:
    return get_object_or_404(school_list(user=user), pk=pk)


def school_get_for_edit(*, user: User, pk: int) -> School:
    return get_object_or_404(schools_manageable_by(user).select_related("organisation", "municipality"), pk=pk)


def registry_summary(*, user: User) -> dict:
    """Counts for a home page: by type and settlement, and the total contingent."""
    schools = schools_for(user).filter(is_active=True)
    totals = schools.aggregate(count=Count("pk"), contingent=Sum("contingent"))
    by_type = dict(schools.values_list("school_type").annotate(n=Count("pk")).order_by())
    by_settlement = dict(schools.values_list("settlement").annotate(n=Count("pk")).order_by())
    return {
        "count": totals["count"] or 0,
        "contingent": totals["contingent"] or 0,
        "by_type": [(label, by_type.get(value, 0)) for value, label in School.Type.choices if by_type.get(value)],
        "urban": by_settlement.get(School.Settlement.URBAN, 0),
        "rural": by_settlement.get(School.Settlement.RURAL, 0),
    }


def municipality_overview(*, user: User):
    """Municipalities the user reads, with their school counts (region home page)."""
    return (
        municipalities_for(user)
        .annotate(school_count=Count("schools", distinct=True), contingent=Sum("schools__contingent"))
        .order_by("name")
    )


def registry_imports_for(*, user: User) -> QuerySet[RegistryImport]:
    qs = RegistryImport.objects.select_related("uploaded_by", "municipality")
    if user.is_superuser:
        return qs
    if not user.municipality_id:
        return qs.none()
    return qs.filter(municipality_id=user.municipality_id)


def registry_import_get(*, user: User, pk: int) -> RegistryImport:
    return get_object_or_404(registry_imports_for(user=user), pk=pk)
