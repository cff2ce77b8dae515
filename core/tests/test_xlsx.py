import io

import openpyxl
import pytest

from core.tabular import xlsx_bytes
from core.xlsx import safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+7 999", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_run_as_a_formula_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["МБОУ СОШ № 1", "", 42, -5, None, "a=b"])
def test_ordinary_values_pass_unchanged(value):
    assert safe_cell(value) == value


def test_every_export_through_xlsx_bytes_writes_formula_like_text_as_text():
    content = xlsx_bytes("Лист", ["Название"], [['=HYPERLINK("http://evil")']])

    cell = openpyxl.load_workbook(io.BytesIO(content)).active["A2"]

    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://evil")'


def test_what_an_export_escaped_reads_back_as_it_was():
    from core.tabular import read_tables

    values = ["+7 (84563) 2-11-00", "=1+1", "-", "'quoted by hand", "обычный текст"]
    content = xlsx_bytes("Лист", ["Значение"], [[value] for value in values])

    sheet = read_tables(io.BytesIO(content), "export.xlsx")[0]

    assert [row[0] for row in sheet.rows[1:]] == values
