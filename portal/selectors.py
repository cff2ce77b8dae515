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


def public_system() -> dict:
    """«Система работы со ШНОР» for the public site, assembled from what the portal holds:
    the methodologies in force with their criteria, the decisions (приказы) with their lists,
    published programmes and reports, partnerships, events and, by year, how many schools were
    supported. Counts and lists only, never a ranking or a school's figures."""
    from django.db.models import Count, Q

    from events.selectors import upcoming_public_events
    from identification.models import ACTIVE, Decision, SchoolStatus, StatusKind
    from identification.selectors import latest_versions
    from partnerships.models import Agreement
    from roadmaps.selectors import public_periods, public_roadmaps
    from schools.models import AcademicYear

    versions = [v for v in latest_versions() if v.methodology.region_id is None]
    decisions = list(
        Decision.objects.select_related("municipality", "year").prefetch_related("added__school__organisation")[:30]
    )
    supported = (
        SchoolStatus.objects.filter(ACTIVE, kind__in=StatusKind.supported())
        .values("year__start_year")
        .annotate(
            low=Count("school", filter=Q(kind=StatusKind.LOW_RESULTS), distinct=True),
            difficult=Count("school", filter=Q(kind=StatusKind.DIFFICULT_CONDITIONS), distinct=True),
        )
        .order_by("year__start_year")
    )
    names = {y.start_year: y.name for y in AcademicYear.objects.all()}
    return {
        "versions": versions,
        "decisions": decisions,
        "years": [
            {
                "name": names.get(row["year__start_year"], row["year__start_year"]),
                "low": row["low"],
                "difficult": row["difficult"],
            }
            for row in supported
        ],
        "roadmaps": public_roadmaps()[:20],
        "periods": public_periods()[:20],
        "agreements": Agreement.objects.exclude(signed_on=None).count(),
        "events": upcoming_public_events()[:10],
    }
