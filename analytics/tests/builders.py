"""Test data of the analytics tests, made through the services a user triggers."""

from __future__ import annotations

import io

from analytics import catalogue
from core.tabular import xlsx_bytes
from monitoring.models import Subject
from schools.models import AcademicYear

HEADERS = ["Задание", "Проверяемое умение", "КЭС", "КТ", "Раздел / тема", "Уровень сложности"]


def import_catalogue(
    rows: list[list[str]], *, start_year: int = 2025, grade: int = 4, user=None, municipality_id: int | None = None
):
    """Upload a catalogue in the template's shape (rows: task, skill, КЭС, КТ, section, level)
    for ВПР Russian (subject «01») of the year and grade, as the catalogue page does."""
    content = xlsx_bytes("Кодификатор", HEADERS, rows)
    return catalogue.task_catalogue_import(
        user=user,
        year=AcademicYear.objects.get_or_create(start_year=start_year)[0],
        procedure="vpr",
        subject=Subject.objects.get(code="01"),
        grade=grade,
        fileobj=io.BytesIO(content),
        name="kodifikator.xlsx",
        municipality_id=municipality_id,
    )


def small_school_version(*, max_interval_width=None, pool_two_years: bool = False, name: str = "Проверка малых школ"):
    """A methodology judging every school with a counted ВПР share of «2» (≥ 0 %, 10 pupils)."""
    from identification.models import Criterion, Methodology, MethodologyVersion

    methodology = Methodology.objects.create(name=name, kind="low_results")
    version = MethodologyVersion.objects.create(
        methodology=methodology, max_interval_width=max_interval_width, pool_two_years=pool_two_years
    )
    Criterion.objects.create(
        version=version, indicator="vpr_share_2", pool="municipality", operator="ge", value=0, min_participants=10
    )
    return version


def run_for(version, department, capture, *, start_year: int = 2025):
    """The department's run of the version for its municipality (jobs run on commit)."""
    from identification import services

    with capture(execute=True):
        run = services.identification_run_create(
            user=department,
            version=version,
            year=AcademicYear.objects.get(start_year=start_year),
            municipality=department.municipality,
        )
    run.refresh_from_db()
    return run
