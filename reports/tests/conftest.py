"""Crafted data for the report tests: known figures that the PDFs and sheets must show."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from events.models import Event
from events.tests.factories import EventFactory, RegistrationFactory
from identification.models import SchoolStatus, StatusKind
from monitoring.models import ContextData, ImportJob, Procedure, SchoolAggregate, Subject
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


def save_first_page(content: bytes, name: str) -> Path:
    """The first page as PNG under var/screenshots/ (pdftoppm from poppler-utils), to look at."""
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


def aggregate(*, school, year, subject, participants, marks, grade=4, procedure=Procedure.VPR, job=None):
    return SchoolAggregate.objects.create(
        school=school,
        year=year,
        subject=subject,
        grade=grade,
        procedure=procedure,
        participants=participants,
        mark_2=marks[0],
        mark_3=marks[1],
        mark_4=marks[2],
        mark_5=marks[3],
        mean_mark=Decimal(sum(m * n for m, n in zip((2, 3, 4, 5), marks, strict=True)) / participants).quantize(
            Decimal("0.01")
        ),
        import_job=job,
    )


@pytest.fixture
def results(school, other_school, years, russian, job):
    """ВПР русский 4 класс: the school's share of «2» 30 % → 25 %; the other school 10 % → 5 %."""
    aggregate(school=school, year=years[2024], subject=russian, participants=40, marks=(12, 14, 10, 4))
    aggregate(school=school, year=years[2025], subject=russian, participants=48, marks=(12, 18, 12, 6))
    aggregate(school=other_school, year=years[2024], subject=russian, participants=60, marks=(6, 24, 20, 10))
    aggregate(school=other_school, year=years[2025], subject=russian, participants=52, marks=(2, 20, 20, 10))
    ContextData.objects.create(
        school=school, year=years[2025], import_job=job, contingent=412, low_income_share=Decimal("23.40")
    )


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
