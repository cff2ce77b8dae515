from django import template
from django.utils.safestring import mark_safe

from events import selectors
from events.text import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str) -> str:
    """{{ event.description|markdown }}: sanitised HTML (events.text), safe to show anyone."""
    return mark_safe(render_markdown(value or ""))  # noqa: S308 - cleaned by nh3 with an allow-list  # nosec B308 B703 # nh3-cleaned with an allow-list (events.text)


@register.inclusion_tag("events/_school_attendance.html")
def school_event_attendance(school):
    """The school card's section: its teachers' attendance of the centre's events."""
    return {"attendance": selectors.school_attendance(school=school)}
