"""The department dashboard card (templates/core/home_department.html includes it by tag)."""

from django import template
from django.db.models import Q

from partnerships.selectors import can_manage_agreements, dashboard_figures

register = template.Library()


@register.inclusion_tag("partnerships/_dashboard_card.html")
def partnership_card(user) -> dict:
    if not can_manage_agreements(user) or user.municipality is None:
        return {"figures": None}
    return {"figures": dashboard_figures(municipality=user.municipality)}


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
