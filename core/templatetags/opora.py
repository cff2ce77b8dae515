from django import template
from django.utils.html import format_html_join

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
def page_url(context, number: int, name: str = "page") -> str:
    """The current page's query string with another page number (filters kept): «?q=…&page=3»;
    ``name`` for a page's second table («ppage»)."""
    query = context["request"].GET.copy()
    query[name] = number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def kept_params(context, names: str):
    """Hidden inputs carrying the current page's ``names`` (space separated) query parameters:
    one table's form keeps the other table's search, sort and page."""
    params = context["request"].GET
    return format_html_join(
        "", '<input type="hidden" name="{}" value="{}">', ((n, params[n]) for n in names.split() if params.get(n))
    )


@register.simple_tag(takes_context=True)
def home_block(context, block):
    """One app's block of a home page (core.extensions.HomeBlock; portal.views.home): its template
    rendered with the page's context plus the block's own data, as ``include`` would."""
    with context.push(**block.data):
        return context.template.engine.get_template(block.template).render(context)
