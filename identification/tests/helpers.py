"""Small hand-made datasets for the identification tests."""

from __future__ import annotations

import hashlib

from identification.models import IndicatorValue
from monitoring.models import ContextData, ImportJob, ParticipantResult, Subject


def import_job() -> ImportJob:
    job, _ = ImportJob.objects.get_or_create(
        sha256="f" * 64, defaults={"original_name": "test.xlsx", "status": ImportJob.Status.DONE}
    )
    return job


def results(*, school, year, marks, journal=None, subject_code="01", grade=4, procedure="vpr", job=None):
    """One result row per mark (journal marks aligned with them when given)."""
    subject = Subject.objects.get(code=subject_code)
    job = job or import_job()
    journal = journal or [None] * len(marks)
    rows = [
        ParticipantResult(
            year=year,
            procedure=procedure,
            subject=subject,
            grade=grade,
            school=school,
            participant_key=hashlib.md5(f"{school.pk}-{subject_code}-{grade}-{i}".encode()).hexdigest(),  # noqa: S324
            primary_score=10,
            mark=mark,
            journal_mark=journal_mark,
            import_job=job,
        )
        for i, (mark, journal_mark) in enumerate(zip(marks, journal, strict=True))
    ]
    ParticipantResult.objects.bulk_create(rows)


def context(*, school, year, **values) -> ContextData:
    return ContextData.objects.create(school=school, year=year, import_job=import_job(), **values)


def value(*, school, year, indicator="vpr_share_2", amount, participants=30, subject=None, grade=None):
    return IndicatorValue.objects.create(
        school=school,
        year=year,
        indicator=indicator,
        value=amount,
        participants=participants,
        subject=subject,
        grade=grade,
    )


def stored(school, year, indicator, subject_code=None, grade=None):
    qs = IndicatorValue.objects.filter(school=school, year=year, indicator=indicator, grade=grade)
    qs = qs.filter(subject__code=subject_code) if subject_code else qs.filter(subject__isnull=True)
    row = qs.first()
    return None if row is None else round(row.value, 4)
