"""Reads of the centre: public ones (published only) and staff ones (scoped to the municipality)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import Avg, Count, Q, QuerySet, Sum, TextField, Value
from django.db.models.functions import Lower, Replace
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from core.search import fold_text
from events.models import (
    Association,
    Event,
    EventMaterial,
    Page,
    PageAttachment,
    Practice,
    PracticeFile,
    Programme,
    Registration,
)
from events.permissions import staff_municipalities
from schools.models import School

REGISTRATION_SALT = "events.registration"


def _public_event_q(now=None) -> Q:
    now = now or timezone.now()
    return ~Q(status=Event.Status.DRAFT) & Q(publish_at__isnull=False, publish_at__lte=now)


def public_events() -> QuerySet[Event]:
    return Event.objects.filter(_public_event_q()).select_related("organiser", "host_school__organisation")


def upcoming_public_events() -> QuerySet[Event]:
    return public_events().filter(ends_at__gte=timezone.now()).order_by("starts_at")


def archive_events() -> QuerySet[Event]:
    """Past events, newest first; those with a published report carry it."""
    return public_events().filter(ends_at__lt=timezone.now()).order_by("-starts_at")


def month_events(*, year: int, month: int) -> QuerySet[Event]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return public_events().filter(starts_at__lt=end, ends_at__gte=start).order_by("starts_at")


def public_event_get(*, pk: int) -> Event:
    return get_object_or_404(public_events(), pk=pk)


def public_report_materials(*, event: Event) -> list[EventMaterial]:
    if event.status != Event.Status.REPORT_PUBLISHED:
        return []
    return list(event.materials.all())


def staff_events(*, user) -> QuerySet[Event]:
    return Event.objects.filter(municipality__in=staff_municipalities(user)).select_related(
        "organiser", "host_school__organisation", "association"
    )


def staff_event_get(*, user, pk: int) -> Event:
    return get_object_or_404(staff_events(user=user), pk=pk)


def event_registrations(*, event: Event) -> QuerySet[Registration]:
    return event.registrations.select_related("school__organisation").order_by("status", "created_at", "pk")


def event_counts(*, event: Event) -> dict:
    counts = event.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
        attended=Count("pk", filter=Q(attended=True)),
    )
    counts["free"] = None if event.capacity is None else max(event.capacity - counts["confirmed"], 0)
    return counts


def event_supported_reach(*, event: Event) -> dict:
    """Staff only: how many live registrations come from supported schools (ШНОР, ШССУ).

    Never shown publicly: the portal does not label schools in public (DESIGN.md §1).
    """
    from identification.selectors import supported_schools

    live = event.registrations.exclude(status=Registration.Status.CANCELLED)
    supported = supported_schools(schools=School.objects.filter(municipality_id=event.municipality_id))
    return live.aggregate(
        registered=Count("pk", filter=Q(school__in=supported)),
        attended=Count("pk", filter=Q(school__in=supported, attended=True)),
        schools=Count("school", filter=Q(school__in=supported), distinct=True),
    )


def event_feedback_summary(*, event: Event) -> dict:
    from events.models import Feedback

    feedback = Feedback.objects.filter(registration__event=event)
    summary = feedback.aggregate(count=Count("pk"), average=Avg("rating"))
    summary["comments"] = list(
        feedback.exclude(comment="").order_by("-created_at").values_list("rating", "comment")[:50]
    )
    return summary


def staff_registration_get(*, user, pk: int) -> Registration:
    return get_object_or_404(
        Registration.objects.filter(event__municipality__in=staff_municipalities(user)).select_related(
            "event", "school__organisation"
        ),
        pk=pk,
    )


def registrations_of(*, user) -> QuerySet[Registration]:
    """Registrations made while signed in, or with the account's e-mail address."""
    condition = Q(user=user)
    if user.email:
        condition |= Q(email=user.email.strip().lower())
    return Registration.objects.filter(condition).select_related("event").order_by("-event__starts_at")


def _email_tag(email: str) -> str:
    # Binds the link to the address without carrying it: signing.dumps only signs, anyone can
    # base64-decode the payload of a link forwarded or left in a proxy log.
    return salted_hmac(REGISTRATION_SALT, email.strip().lower(), algorithm="sha256").hexdigest()[:16]


def registration_token(registration: Registration) -> str:
    """The participant's link: signed, expiring (settings.REGISTRATION_LINK_MAX_AGE_DAYS after
    the letter), with no e-mail address inside. Every letter carries a fresh one."""
    return signing.dumps({"r": registration.pk, "h": _email_tag(registration.email)}, salt=REGISTRATION_SALT)


def registration_from_token(token: str) -> Registration:
    """The registration a participant's link points to; 404 for a forged or stale link."""
    try:
        data = signing.loads(
            token, salt=REGISTRATION_SALT, max_age=dt.timedelta(days=settings.REGISTRATION_LINK_MAX_AGE_DAYS)
        )
    except signing.BadSignature as exc:  # SignatureExpired included
        raise Http404 from exc
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("h"), str):
        raise Http404
    registration = get_object_or_404(Registration.objects.select_related("event", "school__organisation"), pk=data["r"])
    if not constant_time_compare(data["h"], _email_tag(registration.email)):
        raise Http404  # the registration's address changed since the letter
    return registration


# --- Files: served only through these checks ---------------------------------------------------


def material_for(*, user, pk: int) -> EventMaterial:
    """Materials of a published report are public; anything else only for the centre's staff."""
    material = get_object_or_404(EventMaterial.objects.select_related("event"), pk=pk)
    event = material.event
    if event.status == Event.Status.REPORT_PUBLISHED and event.is_public:
        return material
    if staff_municipalities(user).filter(pk=event.municipality_id).exists():
        return material
    raise Http404


def practice_file_for(*, user, pk: int) -> PracticeFile:
    item = get_object_or_404(PracticeFile.objects.select_related("practice"), pk=pk)
    if item.practice.status == Practice.Status.PUBLISHED:
        return item
    if staff_municipalities(user).filter(pk=item.practice.municipality_id).exists():
        return item
    raise Http404


def page_file_for(*, user, pk: int) -> PageAttachment:
    item = get_object_or_404(PageAttachment.objects.select_related("page"), pk=pk)
    if item.page.is_published:
        return item
    if staff_municipalities(user).filter(pk=item.page.municipality_id).exists():
        return item
    raise Http404


# --- Programmes, associations, practices, pages ----------------------------------------------------


def public_programmes() -> QuerySet[Programme]:
    return Programme.objects.filter(is_published=True)


def staff_programmes(*, user) -> QuerySet[Programme]:
    return Programme.objects.filter(municipality__in=staff_municipalities(user)).annotate(
        enrolled=Count("enrolments"), completed=Count("enrolments", filter=Q(enrolments__completed_on__isnull=False))
    )


def public_associations() -> QuerySet[Association]:
    return Association.objects.filter(is_published=True)


def staff_associations(*, user) -> QuerySet[Association]:
    return Association.objects.filter(municipality__in=staff_municipalities(user))


def association_plan(*, association: Association, start_year: int) -> QuerySet[Event]:
    """The association's events of one academic year (1 September to 31 August): its work plan."""
    tz = timezone.get_current_timezone()
    start = dt.datetime(start_year, 9, 1, tzinfo=tz)
    end = dt.datetime(start_year + 1, 9, 1, tzinfo=tz)
    return public_events().filter(association=association, starts_at__gte=start, starts_at__lt=end)


def public_practices() -> QuerySet[Practice]:
    return Practice.objects.filter(status=Practice.Status.PUBLISHED).select_related("school__organisation")


def staff_practices(*, user) -> QuerySet[Practice]:
    return Practice.objects.filter(municipality__in=staff_municipalities(user)).select_related("school__organisation")


SEARCH_FIELDS = ["title", "description", "authors", "subjects"]


def practice_search(queryset: QuerySet[Practice], query: str) -> QuerySet[Practice]:
    """Full-text search with Russian stemming on PostgreSQL; a ё-folding substring match on SQLite.

    On PostgreSQL «урокам» finds «уроки» (the russian configuration stems both) and results
    are ranked; SQLite has no stemmer, so there the words must occur as typed.
    """
    query = query.strip()
    if not query:
        return queryset
    if any(unicodedata.category(ch) == "Cc" for ch in query):
        return queryset.none()  # a NUL is refused by PostgreSQL; no title holds control characters
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("title", weight="A", config="russian")
            + SearchVector("subjects", "authors", weight="B", config="russian")
            + SearchVector("description", weight="C", config="russian")
        )
        search_query = SearchQuery(query.replace("ё", "е"), config="russian", search_type="websearch")
        return queryset.annotate(rank=SearchRank(vector, search_query)).filter(rank__gt=0).order_by("-rank", "title")
    # core.search.folded() is for CharFields; the description is a TextField, so the fold is
    # spelled out here with the output type given (the same Lower + ё→е, same Unicode lower()).
    annotations = {
        f"_fold_{name}": Replace(Lower(name), Value("ё"), Value("е"), output_field=TextField())
        for name in SEARCH_FIELDS
    }
    result = queryset.annotate(**annotations)
    for word in query.split():
        needle = fold_text(word)
        condition = Q()
        for name in annotations:
            condition |= Q(**{f"{name}__contains": needle})
        result = result.filter(condition)
    return result


def public_pages() -> QuerySet[Page]:
    return Page.objects.filter(is_published=True)


def public_page_get(*, slug: str) -> Page:
    return get_object_or_404(public_pages(), slug=slug)


def staff_pages(*, user) -> QuerySet[Page]:
    return Page.objects.filter(municipality__in=staff_municipalities(user))


# --- The school card --------------------------------------------------------------------------------


def school_attendance(*, school) -> dict:
    """Its teachers' attendance of the centre's events: count of attended registrations and hours.

    One query whatever the number of events (the card's query budget stays fixed).
    """
    totals = Registration.objects.filter(school=school, attended=True).aggregate(
        count=Count("pk"), hours=Sum("event__hours"), people=Count("email", distinct=True)
    )
    return {
        "count": totals["count"] or 0,
        "hours": totals["hours"] or Decimal(0),
        "people": totals["people"] or 0,
    }
