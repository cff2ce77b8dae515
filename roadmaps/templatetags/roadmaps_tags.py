"""Badges of roadmap, report and measure statuses (one colour per meaning across the pages)."""

from django import template
from django.utils.html import format_html

register = template.Library()

_COLOURS = {
    "draft": "secondary",
    "submitted": "primary",
    "returned": "warning",
    "approved": "success",
    "accepted": "success",
    "completed": "dark",
    "archived": "light",
    "planned": "secondary",
    "in_progress": "info",
    "done": "success",
    "overdue": "danger",
    "cancelled": "light",
}


@register.simple_tag
def status_badge(obj, field: str = "status"):
    value = getattr(obj, field)
    label = getattr(obj, f"get_{field}_display")()
    colour = _COLOURS.get(value, "secondary")
    text = " text-dark border" if colour in ("light", "warning", "info") else ""
    return format_html('<span class="badge text-bg-{}{}" data-status="{}">{}</span>', colour, text, value, label)


@register.simple_tag
def measure_badge(measure, day):
    """A measure's status as of ``day``: past its deadline and not finished reads «Просрочено»."""
    if measure.is_overdue_on(day):
        return format_html('<span class="badge text-bg-danger" data-status="overdue">{}</span>', "Просрочено")
    return status_badge(measure)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.inclusion_tag("roadmaps/_school_section.html", takes_context=True)
def school_roadmaps(context, school):
    """The school card's section: the school's programmes the user may read."""
    from roadmaps import selectors
    from roadmaps.models import Level

    user = context["user"]
    from roadmaps.visits import can_log_visits

    return {
        "programmes": selectors.roadmaps_for(user=user).filter(level=Level.SCHOOL, school=school)[:10],
        "school": school,
        "can_log_visits": can_log_visits(user, school),
        "visits": school.curator_visits.count(),
    }
