"""Reading and writing the spreadsheets the portal exchanges with its users.

Reading: XLSX through python-calamine (fast, no formulas evaluated, no macros run) and
CSV in UTF-8 or Windows-1251 with `;`, `,` or tab. The file type is decided by content,
never by the name: a macro workbook (.xlsm, or an .xlsx carrying a VBA project) is
refused. Writing: openpyxl in write-only mode, so a 100,000-row export stays small in
memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TabularFileError(ValueError):
    """A file that cannot be read as a table; the message is for the user, in Russian."""


@dataclass
class Sheet:
    name: str
    rows: list[list[str]]  # every cell as stripped text; "" for an empty cell


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # Excel keeps every number as a float: 203389.0 is the integer 203389.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _sniff_kind(head: bytes, name: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".xlsm") or lowered.endswith(".xltm"):
        raise TabularFileError("Файлы с макросами (.xlsm) не принимаются: сохраните книгу как .xlsx.")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TabularFileError("Формат .xls (Excel 97–2003) не поддерживается: сохраните файл как .xlsx или CSV.")
    if b"\x00" in head[:4096]:
        raise TabularFileError("Файл не похож ни на таблицу Excel (.xlsx), ни на CSV.")
    return "csv"


def _read_xlsx(data: bytes) -> list[Sheet]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise TabularFileError("Файл повреждён: это не книга Excel (.xlsx).") from exc
    if "xl/workbook.xml" not in names:
        raise TabularFileError("Архив не является книгой Excel (.xlsx).")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise TabularFileError("Книга содержит макросы: сохраните её как обычную .xlsx без макросов.")
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for sheet_name in workbook.sheet_names:
            raw = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            sheets.append(Sheet(sheet_name, [[_cell_text(v) for v in row] for row in raw]))
    except Exception as exc:  # calamine raises its own error types for broken parts
        raise TabularFileError(f"Не удалось прочитать книгу Excel: {exc}") from exc
    return sheets


def _read_csv(data: bytes) -> list[Sheet]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes every byte except 0x98
        raise TabularFileError("Не удалось определить кодировку CSV: сохраните файл в UTF-8.")
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";" if sample.count(";") > sample.count(",") else ","
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    return [Sheet("CSV", rows)]


def read_tables(fileobj: IO[bytes], name: str, *, max_bytes: int | None = None) -> list[Sheet]:
    """Read every sheet of an uploaded XLSX or CSV file as rows of text cells."""
    data = fileobj.read()
    if max_bytes is not None and len(data) > max_bytes:
        raise TabularFileError(f"Файл больше допустимых {max_bytes // (1024 * 1024)} МБ.")
    if not data.strip():
        raise TabularFileError("Файл пустой.")
    kind = _sniff_kind(data[:8192], name)
    return _read_xlsx(data) if kind == "xlsx" else _read_csv(data)


def normalise_header(value: str) -> str:
    """Header text compared without case, extra spaces, ё/е or a trailing asterisk."""
    return " ".join(value.replace("ё", "е").replace("Ё", "Е").replace("*", " ").split()).lower()


def column_letter(index: int) -> str:
    """Excel column letter for a zero-based index (0 → A)."""
    return get_column_letter(index + 1)


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E9ECEF")


def xlsx_bytes(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[int] | None = None,
    notes: Sequence[tuple[str, str]] | None = None,
) -> bytes:
    """A one-table workbook: bold frozen header, autofilter, optional second sheet of notes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, header in enumerate(headers):
        width = widths[index] if widths and index < len(widths) else max(12, min(50, len(header) + 4))
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append(list(row))
        count += 1
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    if notes:
        help_sheet = workbook.create_sheet(title="Описание")
        help_sheet.column_dimensions["A"].width = 28
        help_sheet.column_dimensions["B"].width = 100
        for name, description in notes:
            help_sheet.append([name, description])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
