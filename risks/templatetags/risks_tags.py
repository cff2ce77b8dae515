"""The risks app's part of pages owned by apps below it (the school's monitoring page, identification).

Identification sits below risks (tests/test_architecture.py): its page names this tag, and the
tag reads the signals and the risk profile through risks' own selectors.
"""

from django import template
from django.template.loader import get_template

from risks import selectors
from risks.services import can_review_signals

register = template.Library()


@register.simple_tag(takes_context=True)
def risks_school_part(context, school):
    """Objectivity signals and the risk profile («500+») of ``school``, for the roles that read them."""
    request = context["request"]
    if not selectors.has_role(request.user, selectors.PROFILE_ROLES):
        return ""
    year = selectors.year_from(request.GET.get("year"))
    profile = selectors.risk_profile_for(school=school, year=year)
    if not profile:
        return ""
    part = {
        "risk_year": year,
        "risk_profile": profile,
        "signals": selectors.signals_for(school=school, year=year),
        "can_review": can_review_signals(request.user),
    }
    with context.push(part):
        return get_template("risks/_school_part.html").template.render(context)
