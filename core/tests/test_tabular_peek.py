"""Layout detection peeks at a sheet's first rows from its XML (core.tabular.peek_xlsx_rows): the
rows it gives must read as the ones calamine gives, for every layout's real shapes."""

import io

import pytest
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from python_calamine import CalamineWorkbook

from core.tabular import _rows_text, read_tables
from monitoring.sample_files import ege_report_xlsx, rcoi_xlsx, vpr_f3_xlsx, vpr_journal_xlsx
from monitoring.tests.builders import VprSheet, rcoi_sparse_xlsx, vpr_f1_xlsx, vpr_row


def _stripped(rows):
    """Rows without trailing empty cells (calamine pads every row to the sheet's full width)."""
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    return out


def _odd_workbook() -> bytes:
    """Rich text, an empty first row and column, a boolean, a number and a long text row past the peek."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Разное"
    sheet["B2"] = CellRichText("Код ", TextBlock(InlineFont(b=True), "участника"))
    sheet["C2"] = "Первичный балл"
    sheet["D2"] = True
    sheet["E2"] = 12.5
    sheet["B3"] = "edu203389"
    for row in range(4, 80):
        sheet.cell(row=row, column=2, value=f"строка {row}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WORKBOOKS = {
    "vpr_f1": lambda: vpr_f1_xlsx(
        VprSheet(schools={"edu203389": [vpr_row("1"), vpr_row("2")]}),
        VprSheet(subject="Математика", schools={"edu203390": [vpr_row("3")]}),
    ),
    "vpr_f3": lambda: vpr_f3_xlsx([("Вся выборка", 100, 2000, 5, 30, 40, 25)], split_header=True),
    "vpr_journal": lambda: vpr_journal_xlsx([("МБОУ СОШ №1 (edu203389)", 1, 20, 3)]),
    "ege_report": lambda: ege_report_xlsx(
        ["Русский язык"], {"Заречный район": [("edu203389", "МБОУ СОШ №1", {"Русский язык": (10, 70, 0, 1, 0)})]}
    ),
    "rcoi": lambda: rcoi_xlsx(("01 - Русский язык 2025.06.09", ["№", "Код ОО"], [[1, "203389"]])),
    "rcoi_sparse": lambda: rcoi_sparse_xlsx(("01 - Русский язык 2025.06.09", ["№", "Код ОО"], [[1, "203389"]])),
    "odd": _odd_workbook,
}


@pytest.mark.parametrize("name", sorted(WORKBOOKS))
def test_the_peeked_first_rows_read_as_calamines(name):
    data = WORKBOOKS[name]()
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = read_tables(io.BytesIO(data), "upload.xlsx", lazy=True)
    assert [sheet.name for sheet in sheets] == calamine.sheet_names
    for sheet in sheets:
        expected = _rows_text(calamine.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False, nrows=40))
        assert _stripped(sheet.peek(40)) == _stripped(expected), sheet.name
