"""The «Партнёрство» section of the school card (the department's home card: partnerships/home.py)."""

from django import template
from django.db.models import Q

from partnerships.selectors import can_manage_agreements

register = template.Library()


@register.inclusion_tag("partnerships/_school_section.html")
def school_partnerships(school, user) -> dict:
    """The «Партнёрство» section of the school card: the school's agreements in the user's scope."""
    from identification.selectors import supported_schools
    from partnerships.selectors import agreement_list

    agreements = list(
        agreement_list(user=user)
        .filter(Q(supported_school=school) | Q(partners=school.organisation_id))
        .distinct()
        .order_by("-created_at")[:20]
    )
    can_match = can_manage_agreements(user) and supported_schools().filter(pk=school.pk).exists()
    return {"school": school, "agreements": agreements, "can_match": can_match}
