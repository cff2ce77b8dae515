"""User text never becomes live HTML: every markdown field is sanitised where it is shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events.tests.factories import AssociationFactory, EventFactory, PageFactory, PracticeFactory, ProgrammeFactory

ROOT = Path(settings.BASE_DIR)
ATTACK = (
    "Текст **важный**\n\n<script>alert('xss')</script>\n\n<img src=x onerror=\"alert(1)\">\n\n"
    "[ссылка](javascript:alert(2))"
)
# Every `|markdown` in the templates, as the field it renders; the page test below covers each.
MARKDOWN_FIELDS = {
    "event.description",
    "event.report_summary",
    "programme.description",
    "association.plan_notes",
    "practice.description",
    "page.body",
}


def _templates() -> list[Path]:
    return [p for p in ROOT.glob("**/templates/**/*.html") if ".venv" not in p.parts and "var" not in p.parts]


def test_templates_render_user_html_only_through_the_sanitising_markdown_filter():
    """A new `|safe` or a new markdown field must come with its own test here."""
    unsafe, fields = [], set()
    for template in _templates():
        text = template.read_text(encoding="utf-8")
        if re.search(r"\|\s*safe\b|autoescape\s+off|\|\s*safeseq\b", text):
            unsafe.append(str(template.relative_to(ROOT)))
        fields.update(re.findall(r"\{\{\s*([\w.]+)\s*\|\s*markdown\s*\}\}", text))
    assert not unsafe
    assert fields == MARKDOWN_FIELDS


def _assert_no_script(response) -> None:
    assert response.status_code == 200
    body = response.content.decode().lower()
    assert "<strong>важный</strong>" in body  # the field was rendered, so its absence below means something
    for bad in ("<script>alert", "onerror", "javascript:alert"):
        assert bad not in body


@pytest.mark.parametrize(
    ("factory", "field", "url_name", "key"),
    [
        (EventFactory, "description", "events:detail", "pk"),
        (ProgrammeFactory, "description", "events:programme_detail", "pk"),
        (AssociationFactory, "plan_notes", "events:association_detail", "pk"),
        (PracticeFactory, "description", "events:practice_detail", "pk"),
        (PageFactory, "body", "events:page", "slug"),
    ],
)
def test_a_script_in_a_markdown_field_does_not_survive_on_its_page(client, municipality, factory, field, url_name, key):
    obj = factory(municipality=municipality, **{field: ATTACK})

    _assert_no_script(client.get(reverse(url_name, args=[getattr(obj, key)])))


def test_a_script_in_an_event_report_does_not_survive(client, municipality):
    event = EventFactory(municipality=municipality, report_summary=ATTACK, report_published_at=timezone.now())

    _assert_no_script(client.get(reverse("events:detail", args=[event.pk])))


def test_a_script_in_an_event_description_does_not_survive_on_the_staff_page(client, municipality, methodologist):
    event = EventFactory(municipality=municipality, description=ATTACK)
    client.force_login(methodologist)

    response = client.get(reverse("events:staff_event", args=[event.pk]))

    _assert_no_script(response)
