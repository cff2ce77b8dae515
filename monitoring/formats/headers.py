"""Header recognition for every results layout: which layout a file is, and where a sheet's header row stands.

One place for it (issue 15): the detector of the whole file and each parser looking for
its own header row ask the same predicates over the same normalised cells, so a header
the detector accepts is one the parser finds. Only the first rows of a sheet are read
(``Sheet.head``): a sheet of three million rows costs no more to recognise than one of ten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.tabular import AnySheet, normalise_header
from monitoring.models import ImportJob

# The header block and the column titles stand within the first rows of a sheet.
HEADER_SCAN_ROWS = 40
# The canonical templates put their single header row within the first ten rows.
TEMPLATE_SCAN_ROWS = 10

HeaderTest = Callable[[set[str]], bool]


def find_header(rows: Sequence[list[str]], matches: HeaderTest, *, scan: int = HEADER_SCAN_ROWS) -> int | None:
    """Index of the first of the first ``scan`` rows that ``matches`` accepts; None when none does."""
    for index, row in enumerate(rows[:scan]):
        if matches(row_cells(row)):
            return index
    return None


def row_cells(row: list[str]) -> set[str]:
    return {normalise_header(cell) for cell in row if cell}


def is_results_csv_header(cells: set[str]) -> bool:
    return {"процедура", "код участника", "первичный балл"} <= cells and bool(cells & {"код предмета", "предмет"})


def is_vpr_f1_header(cells: set[str]) -> bool:
    return {"код участника", "первичный балл", "отметка"} <= cells and "код ппэ" not in cells and "фамилия" not in cells


def is_school_form_header(cells: set[str]) -> bool:
    # The ВПР «форма сбора результатов» a school fills: tasks and «Итого баллов», no «Первичный балл».
    return "код участника" in cells and bool(cells & {"итого баллов", "порядковый номер класса"})


def is_rcoi_header(cells: set[str]) -> bool:
    # «Первичный балл после апелляции» in an appeal protocol.
    primary = "первичный балл" in cells or any(cell.startswith("первичный балл ") for cell in cells)
    return "код оо" in cells and primary and bool(cells & {"код ппэ", "фамилия", "код участника"})


def is_context_header(cells: set[str]) -> bool:
    return {"код оо", "учебный год", "контингент"} <= cells


def is_vpr_f3_header(cells: set[str]) -> bool:
    # The marks 2–5 may stand in this row or in the one below it (a merged «Распределение…» cell).
    return {"группы участников", "кол-во оо", "кол-во участников"} <= cells


def is_vpr_journal_header(cells: set[str]) -> bool:
    # «Понизили (Отметка < Отметка по журналу)» is a column title or the caption of a row.
    return any(cell.startswith("понизили") for cell in cells)


def is_ege_report_header(cells: set[str]) -> bool:
    return any(cell.startswith(("приняло участие", "приняли участие")) for cell in cells) and any(
        "средний" in cell and "балл" in cell for cell in cells
    )


def is_aggregates_header(cells: set[str]) -> bool:
    participants = {"участников", "приняли участие", "приняло участие"}
    return {"учебный год", "код оо", "предмет"} <= cells and bool(cells & participants)


_DETECTORS = (
    # Before Ф1 and РЦОИ: the canonical header holds their columns too, and «Процедура» besides.
    (ImportJob.Layout.RESULTS_CSV, is_results_csv_header),
    (ImportJob.Layout.VPR_F1, is_vpr_f1_header),
    (ImportJob.Layout.SCHOOL_FORM, is_school_form_header),
    (ImportJob.Layout.RCOI_PROTOCOL, is_rcoi_header),
    (ImportJob.Layout.CONTEXT, is_context_header),
    (ImportJob.Layout.AGGREGATES, is_aggregates_header),
    (ImportJob.Layout.VPR_F3, is_vpr_f3_header),
    (ImportJob.Layout.VPR_JOURNAL, is_vpr_journal_header),
    (ImportJob.Layout.EGE_REPORT, is_ege_report_header),
)


def detect_layout(sheets: Sequence[AnySheet]) -> str | None:
    """The layout of a file, recognised by its header row (never by the file name).

    Reads only the first HEADER_SCAN_ROWS rows of each sheet (``peek``: a sheet not read yet
    is not converted whole).
    """
    for sheet in sheets:
        for row in sheet.peek(HEADER_SCAN_ROWS):
            cells = row_cells(row)
            for layout, matches in _DETECTORS:
                if matches(cells):
                    return layout
    return None
