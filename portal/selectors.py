"""Reads for the shared pages (public and home)."""

from django.db.models import QuerySet

from accounts.models import User
from core.models import AuditEvent
from schools.models import Municipality, Organisation, School
from schools.scopes import municipalities_for


def public_stats() -> dict:
    """Totals shown to the public: counts only, never a ranking of schools."""
    return {
        "municipalities": Municipality.objects.count(),
        "schools": School.objects.filter(is_active=True).count(),
        "support_organisations": Organisation.objects.exclude(kind=Organisation.Kind.SCHOOL).count(),
    }


def support_organisations(*, user: User) -> QuerySet[Organisation]:
    """Department, methodological centre and associations of the user's municipalities."""
    return (
        Organisation.objects.filter(municipality__in=municipalities_for(user))
        .exclude(kind=Organisation.Kind.SCHOOL)
        .select_related("municipality")
        .order_by("kind", "name")
    )


def can_read_audit_log(user: User) -> bool:
    from accounts.models import Role

    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role in (Role.DEPARTMENT, Role.REGION)


def audit_events_for(*, user: User) -> QuerySet[AuditEvent]:
    """The department reads its municipality's log, the region its municipalities', operators all."""
    qs = AuditEvent.objects.select_related("municipality")
    if user.is_superuser:
        return qs
    if not can_read_audit_log(user):
        return qs.none()
    return qs.filter(municipality__in=municipalities_for(user))
