from __future__ import annotations

from django import template

from analytics.presentation import interval_text
from analytics.stats import Share, pct1
from core.charts import fmt_number

register = template.Library()


@register.filter
def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@register.filter
def cell(value) -> str:
    """A table cell as the page shows it: Russian decimals, «—» for no value."""
    if value is None or value == "":
        return "—" if value is None else ""
    if isinstance(value, float):
        return fmt_number(value, 1)
    return str(value)


@register.filter
def pct(value) -> str:
    """One decimal, rounded as the tables and the export round it (half away from zero)."""
    return fmt_number(pct1(value), 1)


@register.filter
def interval(share: Share) -> str:
    return interval_text(share).replace(".", ",")
