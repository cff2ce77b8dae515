"""Objects of roadmaps for tests and the permission matrix: found or made, so a second call returns the same."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from core.sample_documents import tiny_pdf
from roadmaps.models import (
    Direction,
    Evidence,
    Level,
    Measure,
    MeasureProgress,
    Objective,
    ProgressReport,
    ReportingPeriod,
    Roadmap,
)
from tests.factories import AcademicYearFactory, MunicipalityFactory, RegionFactory, UserFactory

PDF_BYTES = tiny_pdf()


def year(start: int = 2025):
    return AcademicYearFactory(start_year=start)


def roadmap_of(
    *,
    school=None,
    municipality=None,
    created_by,
    status: str = Roadmap.Status.APPROVED,
    title: str | None = None,
    published: bool = False,
    measures: int = 1,
    due_on: dt.date | None = None,
) -> Roadmap:
    """A roadmap with one objective and ``measures`` measures (found by title when it exists)."""
    municipality = school.municipality if school is not None else municipality
    title = title or (f"Программа {school.code}" if school is not None else f"Дорожная карта {municipality.name}")
    existing = Roadmap.objects.filter(title=title).first()
    if existing is not None:
        return existing
    y = year()
    roadmap = Roadmap.objects.create(
        level=Level.SCHOOL if school is not None else Level.MUNICIPAL,
        municipality=municipality,
        school=school,
        title=title,
        start_year=y,
        end_year=y,
        status=status,
        created_by=created_by,
        approved_at=timezone.now() if status == Roadmap.Status.APPROVED else None,
        published_at=timezone.now() if published else None,
    )
    objective = Objective.objects.create(
        roadmap=roadmap,
        direction=Direction.METHODOLOGICAL,
        title="Повысить объективность оценивания",
        indicator="Доля подтвердивших отметку в ВПР",
        unit="%",
        baseline_value=55,
        target_value=75,
    )
    for n in range(measures):
        Measure.objects.create(
            objective=objective,
            roadmap=roadmap,
            title=f"Семинар по критериям оценивания № {n + 1}",
            responsible="Заместитель директора по УР",
            starts_on=dt.date(2025, 9, 1),
            due_on=due_on or dt.date(2026, 5, 31),
            evidence_required=n == 0,
        )
    return roadmap


def period_of(municipality, *, created_by, name: str = "I квартал", days_open: int = 10, due_in: int = 20):
    today = timezone.localdate()
    period, _ = ReportingPeriod.objects.get_or_create(
        municipality=municipality,
        name=name,
        defaults={
            "opens_on": today - dt.timedelta(days=days_open),
            "due_on": today + dt.timedelta(days=due_in),
            "created_by": created_by,
        },
    )
    return period


def report_of(roadmap: Roadmap, period: ReportingPeriod, *, status=ProgressReport.Status.SUBMITTED, percent=50):
    report, created = ProgressReport.objects.get_or_create(roadmap=roadmap, period=period, defaults={"status": status})
    if created:
        for measure in roadmap.measures.all():
            MeasureProgress.objects.create(report=report, measure=measure, status="in_progress", percent=percent)
        if status in (ProgressReport.Status.SUBMITTED, ProgressReport.Status.ACCEPTED):
            report.submitted_at = timezone.now()
            report.save()
    return report


def evidence_of(report: ProgressReport, *, user) -> Evidence:
    item = report.items.first()
    existing = item.evidence.first()
    if existing is not None:
        return existing
    token = f"{report.pk:032x}"
    evidence = Evidence(
        item=item,
        token=token,
        kind="pdf",
        original_name="протокол семинара.pdf",
        size=len(PDF_BYTES),
        sha256="0" * 64,
        uploaded_by=user,
        uploaded_at=timezone.now(),
    )
    evidence.file.save(f"{token}.pdf", ContentFile(PDF_BYTES), save=False)
    evidence.save()
    return evidence


def neutral_municipality():
    """A municipality of neither side of the matrix: its public pages carry no scope marker."""
    from schools.models import Municipality

    existing = Municipality.objects.filter(oktmo="96610000").first()
    if existing:
        return existing
    return MunicipalityFactory(
        region=RegionFactory(name="Открытая область", code="96"), name="Открытый район", oktmo="96610000"
    )


def neutral_author():
    return UserFactory(username="open_department", municipality=neutral_municipality())
