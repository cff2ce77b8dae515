from django import template

from core.queue import is_delayed
from core.text import plural

register = template.Library()


@register.filter
def ru_plural(value, forms: str) -> str:
    """Russian plural form: {{ n|ru_plural:"школа,школы,школ" }} → «школ» for 5."""
    one, few, many = forms.split(",")
    try:
        return plural(int(value), one, few, many)
    except (TypeError, ValueError):
        return many


@register.filter
def queue_delayed(queued_since) -> bool:
    """True when a job has waited in the queue too long (the broker may be down): see core.queue."""
    return is_delayed(queued_since)


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current page's query string with another page number (filters kept): «?q=…&page=3»."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def home_block(context, block):
    """One app's block of a home page (core.extensions.HomeBlock; portal.views.home): its template
    rendered with the page's context plus the block's own data, as ``include`` would."""
    with context.push(**block.data):
        return context.template.engine.get_template(block.template).render(context)
