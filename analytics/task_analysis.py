"""``export_task_analysis``: per-task completion and marks of a municipality's schools for a year.

The sheets and columns are fixed by issue #18 (scripts read them):

* «Задания» — one row per school × procedure × subject × grade × task;
* «Отметки» — one row per school × procedure × subject × grade.

Percentages have one decimal place, rounded half away from zero (``analytics.stats.pct1``), from
the same stored figures the analytics pages show.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q

from analytics.models import MarkResult, TaskResult
from analytics.stats import MarkFigures, pct1
from monitoring.models import AssessmentStructure, AssessmentTask, Procedure
from schools.models import AcademicYear, Municipality

TASK_SHEET = "Задания"
TASK_COLUMNS = [
    "Код ОО", "Процедура", "Предмет (код)", "Класс", "Задание", "Макс. балл", "Участников",
    "Выполнение ОО, %", "Выполнение муниципалитета, %", "Выполнение региона, %",
]  # fmt: skip
MARK_SHEET = "Отметки"
MARK_COLUMNS = [
    "Код ОО", "Процедура", "Предмет (код)", "Класс", "Участников", "«2», %", "«3», %", "«4», %", "«5», %",
    "Успеваемость, %", "Качество, %",
]  # fmt: skip


def _completion(row: TaskResult | None) -> float | None:
    return pct1(row.completion) if row is not None else None


def task_rows(*, municipality: Municipality, year: AcademicYear) -> Iterator[list[Any]]:
    """«Задания»: the school's completion against its municipality and region, task by task."""
    tasks: dict[tuple, AssessmentTask] = {}
    for structure in AssessmentStructure.objects.filter(year=year, variant="").prefetch_related("tasks"):
        for item in structure.tasks.all():
            tasks[(structure.procedure, structure.subject_id, structure.grade, item.number)] = item
    base = TaskResult.objects.filter(year=year).select_related("subject")
    areas = {
        (row.level, row.procedure, row.subject_id, row.grade, row.task_number): row
        for row in TaskResult.objects.filter(
            Q(level="municipality", municipality=municipality) | Q(level="region", region_id=municipality.region_id),
            year=year,
        )
    }
    schools = (
        base.filter(level="school", school__municipality=municipality)
        .select_related("school")
        .order_by("school__code", "procedure", "subject__code", "grade", "task_number")
    )
    for row in schools:
        task = tasks.get((row.procedure, row.subject_id, row.grade, row.task_number))
        if task is None or row.school is None:
            continue
        key = (row.procedure, row.subject_id, row.grade, row.task_number)
        yield [
            row.school.code,
            Procedure(row.procedure).label,
            row.subject.code,
            row.grade,
            task.label,
            task.max_score,
            row.participants,
            _completion(row),
            _completion(areas.get(("municipality", *key))),
            _completion(areas.get(("region", *key))),
        ]


def mark_rows(*, municipality: Municipality, year: AcademicYear) -> Iterator[list[Any]]:
    """«Отметки»: each school's slices (pooled rows are not exported: they are not a slice)."""
    rows = (
        MarkResult.objects.filter(level="school", school__municipality=municipality, year=year, grade_to__isnull=True)
        .select_related("school", "subject")
        .order_by("school__code", "procedure", "subject__code", "grade")
    )
    for row in rows:
        if row.school is None:
            continue
        figures = MarkFigures.of(row)
        yield [
            row.school.code,
            Procedure(row.procedure).label,
            row.subject.code,
            row.grade,
            figures.n,
            *(pct1(figures.share(mark).value) for mark in (2, 3, 4, 5)),
            pct1(figures.success.value),
            pct1(figures.quality.value),
        ]


def task_analysis_workbook(*, municipality: Municipality, year: AcademicYear) -> bytes:
    from analytics.presentation import workbook

    return workbook(
        [
            (TASK_SHEET, TASK_COLUMNS, list(task_rows(municipality=municipality, year=year))),
            (MARK_SHEET, MARK_COLUMNS, list(mark_rows(municipality=municipality, year=year))),
        ]
    )
