"""iCalendar (RFC 5545) feeds of public events, made with the ``icalendar`` package."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from events.models import Event
from events.text import render_markdown


def _plain(markdown_text: str) -> str:
    import nh3

    # Calendars show plain text: the sanitised HTML with every tag removed.
    return nh3.clean(render_markdown(markdown_text), tags=set()).strip()


def calendar_bytes(events: Iterable[Event], *, request) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Опора//Методический центр//RU")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Мероприятия методического центра")
    host = request.get_host()
    for event in events:
        item = CalendarEvent()
        item.add("uid", f"event-{event.pk}@{host}")
        item.add("dtstamp", event.updated_at or timezone.now())
        item.add("dtstart", event.starts_at)
        item.add("dtend", event.ends_at)
        item.add("summary", f"{event.get_kind_display()}: {event.title}")
        item.add("description", _plain(event.description))
        item.add("url", request.build_absolute_uri(event.get_absolute_url()))
        location = event.location or (str(event.host_school) if event.host_school_id else "") or event.online_url
        if location:
            item.add("location", location)
        item.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
        calendar.add_component(item)
    return calendar.to_ical()
