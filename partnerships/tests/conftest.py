"""Builders of crafted data for the partnerships tests: statuses, results, context, agreements."""

from __future__ import annotations

import itertools
from decimal import Decimal
from itertools import count

import pytest

from identification.models import SchoolStatus, StatusKind
from monitoring.models import ContextData, ImportJob, ParticipantResult, Procedure, Subject
from partnerships.models import Agreement
from tests.factories import AcademicYearFactory, SchoolFactory

_keys = count()


@pytest.fixture
def year(db):
    return AcademicYearFactory(start_year=2025)


@pytest.fixture
def job(department):
    return ImportJob.objects.create(uploaded_by=department, original_name="crafted.xlsx", sha256="c" * 64)


@pytest.fixture
def maths(db):
    return Subject.objects.get_or_create(code="02", defaults={"name": "Математика"})[0]


@pytest.fixture
def russian(db):
    return Subject.objects.get_or_create(code="01", defaults={"name": "Русский язык"})[0]


def give_status(school, year, kind=StatusKind.LOW_RESULTS):
    return SchoolStatus.objects.create(school=school, year=year, kind=kind)


def add_results(*, school, year, subject, job, marks: dict[int, int], procedure=Procedure.OGE, grade=9):
    """``marks``: {mark: how many participants}; one ParticipantResult per participant."""
    rows = [
        ParticipantResult(
            year=year,
            procedure=procedure,
            subject=subject,
            grade=grade,
            school=school,
            participant_key=f"{next(_keys):032x}",
            primary_score=mark * 5,
            mark=mark,
            import_job=job,
        )
        for mark, n in marks.items()
        for _ in range(n)
    ]
    ParticipantResult.objects.bulk_create(rows)


def add_context(*, school, year, job, contingent=None, low_income=None):
    return ContextData.objects.create(
        school=school,
        year=year,
        import_job=job,
        contingent=contingent,
        low_income_share=None if low_income is None else Decimal(low_income),
    )


def place(school, lat, lon):
    school.organisation.latitude = Decimal(str(lat))
    school.organisation.longitude = Decimal(str(lon))
    school.organisation.save()


def strong_school(municipality, year, **kwargs):
    school = SchoolFactory(municipality=municipality, **kwargs)
    give_status(school, year, StatusKind.HIGH_RESULTS)
    return school


_numbers = itertools.count(1)


def agreement_with(*, supported, partners, status=Agreement.Status.DRAFT, number=None, signed_on=None):
    # Numbers are unique per municipality and year: each agreement gets its own unless asked.
    number = f"Т-{next(_numbers)}" if number is None else number
    agreement = Agreement.objects.create(
        municipality_id=supported.municipality_id,
        supported_school=supported,
        number=number,
        signed_on=signed_on,
        status=status,
    )
    agreement.partners.set([p.organisation if hasattr(p, "organisation") else p for p in partners])
    return agreement
