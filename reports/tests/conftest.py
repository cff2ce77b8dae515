"""Crafted data for the report tests: known figures that the PDFs and sheets must show."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from events.models import Event
from events.tests.factories import EventFactory, RegistrationFactory
from identification.models import SchoolStatus, StatusKind
from monitoring.models import ImportJob, Subject
from partnerships.models import Agreement
from roadmaps.models import MeasureProgress, MeasureStatus, ProgressReport, Roadmap
from roadmaps.tests.builders import period_of, roadmap_of
from tests.factories import AcademicYearFactory

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    # Line breaks fall anywhere (also after the hyphen of «школ-участниц»): compare with
    # whitespace collapsed and hyphenated words joined again.
    return " ".join(text.replace("-\n", "-").split())


def pdf_pages(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def save_first_page(content: bytes, name: str) -> Path | None:
    """The first page as PNG under var/screenshots/ (pdftoppm from poppler-utils), to look at.

    Only a picture for people: without poppler-utils on the machine nothing is saved.
    """
    if shutil.which("pdftoppm") is None:
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"report-{name}"
    command = ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-", str(target)]
    # A fixed command of poppler-utils with our own PDF on stdin.
    subprocess.run(command, input=content, check=True, timeout=60)  # noqa: S603
    return target.with_suffix(".png")


@pytest.fixture
def years(db):
    return {
        2023: AcademicYearFactory(start_year=2023),
        2024: AcademicYearFactory(start_year=2024),
        2025: AcademicYearFactory(start_year=2025),
    }


@pytest.fixture
def russian(db):
    return Subject.objects.get_or_create(code="01", defaults={"name": "Русский язык", "fis_oko_abbr": "РУ"})[0]


@pytest.fixture
def job(db):
    return ImportJob.objects.create(original_name="test.xlsx", sha256="e" * 64, status=ImportJob.Status.DONE)


def vpr_marks_rows(school_code: str, year: str, marks: tuple[int, int, int, int], grade: int = 4) -> list:
    """Canonical results rows of one ВПР slice with ``marks`` = counts of «2», «3», «4», «5»."""
    from monitoring.sample_files import results_csv_row

    rows = []
    for mark, count in zip((2, 3, 4, 5), marks, strict=True):
        for _ in range(count):
            rows.append(
                results_csv_row(
                    school_code,
                    f"{school_code[-3:]}{grade}{year[:4]}{len(rows):04d}",
                    year=year,
                    grade=grade,
                    mark=mark,
                    journal=mark,
                    primary=mark,
                )
            )
    return rows


def import_through_services(user, content: bytes, name: str, capture) -> ImportJob:
    """Upload as ``user`` and run the import with its follow-ups (recompute) as the page does."""
    from monitoring import imports as import_services

    with capture(execute=True):
        job = import_services.results_import_create(user=user, uploaded_file=io.BytesIO(content), original_name=name)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    return job


@pytest.fixture
def results(school, other_school, years, russian, department, django_capture_on_commit_callbacks):
    """ВПР русский 4 класс, loaded through the import services: the school's share of «2»
    30 % (12 of 40) → 25 % (12 of 48); the other school 10 % (6 of 60) → 3,8 % (2 of 52)."""
    from monitoring.sample_files import results_csv
    from monitoring.tests.builders import context_csv, context_row

    rows = (
        vpr_marks_rows(school.code, "2024/2025", (12, 14, 10, 4))
        + vpr_marks_rows(school.code, "2025/2026", (12, 18, 12, 6))
        + vpr_marks_rows(other_school.code, "2024/2025", (6, 24, 20, 10))
        + vpr_marks_rows(other_school.code, "2025/2026", (2, 20, 20, 10))
    )
    import_through_services(department, results_csv(rows), "vpr.csv", django_capture_on_commit_callbacks)
    context = context_csv([context_row(school.code, year="2025/2026", contingent=412, low_income_share="23.40")])
    import_through_services(department, context, "context.csv", django_capture_on_commit_callbacks)


@pytest.fixture
def statuses(school, other_school, years, department):
    SchoolStatus.objects.create(
        school=school,
        year=years[2024],
        kind=StatusKind.LOW_RESULTS,
        decision_number="17-ОД",
        decision_date=dt.date(2024, 9, 15),
        approved_by=department,
    )
    SchoolStatus.objects.create(
        school=school,
        year=years[2025],
        kind=StatusKind.LOW_RESULTS,
        decision_number="21-ОД",
        decision_date=dt.date(2025, 9, 12),
        approved_by=department,
    )
    SchoolStatus.objects.create(
        school=other_school,
        year=years[2025],
        kind=StatusKind.EFFECTIVE,
        decision_number="22-ОД",
        decision_date=dt.date(2025, 9, 12),
        approved_by=department,
    )


@pytest.fixture
def programme(school, director, years):
    return roadmap_of(school=school, created_by=director, measures=3, title="Программа повышения качества «Шаг вперёд»")


@pytest.fixture
def period(municipality, department):
    return period_of(municipality, created_by=department)


@pytest.fixture
def filed_report(programme, period, director):
    """A submitted report: measures at 100 %, 50 %, 0 % → mean 50 %."""
    report = ProgressReport.objects.create(
        roadmap=programme,
        period=period,
        status=ProgressReport.Status.SUBMITTED,
        submitted_by=director,
        submitted_at=dt.datetime(2025, 12, 20, 10, 0, tzinfo=dt.UTC),
        self_assessment="Проведены семинары.",
    )
    for measure, (status, percent) in zip(
        programme.measures.order_by("pk"),
        [(MeasureStatus.DONE, 100), (MeasureStatus.IN_PROGRESS, 50), (MeasureStatus.PLANNED, 0)],
        strict=True,
    ):
        MeasureProgress.objects.create(report=report, measure=measure, status=status, percent=percent)
        measure.status = status
        measure.save(update_fields=["status"])
    return report


@pytest.fixture
def agreement(school, other_school, municipality, department):
    agreement = Agreement.objects.create(
        municipality=municipality,
        number="7-П",
        signed_on=dt.date(2025, 10, 1),
        supported_school=school,
        status=Agreement.Status.ACTIVE,
        support_forms=[],
        activities='=HYPERLINK("http://evil.example")',
        created_by=department,
    )
    agreement.partners.add(other_school.organisation)
    return agreement


@pytest.fixture
def events(municipality, school, other_school, foreign_school):
    """Two held events in November 2025 and one foreign: 3 + 1 attended (2 of the ШНОР school), 1 absent."""
    seminar = EventFactory(
        municipality=municipality,
        title="Семинар «Формирующее оценивание»",
        kind="seminar",
        starts_at=dt.datetime(2025, 11, 10, 10, tzinfo=dt.UTC),
        ends_at=dt.datetime(2025, 11, 10, 13, tzinfo=dt.UTC),
        hours=3,
        status=Event.Status.HELD,
    )
    webinar = EventFactory(
        municipality=municipality,
        title="Вебинар «Критерии ВПР по русскому языку»",
        kind="webinar",
        starts_at=dt.datetime(2025, 11, 20, 10, tzinfo=dt.UTC),
        ends_at=dt.datetime(2025, 11, 20, 12, tzinfo=dt.UTC),
        hours=2,
        status=Event.Status.HELD,
    )
    for who in (school, school, other_school):
        RegistrationFactory(event=seminar, school=who, attended=True)
    RegistrationFactory(event=seminar, school=other_school, attended=False)
    RegistrationFactory(event=webinar, school=other_school, attended=True)
    EventFactory(
        municipality=foreign_school.municipality,
        title="Чужой семинар",
        starts_at=dt.datetime(2025, 11, 12, 10, tzinfo=dt.UTC),
        ends_at=dt.datetime(2025, 11, 12, 12, tzinfo=dt.UTC),
        status=Event.Status.HELD,
    )
    return seminar, webinar


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


__all__ = ["Roadmap", "pdf_pages", "pdf_text", "save_first_page"]
