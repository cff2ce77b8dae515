"""Reads of the results import, already scoped to the user (404 outside the scope)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from monitoring.models import ImportJob


def import_jobs_for(*, user: User) -> QuerySet[ImportJob]:
    """Jobs the user may see: a municipality's jobs for its department and methodologists,
    a region's for the region, a director's own school's jobs for the director."""
    qs = ImportJob.objects.select_related("uploaded_by", "municipality", "school__organisation", "rolled_back_by")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.REGION and user.region_id:
        # Its municipalities' jobs and its own region-wide uploads (no municipality of their own).
        return qs.filter(
            Q(municipality__region_id=user.region_id)
            | Q(municipality__isnull=True, uploaded_by__region_id=user.region_id)
        )
    if user.role in (Role.DEPARTMENT, Role.METHODOLOGIST) and user.municipality_id:
        return qs.filter(municipality_id=user.municipality_id)
    if user.role == Role.DIRECTOR and user.school_id:
        return qs.filter(school_id=user.school_id)
    return qs.none()


def import_job_get(*, user: User, pk: int) -> ImportJob:
    return get_object_or_404(import_jobs_for(user=user), pk=pk)


def import_job_get_for_rollback(*, user: User, pk: int) -> ImportJob:
    from monitoring.imports import can_roll_back_results

    if not can_roll_back_results(user):
        return get_object_or_404(ImportJob.objects.none(), pk=pk)
    return import_job_get(user=user, pk=pk)
