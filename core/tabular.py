"""Reading and writing the spreadsheets the portal exchanges with its users.

Reading: XLSX, and the .xls (Excel 97–2003), .xlsb and .ods most РЦОИ and municipal files come
in, through python-calamine (fast, no formulas evaluated, no macros run) and
CSV in UTF-8 or Windows-1251 with `;`, `,` or tab. The file type is decided by content,
never by the name: a macro workbook (.xlsm, or an .xlsx carrying a VBA project) is
refused. Writing: openpyxl in write-only mode, so a 100,000-row export stays small in
memory.

Hardening (issue 3): an XLSX is a zip, so before any XML parser sees it the archive is
inspected — entry count, declared and actual uncompressed size, compression ratio, macros
(VBA projects and Excel 4 macro sheets) and links to external workbooks are refused. The
sizes are verified by streaming every entry through ``zipfile`` (which checks the CRC and
stops at the declared size), so a header that lies about its size does not get through.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import logging
import re
import zipfile
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from core.xlsx import safe_row, unescape_cell

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Limits of an XLSX archive. A real workbook compresses its XML 5–30 times; a ratio over
# 100 is a zip bomb. The total uncompressed size is capped by settings.UPLOAD_MAX_UNCOMPRESSED_BYTES
# (thirty times the upload limit by default: ten refused a real 46 MB Ф1 of 700,000 rows).
XLSX_MAX_ENTRIES = 10_000
XLSX_MAX_COMPRESSION_RATIO = 100
# Tiny parts (styles, rels) may compress extremely well and are harmless; the ratio is
# checked for parts above this size and for the archive as a whole.
_RATIO_CHECK_MIN_BYTES = 1024 * 1024
_STREAM_CHUNK = 1024 * 1024


class TabularFileError(ValueError):
    """A file that cannot be read as a table; the message is for the user, in Russian."""


@dataclass
class RowError:
    """One problem found in an uploaded table, addressed as the user sees it in Excel."""

    sheet: str
    row: int  # 1-based, as Excel shows it; 0 for the whole file
    column: str  # column letter and title, e.g. «C (Полное наименование)», or "" for the whole row
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


def describe_error(error: dict) -> str:
    """«лист «РУ 4», строка 8, столбец M (Отметка): …» — a stored RowError as one line of text."""
    where = ", ".join(
        part
        for part in (
            f"лист «{error['sheet']}»" if error.get("sheet") else "",
            f"строка {error['row']}" if error.get("row") else "",
            f"столбец {error['column']}" if error.get("column") else "",
        )
        if part
    )
    return f"{where}: {error['message']}" if where else error["message"]


def read_upload(fileobj: IO[bytes], name: str, *, max_bytes: int | None = None) -> tuple[bytes, str]:
    """The bytes of an upload and its kind («xlsx» or «csv»), after the checks every upload gets.

    Size, emptiness and a macro workbook's name are refused here, before anything is
    stored; the zip inspection happens when the stored file is read (read_tables).
    """
    if max_bytes is None:
        max_bytes = settings.UPLOAD_MAX_BYTES
    data = fileobj.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TabularFileError(f"Файл больше допустимых {max_bytes // (1024 * 1024)} МБ.")
    if not data.strip():
        raise TabularFileError("Файл пустой.")
    return data, _sniff_kind(data[:8192], name, data)


@dataclass
class Sheet:
    name: str
    rows: list[list[str]]  # every cell as stripped text; "" for an empty cell

    def head(self, count: int) -> list[list[str]]:
        """The first rows as text (for finding a header)."""
        return self.rows[:count]

    def peek(self, count: int) -> list[list[str]]:
        """The first rows as text without reading the rest (the same as head for a sheet in memory)."""
        return self.rows[:count]

    @property
    def raw(self) -> list[list[Any]]:
        """The cells as read: text here; a LazySheet gives calamine's values (see cell_text)."""
        return self.rows


def cell_text(value: Any) -> str:
    """A cell's value as the stripped text the parsers read (see Sheet.rows)."""
    if value.__class__ is str:  # most cells: checked first, without a call
        value = value.strip()
        return unescape_cell(value) if value[:1] == "'" else value
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
    return unescape_cell(str(value).strip())


def _rows_text(raw: list[list[Any]]) -> list[list[str]]:
    """Every cell of a sheet as text: strings are only stripped, other values converted once each.

    A region's results file has tens of millions of cells but few distinct numbers (scores,
    marks), so the conversions are remembered; the text of equal values is shared too.
    """
    memo: dict[Any, str] = {}

    def text(value: Any) -> str:
        try:
            return memo[(value.__class__, value)]
        except KeyError:
            result = cell_text(value)
            if len(memo) < 100_000:
                memo[(value.__class__, value)] = result
            return result
        except TypeError:  # an unhashable value
            return cell_text(value)

    rows = [[value.strip() if value.__class__ is str else text(value) for value in row] for row in raw]
    # Our own exports escape formula-like text with an apostrophe; read it back as it was.
    # Such cells are rare: a row is searched for one in C, as the text of its joined cells.
    for row in rows:
        joined = "\x00".join(row)
        if joined[:1] == "'" or "\x00'" in joined:
            row[:] = [unescape_cell(cell) if cell[:1] == "'" else cell for cell in row]
    return rows


def _sniff_kind(head: bytes, name: str, data: bytes = b"") -> str:
    lowered = name.lower()
    if lowered.endswith((".xlsm", ".xltm", ".xlsb.xlsm")):
        raise TabularFileError("Файлы с макросами (.xlsm) не принимаются: сохраните книгу как .xlsx.")
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(head, data)
    if head.startswith(OLE_MAGIC):
        # Excel 97–2003 (.xls), as most РЦОИ protocols come; read by calamine, macros never run.
        return "xls"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head):
        raise TabularFileError(
            "Файл CSV сохранён в кодировке UTF-16 («Юникод»): сохраните его как UTF-8 "
            "(в Excel: «Сохранить как» → «CSV UTF-8 (разделитель — запятая)»)."
        )
    if head.startswith(_OTHER_FORMATS) or b"\x00" in head[:4096] or _MARKUP.match(head):
        # A NUL byte means a binary (a renamed program); a leading tag means a web page or
        # XML renamed to .xlsx/.csv: neither is a table, and we never store it.
        raise TabularFileError("Файл не похож ни на таблицу Excel (.xlsx), ни на CSV.")
    return "csv"


OLE_MAGIC = b"\xd0\xcf\x11\xe0"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# The kinds besides CSV that read_tables reads, and the part each zip kind must hold.
SPREADSHEET_KINDS = ("xlsx", "xlsb", "ods", "xls")
_MAIN_PART = {"xlsx": "xl/workbook.xml", "xlsb": "xl/workbook.bin", "ods": "content.xml"}


def _zip_kind(head: bytes, data: bytes) -> str:
    """«xlsx», «xlsb» or «ods» from the parts of the archive; «xlsx» when they do not tell (checked later)."""
    if head[30:38] == b"mimetype" and ODS_MIMETYPE in head[:200]:
        return "ods"
    try:
        with zipfile.ZipFile(io.BytesIO(data or head)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return "xlsx"
    if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
        return "xlsb"
    if "content.xml" in names and "xl/workbook.xml" not in names:
        return "ods"
    return "xlsx"


# A PDF, a photo or a program is not a CSV even when it has no NUL byte near its start.
_OTHER_FORMATS = (b"%PDF-", b"\xff\xd8\xff", b"\x89PNG", b"GIF8")
XML_ENTITIES = (
    "Файл содержит объявления сущностей XML (DOCTYPE): так не сохраняет ни одна офисная программа, файл не принимается."
)
UNREADABLE_WORKBOOK = "Не удалось прочитать книгу Excel: файл повреждён. Откройте его в Excel и сохраните заново."


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 text without a BOM: every other byte of Latin or digits is NUL."""
    sample = head[:512]
    if len(sample) < 16:
        return False
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    half = len(sample) // 2
    return (odd > 0.8 * half and even < 0.05 * half) or (even > 0.8 * half and odd < 0.05 * half)


_MARKUP = re.compile(rb"(?:\xef\xbb\xbf)?\s*<(?:[!?]|[a-z])", re.IGNORECASE)


def max_uncompressed_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_UNCOMPRESSED_BYTES", None) or 30 * settings.UPLOAD_MAX_BYTES


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} МБ"


def has_xml_entities(head: bytes) -> bool:
    """A DOCTYPE in the prolog of an Office XML part: entity expansion (XXE, «billion laughs»)."""
    return b"<!DOCTYPE" in head[:4096].upper() or b"<!ENTITY" in head[:4096].upper()


def inspect_xlsx_archive(data: bytes, *, max_uncompressed: int | None = None, kind: str = "xlsx") -> None:
    """Refuse an XLSX whose archive is dangerous, before any XML of it is parsed.

    Raises TabularFileError (message in Russian) for: a broken zip, more than
    XLSX_MAX_ENTRIES entries, a total uncompressed size over the limit, a compression ratio
    over XLSX_MAX_COMPRESSION_RATIO, macros, or links to external workbooks.
    """
    limit = max_uncompressed or max_uncompressed_bytes()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise TabularFileError("Файл повреждён: это не книга Excel (.xlsx).") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > XLSX_MAX_ENTRIES:
            raise TabularFileError(
                f"В архиве книги {len(infos)} частей (допустимо не больше {XLSX_MAX_ENTRIES}): файл не принимается."
            )
        names = {info.filename for info in infos}
        lowered = {name.lower() for name in names}
        if _MAIN_PART[kind] not in names:
            raise TabularFileError("Архив не является книгой Excel (.xlsx).")
        macros = ("xl/macrosheets/", "basic/", "scripts/")  # Excel 4 macro sheets; OpenDocument Basic and scripts
        if any(n.endswith("vbaproject.bin") or n.startswith(macros) for n in lowered):
            raise TabularFileError("Книга содержит макросы: сохраните её как обычную .xlsx без макросов.")
        if any(n.startswith("xl/externallinks/") for n in lowered):
            raise TabularFileError(
                "Книга содержит связи с другими файлами (внешние ссылки): разорвите связи "
                "(«Данные» → «Изменить связи» → «Разорвать») и сохраните книгу заново."
            )
        declared_total = sum(info.file_size for info in infos)
        compressed_total = sum(info.compress_size for info in infos)
        if declared_total > limit:
            raise TabularFileError(
                f"Книга в распакованном виде занимает {_mb(declared_total)} — больше допустимых {_mb(limit)}."
            )
        too_compressed = [
            info
            for info in infos
            if info.file_size > _RATIO_CHECK_MIN_BYTES
            and info.file_size > XLSX_MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        ]
        if too_compressed or (
            declared_total > _RATIO_CHECK_MIN_BYTES
            and declared_total > XLSX_MAX_COMPRESSION_RATIO * max(compressed_total, 1)
        ):
            raise TabularFileError(
                f"Степень сжатия книги больше {XLSX_MAX_COMPRESSION_RATIO}: "
                "так выглядит «zip-бомба», файл не принимается."
            )
        # The sizes above are what the archive claims; stream every part to check it.
        actual_total = 0
        try:
            for info in infos:
                with archive.open(info) as part:
                    first = True
                    while chunk := part.read(_STREAM_CHUNK):
                        if first and has_xml_entities(chunk):
                            raise TabularFileError(XML_ENTITIES)
                        first = False
                        actual_total += len(chunk)
                        if actual_total > limit:
                            raise TabularFileError(
                                f"Книга в распакованном виде больше допустимых {_mb(limit)}: файл не принимается."
                            )
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise TabularFileError("Файл повреждён: архив книги Excel не читается.") from exc


# A row and a cell of a worksheet's XML, with or without a namespace prefix (<x:row …>).
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>]")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
_TAG_TAIL = 16  # bytes kept between chunks so a tag split across two is counted once


def sheet_limits() -> tuple[int, int]:
    """(rows, cells) one sheet may hold: settings.IMPORT_MAX_SHEET_ROWS and IMPORT_MAX_SHEET_CELLS."""
    return settings.IMPORT_MAX_SHEET_ROWS, settings.IMPORT_MAX_SHEET_CELLS


SHEET_TOO_MANY_ROWS = "{where}: строк больше, чем допустимо ({limit}); разделите файл на части."
SHEET_TOO_MANY_CELLS = (
    "{where}: заполненных ячеек больше, чем допустимо ({limit}); разделите файл на части или удалите лишние столбцы."
)


def _too_big(sheet: str, rows: int, cells: int) -> str | None:
    max_rows, max_cells = sheet_limits()
    where = f"Лист «{sheet}»" if sheet else "Таблица"
    if rows > max_rows:
        return SHEET_TOO_MANY_ROWS.format(where=where, limit=f"{max_rows:_}".replace("_", "\u00a0"))
    if cells > max_cells:
        return SHEET_TOO_MANY_CELLS.format(where=where, limit=f"{max_cells:_}".replace("_", "\u00a0"))
    return None


def _worksheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Archive part of each worksheet → the sheet's name as Excel shows it ("" when unknown)."""
    from defusedxml import ElementTree

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, ValueError):
        return {}
    targets = {}
    for rel in rels.iter():
        if local(rel.tag) == "Relationship":
            target = rel.get("Target", "").lstrip("/")
            targets[rel.get("Id")] = target if target.startswith("xl/") else f"xl/{target}"
    names = {}
    for sheet in workbook.iter():
        if local(sheet.tag) == "sheet":
            rid = next((value for key, value in sheet.attrib.items() if local(key) == "id"), None)
            if rid in targets:
                names[targets[rid]] = sheet.get("name", "")
    return names


def check_sheet_sizes(data: bytes) -> None:
    """Refuse an XLSX whose sheet has more rows or cells than sheet_limits(), before it is loaded.

    The rows and cells are counted in each worksheet's XML as it is unpacked, a megabyte at a
    time: the check costs the same few megabytes of memory whatever the sheet holds (a 15 MB
    file may unpack into three million rows, which calamine and Python would hold as gigabytes).
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = _worksheet_names(archive)
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            rows = cells = 0
            tail = b""
            with archive.open(info) as part:
                while chunk := part.read(_STREAM_CHUNK):
                    text = tail + chunk
                    # Count only tags that end before the kept tail, so none is counted twice.
                    cut = max(len(text) - _TAG_TAIL, 0)
                    rows += sum(1 for found in _ROW_TAG.finditer(text) if found.start() < cut)
                    cells += sum(1 for found in _CELL_TAG.finditer(text) if found.start() < cut)
                    tail = text[cut:]
                    message = _too_big(names.get(info.filename, ""), rows, cells)
                    if message:
                        raise TabularFileError(message)
            rows += len(_ROW_TAG.findall(tail))
            cells += len(_CELL_TAG.findall(tail))
            message = _too_big(names.get(info.filename, ""), rows, cells)
            if message:
                raise TabularFileError(message)


_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def peek_xlsx_rows(data: bytes, part: str, count: int) -> list[list[Any]]:
    """The first ``count`` rows of a worksheet read from its XML as a stream, nothing after them.

    calamine reads a sheet whole into memory before giving a row; layout detection needs a
    few dozen rows, so they are taken here from the unpacked XML (and the shared strings they
    name, read up to the highest index used). Values as calamine gives them for detection:
    text, numbers as float, booleans; the rows start at A1 (``skip_empty_area=False``).
    """
    from defusedxml.ElementTree import iterparse

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    rows: list[list[Any]] = []
    wanted_strings: set[int] = set()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        with archive.open(part) as stream:
            for _event, element in iterparse(stream, events=("end",)):
                if local(element.tag) != "row":
                    continue
                number = int(element.get("r") or len(rows) + 1)
                if number > count:
                    break
                while len(rows) < number - 1:
                    rows.append([])
                row: list[Any] = []
                for cell in element:
                    if local(cell.tag) != "c":
                        continue
                    found = _CELL_REF.match(cell.get("r") or "")
                    column = _column_index(found.group(1)) if found else len(row)
                    kind = cell.get("t", "n")
                    value: Any = None
                    texts = [child for child in cell.iter() if local(child.tag) in ("v", "t")]
                    raw = "".join(child.text or "" for child in texts)
                    if kind == "s" and raw:
                        value = ("shared", int(raw))
                        wanted_strings.add(int(raw))
                    elif kind in ("inlineStr", "str"):
                        value = raw
                    elif kind == "b":
                        value = raw == "1"
                    elif kind == "e":
                        value = raw
                    elif raw:
                        try:
                            value = float(raw)
                        except ValueError:
                            value = raw
                    while len(row) < column:
                        row.append(None)
                    row.append(value)
                rows.append(row)
                element.clear()
        strings: dict[int, str] = {}
        if wanted_strings and "xl/sharedStrings.xml" in archive.namelist():
            highest = max(wanted_strings)
            with archive.open("xl/sharedStrings.xml") as stream:
                index = 0
                for _event, element in iterparse(stream, events=("end",)):
                    if local(element.tag) != "si":
                        continue
                    if index in wanted_strings:
                        # Plain <t>, or rich text runs <r><t>…</t></r>; phonetic hints (<rPh>) are not text.
                        strings[index] = "".join(
                            part.text or ""
                            for child in element
                            for part in (
                                [child] if local(child.tag) == "t" else list(child) if local(child.tag) == "r" else []
                            )
                            if local(part.tag) == "t"
                        )
                    element.clear()
                    index += 1
                    if index > highest:
                        break
    width = max((len(row) for row in rows), default=0)
    return [
        [strings.get(value[1], "") if isinstance(value, tuple) else value for value in row]
        + [None] * (width - len(row))
        for row in rows
    ]


class _SheetReader:
    """Reads the sheets of one workbook in a thread of its own, one sheet ahead of the caller.

    calamine parses a sheet's XML without holding the GIL, so while a parser works on one
    sheet the next one is read on another core: a region's file of fifteen sheets is parsed
    in about the time calamine alone takes. One thread does every read, so the workbook is
    never used from two threads at once; at most the current and the next sheet are held.
    """

    def __init__(self, workbook: CalamineWorkbook, data: bytes = b"") -> None:
        self._workbook = workbook
        self._data = data
        self._parts: dict[str, str] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._pending: dict[str, Future] = {}

    def _read(self, name: str) -> list[list[Any]]:
        try:
            return self._workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises its own error types for broken parts
            logger.info("sheet %r does not read: %s", name, exc)
            raise TabularFileError(
                f"Не удалось прочитать лист «{name}» книги Excel: файл повреждён. "
                "Откройте его в Excel и сохраните заново."
            ) from exc

    def _submit(self, name: str) -> Future:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx-reader")
        return self._executor.submit(self._read, name)

    def _read_head(self, name: str, count: int) -> list[list[Any]]:
        try:
            return self._workbook.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=count)
        except Exception as exc:  # calamine raises its own error types for broken parts
            logger.info("sheet %r does not read: %s", name, exc)
            raise TabularFileError(
                f"Не удалось прочитать лист «{name}» книги Excel: файл повреждён. "
                "Откройте его в Excel и сохраните заново."
            ) from exc

    def head(self, name: str, count: int) -> list[list[Any]]:
        """The first ``count`` rows of a sheet, the rest not read (layout detection; see peek_xlsx_rows)."""
        if self._data:
            if self._parts is None:
                with zipfile.ZipFile(io.BytesIO(self._data)) as archive:
                    self._parts = {sheet: part for part, sheet in _worksheet_names(archive).items()}
            part = self._parts.get(name)
            if part is not None:
                try:
                    return peek_xlsx_rows(self._data, part, count)
                except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError):
                    pass  # a part our reader does not follow: calamine reads it below
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx-reader")
        return self._executor.submit(self._read_head, name, count).result()

    def raw(self, name: str, following: str | None) -> list[list[Any]]:
        future = self._pending.pop(name, None) or self._submit(name)
        if following is not None and following not in self._pending:
            self._pending[following] = self._submit(following)
        try:
            return future.result()
        finally:
            if following is None and not self._pending:
                self.close()

    def close(self) -> None:
        for future in self._pending.values():
            future.cancel()
        self._pending.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


class LazySheet:
    """A sheet of an XLSX whose rows are read when first needed and dropped by ``release()``.

    A region's results file (a million rows over a dozen sheets) fits in memory one sheet
    at a time, not whole: a parser that goes sheet by sheet releases each one when done.
    Asking for a sheet starts reading the next one in the background (_SheetReader).
    ``rows`` gives every cell as text; ``raw`` gives calamine's values (numbers as floats),
    for a parser that converts only the columns it needs; ``head(n)`` the first rows as text.
    """

    def __init__(self, reader: _SheetReader, name: str, following: str | None = None) -> None:
        self.name = name
        self._reader = reader
        self._following = following
        self._raw: list[list[Any]] | None = None
        self._rows: list[list[str]] | None = None

    @property
    def raw(self) -> list[list[Any]]:
        if self._rows is not None:
            return self._rows
        if self._raw is None:
            self._raw = self._reader.raw(self.name, self._following)
        return self._raw

    @property
    def rows(self) -> list[list[str]]:
        if self._rows is None:
            self._rows = _rows_text(self.raw)
            self._raw = None
        return self._rows

    def head(self, count: int) -> list[list[str]]:
        """The first rows as text, the sheet read whole (a parser goes on to read the rest)."""
        return self._rows[:count] if self._rows is not None else _rows_text(self.raw[:count])

    def peek(self, count: int) -> list[list[str]]:
        """The first rows as text, the rest of a sheet not read yet left unconverted (layout detection).

        calamine still parses the sheet, but only these rows become Python objects: recognising
        a sheet of a million rows costs its Rust cells, not a Python list per row.
        """
        if self._rows is not None:
            return self._rows[:count]
        if self._raw is not None:
            return _rows_text(self._raw[:count])
        return _rows_text(self._reader.head(self.name, count))

    def release(self) -> None:
        self._raw = self._rows = None


# What a parser reads: a sheet held whole, or one read when first asked for.
AnySheet = Sheet | LazySheet


def _read_xlsx_lazy(data: bytes) -> list[LazySheet]:
    inspect_xlsx_archive(data)
    check_sheet_sizes(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:
        logger.info("workbook does not read: %s", exc)
        raise TabularFileError(UNREADABLE_WORKBOOK) from exc
    reader = _SheetReader(workbook, data)
    names = workbook.sheet_names
    return [LazySheet(reader, name, names[i + 1] if i + 1 < len(names) else None) for i, name in enumerate(names)]


def _read_xlsx(data: bytes) -> list[Sheet]:
    inspect_xlsx_archive(data)
    check_sheet_sizes(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for sheet_name in workbook.sheet_names:
            raw = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            sheets.append(Sheet(sheet_name, _rows_text(raw)))
            del raw
    except Exception as exc:  # calamine raises its own error types for broken parts
        logger.info("workbook does not read: %s", exc)
        raise TabularFileError(UNREADABLE_WORKBOOK) from exc
    return sheets


def _read_calamine(data: bytes, kind: str) -> list[Sheet]:
    """An .xls, .xlsb or .ods workbook through python-calamine, under the limits of an .xlsx.

    The archive of .xlsb and .ods gets the .xlsx checks (entries, real size, compression
    ratio, macros, XML entities); every sheet's size is checked before its cells are made.
    """
    if kind != "xls":
        inspect_xlsx_archive(data, kind=kind)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for sheet_name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(sheet_name)
            message = _too_big(sheet_name, sheet.total_height, 0)
            if message:
                raise TabularFileError(message)
            raw = sheet.to_python(skip_empty_area=False)
            message = _too_big(sheet_name, len(raw), sum(1 for row in raw for value in row if value not in ("", None)))
            if message:
                raise TabularFileError(message)
            sheets.append(Sheet(sheet_name, _rows_text(raw)))
            del raw
    except TabularFileError:
        raise
    except Exception as exc:  # calamine raises its own error types for broken files
        logger.info("workbook does not read: %s", exc)
        raise TabularFileError(UNREADABLE_WORKBOOK) from exc
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
    delimiter = _csv_delimiter(text[:20000])
    max_rows, max_cells = sheet_limits()
    # Lines bound the rows from above (a quoted cell may span lines): a file far past the cap is
    # refused before a single row is made; one near it is counted exactly as it is read.
    if text.count("\n") > 2 * max_rows:
        raise TabularFileError(_too_big("", text.count("\n"), 0) or "")
    rows = []
    cells = 0
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        cells += len(row)
        if len(rows) >= max_rows or cells > max_cells:
            raise TabularFileError(_too_big("", len(rows) + 1, cells) or "")
        rows.append([unescape_cell(cell.strip()) for cell in row])
    return [Sheet("CSV", rows)]


def _csv_delimiter(sample: str) -> str:
    """«;», «,» or tab: the one that splits the first lines into the same number of columns.

    csv.Sniffer guesses from character frequencies and picks «,» for a «;» file whose header
    says «Доля, %» or whose numbers have decimal commas. Here each candidate reads the first
    lines; the one giving most columns consistently wins, «;» (what Russian Excel writes)
    first on a tie.
    """
    lines = sample.splitlines()[:50]
    if len(lines) > 1 and len(sample) >= 20000:
        lines = lines[:-1]  # the last line of a cut sample may be cut too
    best, best_score = ";", (-1, -1)
    for candidate in (";", "\t", ","):
        counts = [len(row) for row in csv.reader(lines, delimiter=candidate) if any(cell.strip() for cell in row)]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(count == counts[0] for count in counts)
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = candidate, score
    return best


def read_tables(
    fileobj: IO[bytes], name: str, *, max_bytes: int | None = None, lazy: bool = False
) -> list[Sheet] | list[LazySheet]:
    """Read every sheet of an uploaded XLSX or CSV file as rows of text cells.

    ``max_bytes`` defaults to settings.UPLOAD_MAX_BYTES. With ``lazy`` an XLSX's sheets are
    read one by one as their rows are asked for (see LazySheet); the archive checks still
    run at once.
    """
    data, kind = read_upload(fileobj, name, max_bytes=max_bytes)
    if kind == "xlsx":
        return _read_xlsx_lazy(data) if lazy else _read_xlsx(data)
    if kind in SPREADSHEET_KINDS:
        return _read_calamine(data, kind)
    return _read_csv(data)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook as a download (every XLSX export and template of the portal answers with this)."""
    return HttpResponse(
        content,
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(as_attachment=True, filename=filename)},
    )


def normalise_header(value: str) -> str:
    """Header text compared without case, extra spaces, ё/е or a trailing asterisk."""
    return " ".join(value.replace("ё", "е").replace("Ё", "Е").replace("*", " ").split()).lower()


def column_letter(index: int) -> str:
    """Excel column letter for a zero-based index (0 → A)."""
    return get_column_letter(index + 1)


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E9ECEF")


_WIDTH_SAMPLE = 200


def _width_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return "00.00.0000"
    return str(value)


def xlsx_bytes(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[int] | None = None,
    notes: Sequence[tuple[str, str]] | None = None,
) -> bytes:
    """A one-table workbook: bold frozen header, autofilter, optional second sheet of notes.

    Columns without a given width are as wide as their header and the first rows' text need
    (12 to 60 characters): a school's name must not hide behind a 12-character column.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    # Write-only sheets take widths before rows: look at the first rows, then write them all.
    rows = iter(rows)
    head = list(itertools.islice(rows, _WIDTH_SAMPLE))
    for index, header in enumerate(headers):
        if widths and index < len(widths):
            width = widths[index]
        else:
            longest = max((len(_width_text(row[index])) for row in head if index < len(row)), default=0)
            width = max(12, min(60, max(longest, len(header)) + 2))
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
    for row in itertools.chain(head, rows):
        # User-typed text must never run as a formula in the department's spreadsheet.
        sheet.append(safe_row(row))
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
