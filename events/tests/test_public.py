import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.models import Event
from events.tests.factories import EventFactory, MaterialFactory, PageFactory
from events.text import render_markdown

XSS = (
    "Обычный **текст**\n\n<script>alert('x')</script>\n\n"
    '<img src=x onerror="alert(1)">\n\n[ссылка](javascript:alert(2))\n\n<a href="#" onclick="steal()">клик</a>'
)


def test_sanitised_markdown_keeps_formatting_and_drops_every_script():
    html = render_markdown(XSS)

    assert "<strong>текст</strong>" in html
    lowered = html.lower()
    for bad in ("<script", "onerror", "javascript:", "onclick", "<img"):
        assert bad not in lowered


def test_no_script_survives_in_a_published_description(client, municipality):
    event = EventFactory(municipality=municipality, description=XSS)

    body = client.get(reverse("events:detail", args=[event.pk])).content.decode().lower()

    assert "<strong>текст</strong>" in body
    assert "alert(" not in body
    assert "javascript:" not in body


def test_drafts_are_not_listed_and_their_page_is_404(client, municipality):
    published = EventFactory(municipality=municipality, title="Опубликованный семинар")
    draft = EventFactory(municipality=municipality, title="Черновой семинар", status="draft", publish_at=None)
    later = EventFactory(
        municipality=municipality, title="Будущий анонс", publish_at=timezone.now() + dt.timedelta(days=1)
    )

    body = client.get(reverse("events:list")).content.decode()

    assert published.title in body
    assert draft.title not in body
    assert later.title not in body
    assert client.get(reverse("events:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("events:detail", args=[later.pk])).status_code == 404


def test_feed_parses_back_with_every_public_event_and_no_draft(client, municipality):
    start = timezone.now() + dt.timedelta(days=3)
    event = EventFactory(
        municipality=municipality, title="Вебинар по ВПР", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    EventFactory(municipality=municipality, title="Черновик", status="draft", publish_at=None)

    response = client.get(reverse("events:feed"))

    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    items = calendar.walk("VEVENT")
    assert [str(item["summary"]) for item in items] == ["Семинар: Вебинар по ВПР"]
    assert items[0].decoded("dtstart") == start.replace(microsecond=0)
    assert str(items[0]["url"]).endswith(reverse("events:detail", args=[event.pk]))


def test_one_event_ical_has_its_times_and_plain_description(client, municipality):
    event = EventFactory(municipality=municipality, description=XSS)

    calendar = Calendar.from_ical(client.get(reverse("events:ical", args=[event.pk])).content)

    (item,) = calendar.walk("VEVENT")
    assert item.decoded("dtend") - item.decoded("dtstart") == dt.timedelta(hours=2)
    assert "<" not in str(item["description"])
    assert "alert" not in str(item["description"])


def test_calendar_shows_the_months_events_on_their_day(client, municipality):
    start = timezone.make_aware(dt.datetime(2026, 3, 17, 10, 0))
    EventFactory(municipality=municipality, title="Мартовский семинар", starts_at=start, ends_at=start)

    body = client.get(reverse("events:calendar"), {"month": "2026-03"}).content.decode()
    other = client.get(reverse("events:calendar"), {"month": "2026-04"}).content.decode()

    assert "Мартовский семинар" in body
    assert "Мартовский семинар" not in other


def test_report_and_its_materials_become_public_only_when_published(client, municipality):
    start = timezone.now() - dt.timedelta(days=2)
    event = EventFactory(
        municipality=municipality, status="held", starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    material = MaterialFactory(event=event, title="Презентация спикера")
    url = reverse("events:material", args=[material.pk])

    assert client.get(url).status_code == 404
    event.status = Event.Status.REPORT_PUBLISHED
    event.report_summary = "Пришли 25 учителей."
    event.report_published_at = timezone.now()
    event.save()

    assert client.get(url).status_code == 200
    body = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert "Пришли 25 учителей." in body
    assert "Презентация спикера" in body


def test_pages_are_public_only_when_published(client, municipality):
    page = PageFactory(municipality=municipality, body="# Положение\n\nТекст <script>x()</script>")
    draft = PageFactory(municipality=municipality, is_published=False)

    body = client.get(reverse("events:page", args=[page.slug])).content.decode()

    assert "<h2>Положение</h2>" in body
    assert "<script>x()" not in body
    assert client.get(reverse("events:page", args=[draft.slug])).status_code == 404


@pytest.mark.parametrize("name", ["events:list", "events:archive", "events:calendar", "events:feed"])
def test_public_lists_take_a_fixed_number_of_queries(client, municipality, django_assert_max_num_queries, name):
    for i in range(30):
        start = timezone.now() + dt.timedelta(days=i - 15)
        EventFactory(municipality=municipality, starts_at=start, ends_at=start + dt.timedelta(hours=1))

    with django_assert_max_num_queries(6):
        assert client.get(reverse(name)).status_code == 200
