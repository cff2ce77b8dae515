from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from identification.selectors import statuses_of

register = template.Library()


@register.filter
def get_spec(by_code: dict, code: str) -> str:
    spec = by_code.get(code)
    return spec.name if spec else code


@register.simple_tag(takes_context=True)
def optional_include(context, name: str) -> str:
    """Render another app's partial when that app provides it (the risks app's school section)."""
    try:
        partial = get_template(name)
    except TemplateDoesNotExist:
        return ""
    return partial.render(context.flatten(), context.get("request"))


@register.inclusion_tag("identification/_school_card_statuses.html", takes_context=True)
def school_statuses(context, school):
    """The school card's section: statuses by year (history included), one query."""
    return {"school": school, "statuses": list(statuses_of(school=school)), "can_manage": False}
