from django import template

from identification.catalogue import format_value
from identification.selectors import statuses_of

register = template.Library()


@register.filter
def get_spec(by_code: dict, code: str) -> str:
    spec = by_code.get(code)
    return spec.name if spec else code


@register.inclusion_tag("identification/_school_card_statuses.html", takes_context=True)
def school_statuses(context, school):
    """The school card's section: statuses by year (history included), one query."""
    return {"school": school, "statuses": list(statuses_of(school=school)), "can_manage": False}


@register.filter
def share(value) -> str:
    """A share as the pages print it (catalogue.format_value: «18,4%», «—» when missing)."""
    return format_value(value, "%")


@register.filter
def mark(value) -> str:
    """A mean mark as the pages print it («3,21»)."""
    return format_value(value, "балл")


@register.filter
def pp(value) -> str:
    """A change in percentage points with its sign, as the pages print it: «−4,9», «+1,2»."""
    if value is None:
        return "—"
    text = format_value(abs(value), "%").rstrip("%")
    if text == "0,0":
        return text
    return ("−" if value < 0 else "+") + text
