"""Charts and XLSX tables of an analysis: the one place that turns selector output into both,
so every table on a page is the table in its workbook."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from analytics.selectors import Analysis, SchoolLine, TaskRow
from analytics.stats import MarkFigures, Share, pct1
from core.charts import FULL_WIDTH, Series, bar_chart, histogram_chart
from core.xlsx import safe_row


def interval_text(share: Share) -> str:
    interval = share.interval
    if interval is None:
        return ""
    return f"{pct1(interval[0]):.1f}–{pct1(interval[1]):.1f}".replace(".", ",")


def marks_chart(analysis: Analysis, title: str):
    series = []
    for row in analysis.marks:
        if row.figures is not None and row.figures.n:
            values = [row.figures.share(mark).value for mark in (2, 3, 4, 5)]
        elif row.shares is not None:
            values = list(row.shares)
        else:
            continue
        series.append(Series(row.chart_label, values))
    return bar_chart(
        title=title,
        categories=["«2»", "«3»", "«4»", "«5»"],
        series=series,
        unit="%",
        height=300,
        width=FULL_WIDTH,
        fluid=True,
    )


def chart_order(tasks: Sequence[TaskRow], *, against_region: bool = False) -> list[TaskRow]:
    """The tasks as the chart shows them: the largest shortfall against the comparison first.

    The comparison is the municipality on a school's or class's page and the region on the
    municipality's own page (``against_region``); tasks without a comparison figure follow,
    weakest first, and tasks without an own figure come last. Ties keep the task order.
    The table under the chart keeps the order of the work: a methodologist reads it side by
    side with the work's description and the catalogue, which go task by task."""

    def key(task: TaskRow) -> tuple[int, float, int]:
        if task.school is None:
            return (2, 0.0, task.number)
        other = task.region if against_region else task.municipality
        if other is not None:
            return (0, task.school - other, task.number)
        return (1, task.school, task.number)

    return sorted(tasks, key=key)


def task_chart(analysis: Analysis, own_label: str, *, against_region: bool = False):
    tasks = chart_order(analysis.tasks, against_region=against_region)
    categories = [f"{t.label}{' ▼' if t.far_below else ''}" for t in tasks]
    series = [
        Series(own_label, [t.school for t in tasks]),
        Series("Муниципалитет", [t.municipality for t in tasks]),
        Series("Регион", [t.region for t in tasks]),
    ]
    # Three bars a task need about 60 px; past the card's width the chart scrolls sideways
    # at its own size rather than squeezing its labels.
    width = max(FULL_WIDTH, 60 * len(tasks))
    return bar_chart(
        title="Выполнение заданий, %",
        categories=categories,
        series=series,
        unit="%",
        decimals=0,
        y_max=100,
        width=width,
        height=320,
        fluid=width == FULL_WIDTH,
    )


def histogram(analysis: Analysis):
    structure = analysis.structure
    return histogram_chart(
        title="Распределение первичных баллов",
        counts=analysis.histogram,
        max_score=structure.max_primary_score if structure else None,
        boundaries=structure.boundaries if structure else (),
        width=FULL_WIDTH,
        height=280,
        fluid=True,
    )


# --- Tables (page and XLSX alike) ----------------------------------------------------------------


def _pct(value: float | None) -> float | None:
    return pct1(value)


def marks_table(analysis: Analysis) -> tuple[list[str], list[list[Any]]]:
    head = ["Группа", "Участников", "«2», %", "«3», %", "«4», %", "«5», %", "Успеваемость, %", "Интервал (95 %)",
            "Качество, %", "Интервал (95 %)", "Объединение"]  # fmt: skip
    rows = []
    for row in analysis.marks:
        if row.figures is not None:
            f = row.figures
            rows.append(_marks_line(row.label, f))
        elif row.shares is not None:
            s2, s3, s4, s5 = row.shares
            rows.append([row.label, row.participants, s2, s3, s4, s5, pct1(s3 + s4 + s5), "", pct1(s4 + s5), "", ""])
        else:
            rows.append([row.label, 0, None, None, None, None, None, "", None, "", ""])
    if analysis.pooled is not None:
        rows.append(_marks_line(f"Объединённая группа школы ({analysis.pooled.pooled_label})", analysis.pooled))
    if analysis.two_years is not None:
        rows.append(_marks_line(f"Объединено за 2 года ({analysis.two_years.pooled_label})", analysis.two_years))
    return head, rows


def _marks_line(label: str, f: MarkFigures) -> list[Any]:
    return [
        label,
        f.n,
        *(pct1(f.share(mark).value) for mark in (2, 3, 4, 5)),
        pct1(f.success.value),
        interval_text(f.success),
        pct1(f.quality.value),
        interval_text(f.quality),
        f.pool_text,
    ]


def tasks_table(analysis: Analysis, own_label: str) -> tuple[list[str], list[list[Any]]]:
    head = ["Задание", "Уровень", "Макс. балл", "Участников", f"Выполнение: {own_label}, %", "Муниципалитет, %",
            "Регион, %", "Отклонение от муниципалитета, п.п.", "Умение", "КЭС", "Намного ниже"]  # fmt: skip
    rows = [
        [
            t.label,
            t.difficulty,
            t.max_score,
            t.participants,
            pct1(t.school),
            pct1(t.municipality),
            pct1(t.region),
            pct1(t.gap),
            t.item.skill if t.item else "",
            t.item.kes if t.item else "",
            "да" if t.far_below else "",
        ]
        for t in analysis.tasks
    ]
    return head, rows


def skills_table(rows, title: str) -> tuple[list[str], list[list[Any]]]:
    head = [title, "Задания", "Школа, %", "Муниципалитет, %", "Регион, %", "Отклонение, п.п.", "Слабое"]
    return head, [
        [
            r.name,
            ", ".join(r.tasks),
            pct1(r.school),
            pct1(r.municipality),
            pct1(r.region),
            pct1(r.gap),
            "да" if r.weak else "",
        ]
        for r in rows
    ]


def classes_table(analysis: Analysis) -> tuple[list[str], list[list[Any]]]:
    head = ["Класс", "Участников", "Успеваемость, %", "Качество, %", "С журналом", "Понизили, %", "Подтвердили, %",
            "Повысили, %"]  # fmt: skip
    rows = []
    for name, row in analysis.classes:
        f = MarkFigures.of(row)
        j = row.journal_n

        def share(count: int, j: int = j) -> float | None:
            return pct1(100 * count / j) if j else None

        rows.append([name, f.n, pct1(f.success.value), pct1(f.quality.value), j, share(row.lowered),
                     share(row.confirmed), share(row.raised)])  # fmt: skip
    return head, rows


def cohort_table(analysis: Analysis) -> tuple[list[str], list[list[Any]]]:
    head = ["Год", "Класс", "Участников", "«2», %", "Успеваемость, %", "Качество, %", "Средняя отметка"]
    return head, [
        [
            f"{k.year.start_year}/{k.year.start_year + 1}",
            k.grade,
            f.n,
            pct1(f.share(2).value),
            pct1(f.success.value),
            pct1(f.quality.value),
            round(f.mean_mark, 2) if f.mean_mark is not None else None,
        ]
        for k, f in analysis.cohort
    ]


def histogram_table(analysis: Analysis) -> tuple[list[str], list[list[Any]]]:
    return ["Первичный балл", "Участников"], [[score, n] for score, n in analysis.histogram]


def schools_table(lines: Sequence[SchoolLine]) -> tuple[list[str], list[list[Any]]]:
    head = ["Код ОО", "Школа", "Участников", "Успеваемость, %", "Интервал (95 %)", "Качество, %", "Интервал (95 %)",
            "Выполнение заданий, %", "Объединённая группа"]  # fmt: skip
    rows = []
    for line in lines:
        f = line.figures
        pooled = ""
        if line.pooled is not None:
            p = line.pooled
            pooled = f"{p.pool_text}: {p.n} уч., успеваемость {pct1(p.success.value)} % [{interval_text(p.success)}]"
        rows.append([line.school.code, line.school.short_name, f.n, pct1(f.success.value), interval_text(f.success),
                     pct1(f.quality.value), interval_text(f.quality), pct1(line.completion), pooled])  # fmt: skip
    return head, rows


def municipality_tables(
    analysis: Analysis, lines: Sequence[SchoolLine]
) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The municipality page's tables, one sheet each in its XLSX (built in the reports queue)."""
    return [
        ("Отметки", *marks_table(analysis)),
        ("Задания", *tasks_table(analysis, "Муниципалитет")),
        ("Умения", *skills_table(analysis.skills, "Проверяемое умение")),
        ("КЭС", *skills_table(analysis.elements, "Элемент содержания (КЭС)")),
        ("Школы", *schools_table(lines)),
    ]


def workbook(tables: Sequence[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    """One sheet per table: bold frozen header, every cell made safe against formulas."""
    book = Workbook()
    book.remove(book.active)
    for title, head, rows in tables:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(head)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(safe_row(row))
        sheet.freeze_panes = "A2"
        for index, name in enumerate(head, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(10, min(50, len(name) + 2))
    if not tables:
        book.create_sheet(title="Нет данных").append(["Результатов участников за выбранный срез нет."])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
