"""ВПР aggregate reports of ФИС ОКО: Ф3 «Статистика по отметкам» and «Сравнение отметок с
отметками по журналу», DESIGN.md §6.

Both carry the header block of Ф1 (a row «ВПР 2026 Русский язык 4 класс», optionally
«Предмет:» and «Дата:») and then one group per row or block: the whole sample, the region,
a municipality «… (reg20_m012)», a school «… (edu203389)». The schools are stored as
SchoolAggregate (source «imported»); the Ф3 rows of the whole sample, the region and the
municipalities as AreaMarkStat, the comparison the analytics pages draw (issue #18); the
journal report's area rows are read past (the pages recompute them from the schools).

Ф3::

    Группы участников | Кол-во ОО | Кол-во участников | 2 | 3 | 4 | 5        (marks in % of participants)
    МБОУ СОШ № 1 (edu203389) | 1 | 89 | 5,62 | 33,71 | 44,94 | 15,73

The marks may also stand in a second header row under a merged «Распределение групп
баллов в %». The percentages are turned back into participants by the largest remainder,
so the four counts add up to the participants exactly.

Comparison with the journal, as ФИС ОКО prints it (a caption row, then one row per
outcome, counts and %)::

    Группы участников | Кол-во участников | %
    МБОУ СОШ № 1 (edu203389)
    Понизили (Отметка < Отметка по журналу) % | 10 | 11,24
    Подтвердили (Отметка = Отметке по журналу) % | 70 | 78,65
    Повысили (Отметка > Отметка по журналу) % | 9 | 10,11
    Всего | 89 | 100

or in one row per group with the columns «Понизили», «Подтвердили», «Повысили» (counts,
each optionally followed by a «%» column). A count left empty is taken from its % and the
total.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

from core.tabular import AnySheet, RowError, Sheet, normalise_header
from monitoring.formats.aggregates import mean_mark, report_duplicates, subject_code_for
from monitoring.formats.headers import HEADER_SCAN_ROWS, find_header, is_vpr_f3_header, is_vpr_journal_header, row_cells
from monitoring.formats.parsing import (
    AggregateRow,
    AreaRow,
    ParsedFile,
    Progress,
    academic_year_of,
    column_label,
    is_blank,
    parse_decimal,
    parse_int,
    school_code_from,
)
from monitoring.models import ImportJob, Procedure

_TITLE = re.compile(r"ВПР\W+(\d{4})\W+(.+?)\W+(\d{1,2})\s*(?:-?[йи]\s*)?класс", re.IGNORECASE)
_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_KINDS = (("понизили", "lowered"), ("подтвердили", "confirmed"), ("повысили", "raised"))
_SUM_TOLERANCE = Decimal("1.5")  # ФИС ОКО rounds each share to two decimals


class _Meta:
    def __init__(self) -> None:
        self.year_start: int | None = None
        self.subject = ""
        self.grade: int | None = None
        self.title_row = 1


def _read_meta(rows: list[list[str]]) -> _Meta:
    meta = _Meta()
    for index, row in enumerate(rows):
        cells = [cell for cell in row if cell]
        if not cells:
            continue
        joined = " ".join(cells)
        title = _TITLE.search(joined)
        if title and meta.grade is None:
            meta.year_start = int(title.group(1)) - 1  # ВПР runs in spring
            meta.subject = title.group(2).strip()
            meta.grade = int(title.group(3))
            meta.title_row = index + 1
            continue
        label = normalise_header(cells[0]).rstrip(":")
        rest = " ".join(cells[1:])
        if label.startswith("предмет") and rest:
            meta.subject = rest
        elif label.startswith("дата") and (found := _DATE.search(rest)):
            meta.year_start = academic_year_of(int(found.group(3)), int(found.group(2)))
    return meta


def _slice_of(sheet: Sheet, header_index: int, subjects_by_name: dict[str, str], errors: list[RowError]):
    """(year_start, subject_code, grade) from the header block, or None with the error recorded."""
    meta = _read_meta(sheet.rows[:header_index])
    if meta.grade is None or meta.year_start is None:
        errors.append(
            RowError(sheet.name, 1, "", "Не найдена строка заголовка вида «ВПР 2026 Русский язык 4 класс»: "
                                        "неизвестны год, предмет и класс.")
        )  # fmt: skip
        return None
    code = subject_code_for(meta.subject, subjects_by_name=subjects_by_name)
    if code is None:
        errors.append(
            RowError(sheet.name, meta.title_row, "", f"Неизвестный предмет «{meta.subject}»: его нет в справочнике.")
        )
        return None
    return meta.year_start, code, meta.grade


def counts_from_shares(shares: list[Decimal], total: int) -> list[int]:
    """Participants per share (in %), by the largest remainder: the counts add up to ``total``."""
    exact = [share * total / 100 for share in shares]
    counts = [int(value.to_integral_value(rounding=ROUND_FLOOR)) for value in exact]
    order = sorted(range(len(shares)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in order[: max(0, total - sum(counts))]:
        counts[i] += 1
    return counts


# --- Ф3 ---------------------------------------------------------------------------------------


def parse_vpr_f3(
    sheets: Sequence[AnySheet], *, subjects_by_name: dict[str, str], progress: Progress | None
) -> ParsedFile:
    parsed = ParsedFile(layout=ImportJob.Layout.VPR_F3)
    for number, sheet in enumerate(sheets, 1):
        header_index = find_header(sheet.head(HEADER_SCAN_ROWS), is_vpr_f3_header)
        if header_index is not None:
            _parse_f3_sheet(sheet, header_index, parsed, subjects_by_name)
        if progress is not None:
            progress(number, len(sheets))
    report_duplicates(parsed)
    return parsed


def _parse_f3_sheet(sheet: Sheet, header_index: int, parsed: ParsedFile, subjects_by_name: dict[str, str]) -> None:
    errors = parsed.errors
    header = [normalise_header(cell) for cell in sheet.rows[header_index]]
    group_col = header.index("группы участников")
    participants_col = header.index("кол-во участников")
    ous_col = header.index("кол-во оо") if "кол-во оо" in header else None
    data_start = header_index + 1
    marks = {mark: header.index(str(mark)) for mark in (2, 3, 4, 5) if str(mark) in header}
    if len(marks) < 4 and data_start < len(sheet.rows):
        below = [normalise_header(cell) for cell in sheet.rows[data_start]]
        marks = {mark: below.index(str(mark)) for mark in (2, 3, 4, 5) if str(mark) in below}
        data_start += 1
    if len(marks) < 4:
        errors.append(RowError(sheet.name, header_index + 1, "", "Не найдены столбцы отметок «2», «3», «4», «5»."))
        return
    found = _slice_of(sheet, header_index, subjects_by_name, errors)
    if found is None:
        return
    year_start, subject_code, grade = found
    participants_label = column_label(participants_col, "Кол-во участников")
    school_label = column_label(group_col, "Группы участников")
    for index in range(data_start, len(sheet.rows)):
        row = sheet.rows[index]
        if is_blank(row):
            continue
        code = school_code_from(row[group_col]) if group_col < len(row) else ""
        parsed.total_rows += 1
        row_number = index + 1
        row_errors: list[RowError] = []
        raw_total = row[participants_col] if participants_col < len(row) else ""
        total = parse_int(raw_total)
        if total is None or total < 0:
            row_errors.append(
                RowError(sheet.name, row_number, participants_label, f"«{raw_total or 'пусто'}» — не число участников.")
            )
        shares: list[Decimal] = []
        for mark, col in marks.items():
            raw = row[col] if col < len(row) else ""
            share = parse_decimal(raw) if raw else Decimal(0)
            if share is None or not 0 <= share <= 100:
                row_errors.append(
                    RowError(sheet.name, row_number, column_label(col, str(mark)), f"«{raw}» — не доля в % (0–100).")
                )
            else:
                shares.append(share)
        if not row_errors and total and abs(sum(shares) - 100) > _SUM_TOLERANCE:
            row_errors.append(
                RowError(
                    sheet.name,
                    row_number,
                    column_label(marks[5], "5"),
                    f"Доли отметок в сумме {sum(shares):g}% — должно быть 100%.",
                )
            )
        if row_errors:
            errors.extend(row_errors)
            continue
        if not code:
            # The whole sample, the region, a municipality: kept as the report gives them.
            name = row[group_col].strip()
            muni = _MUNICIPALITY_CODE.search(name)
            area = "municipality" if muni else ("russia" if _is_whole_sample(name) else "region")
            ous_raw = row[ous_col] if ous_col is not None and ous_col < len(row) else ""
            parsed.areas.append(
                AreaRow(sheet.name, row_number, area, name, muni.group(1) if muni else "", year_start, Procedure.VPR,
                        subject_code, grade, parse_int(ous_raw), total or 0, tuple(shares))  # type: ignore[arg-type]
            )  # fmt: skip
            continue
        counts = counts_from_shares(shares, total) if total else [0, 0, 0, 0]
        values = {
            "participants": total,
            **{f"mark_{mark}": count for mark, count in zip((2, 3, 4, 5), counts, strict=True)},
        }
        values["mean_mark"] = mean_mark(values)
        parsed.aggregates.append(
            AggregateRow(sheet.name, row_number, code, school_label, year_start, Procedure.VPR, subject_code, grade,
                         values)
        )  # fmt: skip


# --- Comparison with the journal --------------------------------------------------------------------


_MUNICIPALITY_CODE = re.compile(r"\((reg\d+_m\d+)\)", re.IGNORECASE)
_WHOLE_SAMPLE = ("вся выборка", "российская федерация", "россия", "рф")


def _is_whole_sample(name: str) -> bool:
    return normalise_header(name).startswith(_WHOLE_SAMPLE)


def _kind_of(text: str) -> str | None:
    name = normalise_header(text)
    return next((key for word, key in _KINDS if name.startswith(word)), None)


def parse_vpr_journal(
    sheets: Sequence[AnySheet], *, subjects_by_name: dict[str, str], progress: Progress | None
) -> ParsedFile:
    parsed = ParsedFile(layout=ImportJob.Layout.VPR_JOURNAL)
    for number, sheet in enumerate(sheets, 1):
        first = find_header(sheet.head(HEADER_SCAN_ROWS), is_vpr_journal_header)
        if first is not None:
            cells = row_cells(sheet.rows[first])
            if any(cell.startswith("подтвердили") for cell in cells):
                _parse_journal_columns(sheet, first, parsed, subjects_by_name)
            else:
                _parse_journal_blocks(sheet, first, parsed, subjects_by_name)
        if progress is not None:
            progress(number, len(sheets))
    report_duplicates(parsed)
    return parsed


def _journal_row(
    sheet: Sheet,
    row_number: int,
    code: str,
    school_label: str,
    figures: dict[str, tuple[str, str, str]],
    total_raw: str,
    found: tuple,
    parsed: ParsedFile,
) -> None:
    """One school's outcome: figures = kind → (count cell, % cell, column label)."""
    parsed.total_rows += 1
    errors: list[RowError] = []
    total = parse_int(total_raw) if total_raw else None
    counts: dict[str, int] = {}
    for _word, key in _KINDS:
        if key not in figures:
            errors.append(RowError(sheet.name, row_number, school_label, f"Нет строки «{_word.capitalize()}»."))
            continue
        raw_count, raw_share, label = figures[key]
        count = parse_int(raw_count) if raw_count else None
        if count is None and raw_share and total is not None and (share := parse_decimal(raw_share)) is not None:
            count = int((share * total / 100).to_integral_value())
        if count is None or count < 0:
            errors.append(
                RowError(sheet.name, row_number, label, f"«{raw_count or raw_share or 'пусто'}» — не число участников.")
            )
        else:
            counts[key] = count
    if not errors and total is not None and sum(counts.values()) != total:
        errors.append(
            RowError(
                sheet.name,
                row_number,
                school_label,
                f"Понизили + подтвердили + повысили = {sum(counts.values())}, а всего участников {total}.",
            )
        )
    if errors:
        parsed.errors.extend(errors)
        return
    year_start, subject_code, grade = found
    parsed.aggregates.append(
        AggregateRow(sheet.name, row_number, code, school_label, year_start, Procedure.VPR, subject_code, grade,
                     counts, defaults={"participants": sum(counts.values())})
    )  # fmt: skip


def _parse_journal_blocks(sheet: Sheet, first: int, parsed: ParsedFile, subjects_by_name: dict[str, str]) -> None:
    header_index = next(
        (i for i in range(first - 1, -1, -1) if "группы участников" in row_cells(sheet.rows[i])),
        None,
    )
    count_col, share_col = 1, 2
    if header_index is not None:
        header = [normalise_header(cell) for cell in sheet.rows[header_index]]
        count_col = next((i for i, t in enumerate(header) if t.startswith("кол-во")), count_col)
        share_col = next((i for i, t in enumerate(header) if t == "%"), share_col)
    found = _slice_of(sheet, header_index if header_index is not None else first, subjects_by_name, parsed.errors)
    if found is None:
        return
    school_label = column_label(0, "Группы участников")
    count_label = column_label(count_col, "Кол-во участников")

    def cell(row: list[str], col: int) -> str:
        return row[col] if col < len(row) else ""

    group: dict | None = None

    def close() -> None:
        if group is not None and group["code"]:
            _journal_row(sheet, group["row"], group["code"], school_label, group["figures"], group["total"], found,
                         parsed)  # fmt: skip

    start = header_index + 1 if header_index is not None else first
    for index in range(start, len(sheet.rows)):
        row = sheet.rows[index]
        if is_blank(row):
            continue
        caption = next((c for c in row if c), "")
        kind = _kind_of(caption)
        if kind is not None and group is not None:
            group["figures"][kind] = (cell(row, count_col), cell(row, share_col), count_label)
        elif normalise_header(caption).startswith("всего") and group is not None:
            group["total"] = cell(row, count_col)
        elif kind is None:
            close()
            group = {"code": school_code_from(caption), "row": index + 1, "figures": {}, "total": ""}
    close()


def _parse_journal_columns(sheet: Sheet, header_index: int, parsed: ParsedFile, subjects_by_name: dict[str, str]):
    header = [normalise_header(cell) for cell in sheet.rows[header_index]]
    found = _slice_of(sheet, header_index, subjects_by_name, parsed.errors)
    if found is None:
        return
    group_col = next((i for i, t in enumerate(header) if t == "группы участников"), 0)
    total_col = next((i for i, t in enumerate(header) if t.startswith("кол-во участников")), None)
    columns: dict[str, tuple[int | None, int | None, str]] = {}
    for col, title in enumerate(header):
        kind = _kind_of(title)
        if kind is None:
            continue
        count_col, share_col = columns.get(kind, (None, None, ""))[:2]
        if "%" in title and not title.rstrip().endswith(")"):
            share_col = col
        elif count_col is None:
            count_col = col
            if col + 1 < len(header) and header[col + 1] == "%":
                share_col = col + 1
        else:
            share_col = col
        columns[kind] = (count_col, share_col, column_label(col, sheet.rows[header_index][col]))
    school_label = column_label(group_col, "Группы участников")

    def cell(row: list[str], col: int | None) -> str:
        return row[col] if col is not None and col < len(row) else ""

    for index in range(header_index + 1, len(sheet.rows)):
        row = sheet.rows[index]
        if is_blank(row):
            continue
        code = school_code_from(cell(row, group_col))
        if not code:
            continue
        figures = {kind: (cell(row, c), cell(row, s), label) for kind, (c, s, label) in columns.items()}
        _journal_row(sheet, index + 1, code, school_label, figures, cell(row, total_col), found, parsed)
