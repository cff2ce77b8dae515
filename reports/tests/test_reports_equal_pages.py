"""Every report kind says what the pages say (issue #19: one definition per figure).

The results are loaded through the import services (``results`` in conftest: a canonical
results CSV and a context CSV through ``results_import_create`` and the import's task, with
the indicator recompute that follows), never as hand-made aggregates. Each report kind's
text is rendered from its builder and its figures are compared with the page that shows
the same school, municipality, period or year, read from the page's HTML as a user gets it.
Run on SQLite and on PostgreSQL (``DATABASE_URL``).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from identification import services as identification_services
from identification.models import Methodology, MethodologyVersion, StatusKind
from reports import documents
from reports.tests.conftest import SCREENSHOTS, pdf_text
from roadmaps.models import Measure, MeasureStatus

pytestmark = pytest.mark.django_db


class _Tables(HTMLParser):
    """Cell texts of every table with an id: {id: [[cell, …], …]} (header rows included)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._stack: list[str | None] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._stack.append(dict(attrs).get("id"))
        elif tag == "tr" and self._stack and self._stack[-1]:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self._stack:
            self._stack.pop()
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables.setdefault(self._stack[-1], []).append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def report_html(builder, user, params) -> str:
    document = builder(user=user, params=params)
    return render_to_string(document.template, document.context)


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- Passport = the school's monitoring page -----------------------------------------------------


def test_passport_shows_the_school_pages_indicator_and_results_tables(client, department, school, results, years):
    shown = tables(page(client, department, reverse("identification:school", args=[school.pk])))
    document = documents.passport(user=department, params={"school": school.pk, "year": years[2025].pk})
    printed = tables(render_to_string(document.template, document.context))

    # The overall indicators: the same years and the same «school / municipality» cells.
    assert printed["indicator-dynamics"] == shown["indicator-dynamics"]
    # By subject and grade: ВПР русский 4 кл., 30,0% (40) → 25,0% (48) — the imported file's
    # 12 of 40 (mean (24 + 42 + 40 + 20) / 40 = 3,15) and 12 of 48 (156 / 48 = 3,25). The
    # passport shows four years (two without data, «—»).
    page_row = shown["result-slices"][1]
    report_row = printed["result-slices"][1]
    assert page_row[:3] == report_row[:3] == ["ВПР", "Русский язык", "4"]
    assert [cell for cell in report_row[3:] if cell != "—"] == page_row[3:]
    assert page_row[3:] == ["30,0% (40) ср. 3,15", "25,0% (48) ср. 3,25"]


def test_passport_pdf_page_two_carries_the_imported_figures(department, school, results, years):
    from reports.services import render_document

    document = documents.passport(user=department, params={"school": school.pk, "year": years[2025].pk})
    content = render_document(document)
    text = pdf_text(content)
    for figure in ("30,0% (40)", "25,0% (48)", "ср. 3,25"):
        assert figure in text
    # Page 2 (§3 results) as PNG under var/screenshots/, to look at.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    command = ["pdftoppm", "-png", "-r", "80", "-f", "2", "-l", "2", "-singlefile", "-"]
    subprocess.run([*command, str(SCREENSHOTS / "report-passport-page2")], input=content, check=True, timeout=60)  # noqa: S603


# --- «Итоги года» = the municipal dashboard and the home page ------------------------------------


@pytest.fixture
def overdue_measure(programme):
    """A measure of the approved programme past its deadline that no job marked «overdue»."""
    measure = programme.measures.order_by("pk").last()
    Measure.objects.filter(pk=measure.pk).update(
        status=MeasureStatus.PLANNED, starts_on=dt.date(2025, 10, 1), due_on=dt.date(2025, 11, 1)
    )
    return measure


def test_year_results_figures_equal_the_dashboard_and_home_page(
    client, department, school, results, statuses, agreement, programme, overdue_measure, years
):
    municipality = department.municipality
    html = report_html(documents.year_results, department, {"municipality": municipality.pk})
    printed = tables(html)
    dashboard = tables(page(client, department, reverse("identification:dashboard")))
    home = page(client, department, reverse("core:home"))

    # §2 results: the dashboard's table, cell for cell (ШНОР school: 12 of 48 = 25,0%; all: (12 + 2) of 100).
    assert printed["programme-results"] == dashboard["programme-results"]
    assert printed["programme-results"][-1][1:] == ["25,0% (1 шк., 48 уч.)", "14,0% (2 шк., 100 уч.)"]
    # §1 statuses: the dashboard's counts per year (ШНОР, ШССУ, зона риска, эффективный режим).
    by_year = {row[0]: row[1:5] for row in dashboard["status-counts"][1:]}
    for row in printed["status-dynamics"][1:]:
        assert row[1:5] == by_year.get(row[0], ["0", "0", "0", "0"])
    # Partners: «N из M» with an active partner, as on the home card.
    card = re.search(r'data-stat="partner-share".*?(\d+) из (\d+)', home, re.S)
    assert f"с действующим договором: {card[1]} из {card[2]}" in text_of(html)
    assert (card[1], card[2]) == ("1", "1")
    # Overdue: computed at read time, as the home card counts it (no job ran): the programme's
    # three measures are all due before today and none is done.
    home_overdue = re.search(r"Просроченных мероприятий</a>: <strong[^>]*>(\d+)</strong>", home)[1]
    assert f"просрочено {home_overdue}" in text_of(html)
    assert home_overdue == "3"
    assert not Measure.objects.filter(status="overdue").exists()


# --- The roadmap execution report = the period page ------------------------------------------------


def test_roadmap_execution_report_counts_the_same_missing_schools_as_the_period_page(
    client, department, filed_report, period
):
    html = page(client, department, reverse("roadmaps:period_detail", args=[period.pk]))
    missing = int(re.search(r'id="missing-count">(\d+)<', html)[1])
    document = documents.roadmap_execution(user=department, params={"period": period.pk})

    assert len(document.context["rows"]) - document.context["filed"] == missing
    filed_page = {row[0] for row in tables(html)["filed-table"][1:]}
    filed_report = {row["school"].short_name for row in document.context["rows"] if row["filed"]}
    assert filed_report == filed_page


# --- The agreements register = the agreements page -------------------------------------------------


def test_agreements_register_lists_the_agreements_of_the_list_page(client, department, agreement):
    html = page(client, department, reverse("partnerships:agreement_list"))
    document = documents.agreements_register(user=department, params={})

    listed = tables(html)["agreements"][1:]
    assert len(document.context["rows"]) == len(listed) == 1
    assert "7-П" in listed[0][0] and document.context["rows"][0][0] == "7-П"


# --- Events for a period = each event's staff page ------------------------------------------------


def test_events_report_counts_equal_each_events_staff_page(client, department, events):
    document = documents.events_period(user=department, params={"date_from": "2025-11-01", "date_to": "2025-11-30"})
    assert document.context["events"]
    for event in document.context["events"]:
        html = page(client, department, reverse("events:staff_event", args=[event.pk]))
        stats = re.findall(r'<div class="h4 mb-0">(\d+)', html)
        confirmed, _waitlisted, attended = (int(n) for n in stats[:3])
        assert (event.registered, event.attended) == (confirmed, attended)


# --- The identification report = the run page ---------------------------------------------------


def test_identification_report_proposes_the_schools_of_the_run_page(
    client, department, school, results, years, django_capture_on_commit_callbacks
):
    version = MethodologyVersion.objects.get(
        methodology=Methodology.objects.get(kind=StatusKind.DIFFICULT_CONDITIONS), number=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = identification_services.identification_run_create(
            user=department, version=version, year=years[2025], municipality=department.municipality
        )
    html = page(client, department, reverse("identification:run_detail", args=[run.pk]))
    document = documents.BUILDERS["identification"](user=department, params={"run": run.pk})

    on_page = re.search(r"предложено: <strong>(\d+)</strong>", html)[1]
    assert str(len(document.context["proposed"])) == on_page == "1"
    assert document.context["proposed"][0].explanation in html
