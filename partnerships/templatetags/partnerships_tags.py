"""The department dashboard card (templates/core/home_department.html includes it by tag)."""

from django import template

from partnerships.selectors import can_manage_agreements, dashboard_figures

register = template.Library()


@register.inclusion_tag("partnerships/_dashboard_card.html")
def partnership_card(user) -> dict:
    if not can_manage_agreements(user) or user.municipality is None:
        return {"figures": None}
    return {"figures": dashboard_figures(municipality=user.municipality)}
