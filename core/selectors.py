"""Reads for the shared pages (public and home)."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.scopes import municipalities_for
from schools.models import Municipality, Organisation, School


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
