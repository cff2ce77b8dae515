"""ВПР «Ф1 Индивидуальные результаты» (ФИС ОКО export), DESIGN.md §6.

One sheet per subject and grade, e.g. «РУ 4 Индивидуальные результаты»::

    ВПР 2026 Русский язык 4 класс
    Предмет:                       | Русский язык
    Максимальный первичный балл:   | 38
    Дата:                          | 15.04.2026
    Уровень сложности задания      | … | Б | П | В …
    ОО | Муниципалитет | Название ОО | Код участника | Класс | Вариант | 1 (2б) | 2 (1б) | … | 9.1 (1б) |
        4К1 (3б) | Первичный балл | Отметка | Отметка по журналу
    МБОУ СОШ № 1 (edu203389) | Кол-во участников: 89
    edu203389 | … | 10001 | 4А | 1 | 2 | 1 | X | … | 31 | 4 | 5

Task headers are ``N (Kб)``, ``N.M (Kб)`` or ``NК1 (Kб)``; a task cell holds the score or
«X» (not attempted). Participants are anonymous codes of the school.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from core.tabular import AnySheet, RowError, Sheet, cell_text, normalise_header
from monitoring.formats.headers import HEADER_SCAN_ROWS, find_header, is_vpr_f1_header
from monitoring.formats.parsing import (
    ParsedFile,
    Progress,
    ResultBlock,
    ResultRow,
    StructureSpec,
    TaskSpec,
    academic_year_of,
    column_label,
    is_blank,
    map_distinct,
    parse_int,
    participant_keyer,
    school_code_from,
)
from monitoring.models import ImportJob, Procedure

_TITLE = re.compile(r"ВПР\s+(\d{4})\s+(.+?)\s+(\d{1,2})\s*класс", re.IGNORECASE)
TASK_HEADER = re.compile(r"^(\d+(?:\.\d+)?|\d+[кk]\d+)\s*\(\s*(\d+)\s*б\.?\s*\)$")
_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})|(\d{4})-(\d{2})-(\d{2})")
NOT_ATTEMPTED = {"x", "х"}  # Latin and Cyrillic
# A journal mark written as words: the pupil has no mark in the journal (not a wrong file).
NO_MARK = {"нет отметки", "без отметки", "нет", "н/о", "-", "—", "–"}
_GROUP_COUNT = re.compile(r"кол-во участников\s*:?\s*(\d+)", re.IGNORECASE)
GROUP_CUT = (
    "В группе «{group}» указано участников: {stated}, а строк участников в файле: {counted}. "
    "Похоже, файл обрезан: загрузите выгрузку ФИС ОКО целиком."
)
GROUP_MORE = (
    "В группе «{group}» указано участников: {stated}, а строк участников в файле: {counted} — больше, "
    "чем в строке группы; записаны все строки."
)
_MARKS = {2, 3, 4, 5}
_LEVELS = {"Б", "П", "В"}

_FIXED = {
    "оо": "school",
    "логин оо": "school",
    "код оо": "school",
    "код участника": "participant",
    "класс": "class_name",
    "вариант": "variant",
    "первичный балл": "primary",
    "отметка": "mark",
    "отметка по журналу": "journal",
}
_TITLES = {
    "school": "ОО",
    "participant": "Код участника",
    "class_name": "Класс",
    "variant": "Вариант",
    "primary": "Первичный балл",
    "mark": "Отметка",
    "journal": "Отметка по журналу",
}


@dataclass
class _Task:
    column: int
    title: str
    max_score: int
    seen: dict[str, tuple[str, str]] = field(default_factory=dict)  # cell → (score text, error)


def _judge_task_cell(raw: str, task: _Task) -> tuple[str, str]:
    if raw.lower() in NOT_ATTEMPTED:
        return "X", ""
    if not raw:
        return "", ""
    value = parse_int(raw)
    if value is None or value < 0:
        return "", f"«{raw}» — не балл: укажите целое число или X."
    if value > task.max_score:
        return "", f"Балл {value} больше максимального за это задание ({task.max_score})."
    return str(value), ""


@dataclass
class _SheetMeta:
    year_start: int | None = None
    subject_name: str = ""
    grade: int | None = None
    max_primary: int | None = None
    title_row: int = 1


def _read_meta(head: list[list[str]], header_index: int) -> _SheetMeta:
    meta = _SheetMeta()
    date_year: int | None = None
    for index, row in enumerate(head[:header_index]):
        cells = [cell for cell in row if cell]
        if not cells:
            continue
        joined = " ".join(cells)
        title = _TITLE.search(joined)
        if title and meta.grade is None:
            meta.year_start = int(title.group(1)) - 1  # ВПР runs in spring
            meta.subject_name = title.group(2).strip()
            meta.grade = int(title.group(3))
            meta.title_row = index + 1
            continue
        label = normalise_header(cells[0]).rstrip(":")
        rest = " ".join(cells[1:]) if len(cells) > 1 else cells[0].split(":", 1)[-1]
        if label.startswith("предмет") and rest.strip():
            meta.subject_name = rest.strip()
        elif label.startswith("максимальный первичный балл"):
            meta.max_primary = parse_int(rest)
        elif label.startswith("дата"):
            found = _DATE.search(rest)
            if found:
                if found.group(3):
                    date_year = academic_year_of(int(found.group(3)), int(found.group(2)))
                else:
                    date_year = academic_year_of(int(found.group(4)), int(found.group(5)))
    if date_year is not None:
        meta.year_start = date_year
    return meta


def _structure(
    sheet_name: str,
    head: list[list[str]],
    header_index: int,
    tasks: list[_Task],
    year_and_grade: tuple[int, int],
    subject_code: str,
    max_primary: int | None,
) -> StructureSpec:
    """The test's tasks in order, with the «Уровень сложности задания» row's Б/П/В under each."""
    levels: list[str] = []
    for row in head[:header_index]:
        if row and normalise_header(next((c for c in row if c), "")).startswith("уровень сложности"):
            levels = row
            break
    specs = []
    for task in tasks:
        level = levels[task.column].strip().upper() if task.column < len(levels) else ""
        label = task.title.split("(", 1)[0].strip()
        specs.append(TaskSpec(label, task.max_score, level if level in _LEVELS else ""))
    year_start, grade = year_and_grade
    return StructureSpec(sheet_name, year_start, Procedure.VPR, subject_code, grade, max_primary, specs)


def parse_vpr_f1(
    sheets: Sequence[AnySheet], *, subjects_by_name: dict[str, str], progress: Progress | None
) -> ParsedFile:
    """Parse every Ф1 sheet of a workbook; sheets without the Ф1 header are skipped."""
    parsed = ParsedFile(layout=ImportJob.Layout.VPR_F1)
    seen = 0
    for number, sheet in enumerate(sheets, start=1):
        head = sheet.head(HEADER_SCAN_ROWS)
        header_index = find_header(head, is_vpr_f1_header)
        if header_index is not None:
            _parse_sheet(sheet, head, header_index, parsed, subjects_by_name)
        seen += len(sheet.raw)
        # A region's file is read one sheet at a time (core.tabular.LazySheet): the rows of a
        # sheet are dropped once parsed, and the total is estimated from the sheets so far.
        release = getattr(sheet, "release", None)
        if release is not None:
            release()
        if progress is not None:
            progress(seen, round(seen * len(sheets) / number))
    return parsed


def _parse_sheet(
    sheet: Sheet, head: list[list[str]], header_index: int, parsed: ParsedFile, subjects_by_name: dict[str, str]
) -> None:
    errors = parsed.errors
    meta = _read_meta(head, header_index)
    header = head[header_index]
    columns: dict[str, int] = {}
    tasks: list[_Task] = []
    for col, title in enumerate(header):
        name = normalise_header(title)
        if not name:
            continue
        if name in _FIXED and _FIXED[name] not in columns:
            columns[_FIXED[name]] = col
            continue
        task = TASK_HEADER.match(name)
        if task:
            tasks.append(_Task(col, title, int(task.group(2))))

    def sheet_error(message: str, row: int = meta.title_row) -> None:
        errors.append(RowError(sheet.name, row, "", message))

    if meta.grade is None or meta.year_start is None:
        sheet_error("Не найдена строка заголовка вида «ВПР 2026 Русский язык 4 класс»: неизвестны год и класс.", 1)
        return
    subject_code = subjects_by_name.get(normalise_header(meta.subject_name))
    if subject_code is None:
        sheet_error(f"Неизвестный предмет «{meta.subject_name}»: его нет в справочнике предметов.")
        return
    max_primary = meta.max_primary if meta.max_primary is not None else (sum(t.max_score for t in tasks) or None)
    parsed.structures.append(
        _structure(sheet.name, head, header_index, tasks, (meta.year_start, meta.grade), subject_code, max_primary)
    )

    def label(key: str) -> str:
        return column_label(columns[key], _TITLES[key]) if key in columns else _TITLES[key]

    group_school = ""
    # A million rows hold few distinct schools and classes: one string object each, and one
    # keyed hash state per school (see participant_keyer).
    school_codes: dict[str, str] = {}
    class_names: dict[str, str] = {}
    keyers: dict[str, Callable[[str], str]] = {}
    year_text = str(meta.year_start)
    school_label, participant_label = label("school"), label("participant")
    # Column of every fixed field; a missing one points at a padding cell that is always "".
    pad = max([*columns.values(), *(task.column for task in tasks)], default=0) + 1
    at = {key: columns.get(key, pad) for key in _TITLES}
    c_school, c_participant, c_class, c_variant = at["school"], at["participant"], at["class_name"], at["variant"]
    c_primary, c_mark, c_journal = at["primary"], at["mark"], at["journal"]
    procedure, grade, year_start, sheet_name = Procedure.VPR, meta.grade, meta.year_start, sheet.name
    results = parsed.results
    row_errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        row_errors.append(RowError(sheet_name, row_number, column, message))

    _check_group_counts(sheet, header_index, c_participant, parsed)
    fast = _FastSheet(
        sheet_name=sheet_name,
        header_index=header_index,
        pad=pad,
        at=at,
        tasks=tasks,
        max_primary=max_primary,
        year_start=year_start,
        subject_code=subject_code,
        grade=grade,
        school_label=school_label,
        participant_label=participant_label,
    )
    if fast.parse(sheet.raw, parsed):
        return
    rows = sheet.rows
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if len(row) <= pad:
            row = [*row, *[""] * (pad + 1 - len(row))]
        participant = row[c_participant]
        # Group rows («МБОУ … (edu203389) | Кол-во участников: 89») and the difficulty row
        # carry no participant and no result; looking at the whole row only then keeps a
        # million rows fast. A row with a result but no code is a participant's: an error.
        if not participant and not row[c_primary] and not row[c_mark]:
            if is_blank(row):
                continue
            joined = " ".join(c for c in row if c)
            if "кол-во участников" in joined.lower() or school_code_from(joined):
                group_school = school_code_from(joined)
                continue
            if normalise_header(row[0]).startswith("уровень сложности"):
                continue
        row_number = index + 1
        parsed.total_rows += 1
        if not participant:
            errors.append(RowError(sheet_name, row_number, participant_label, "Не указан код участника."))
            continue
        raw_school = row[c_school]
        school_code = school_codes.get(raw_school)
        if school_code is None:
            school_code = school_codes[raw_school] = sys.intern(school_code_from(raw_school))
        school_code = school_code or group_school
        if not school_code:
            errors.append(
                RowError(
                    sheet_name,
                    row_number,
                    school_label,
                    "Не указана школа: нет кода ОО в строке и строки группы «… (edu…)» выше.",
                )
            )
            continue

        scores: list[str] = []
        for task in tasks:
            raw = row[task.column]
            # The few distinct cells of a task column are judged once each.
            judged = task.seen.get(raw)
            if judged is None:
                judged = task.seen[raw] = _judge_task_cell(raw, task)
            text, message = judged
            if message:
                error(column_label(task.column, task.title), message)
            else:
                scores.append(text)

        primary_raw = row[c_primary]
        primary = parse_int(primary_raw)
        if primary is None or primary < 0:
            error(label("primary"), f"Первичный балл «{primary_raw or 'пусто'}» — не целое неотрицательное число.")
        elif max_primary is not None and primary > max_primary:
            error(label("primary"), f"Первичный балл {primary} больше максимального ({max_primary}).")
        mark_raw = row[c_mark]
        mark = parse_int(mark_raw)
        if mark not in _MARKS:
            error(label("mark"), f"Отметка «{mark_raw or 'пусто'}»: допустимы 2, 3, 4, 5.")
        journal_raw = row[c_journal]
        if journal_raw and journal_raw.lower() in NO_MARK:
            journal_raw = ""
        journal = parse_int(journal_raw) if journal_raw else None
        if journal_raw and journal not in _MARKS:
            error(label("journal"), f"Отметка по журналу «{journal_raw}»: допустимы 2, 3, 4, 5 или пусто.")
        class_name = row[c_class]
        class_name = class_names.setdefault(class_name, class_name)
        if len(class_name) > 10:
            error(label("class_name"), f"Класс «{class_name}» длиннее 10 знаков.")
        if row_errors:
            errors.extend(row_errors)
            row_errors.clear()
            continue
        keyer = keyers.get(school_code)
        if keyer is None:
            keyer = keyers[school_code] = participant_keyer("vpr", year_text, school_code)
        # Positional, in ResultRow's field order: keywords cost a tenth of the loop.
        results.append(
            ResultRow(
                sheet_name,
                row_number,
                school_code,
                school_label,
                year_start,
                procedure,
                subject_code,
                grade,
                class_name,
                row[c_variant][:20],
                keyer(participant),
                participant_label,
                primary,
                max_primary,
                mark,
                journal,
                None,
                ",".join(scores),
            )
        )


@dataclass
class _FastSheet:
    """The rows of a Ф1 sheet read column by column, for a region's file of a million rows.

    A column holds few distinct values (scores, marks, classes, schools), so each distinct
    value is converted and checked once, and the columns are mapped in C; only the
    participant codes are worked on one by one (their keyed hash). Any row the fast path
    would have to explain — a bad value, a missing school or code, an odd row without a
    participant — sends the whole sheet to the row-by-row loop, which words every error;
    the rows it reads are the same, so both give the same results.
    """

    sheet_name: str
    header_index: int
    pad: int
    at: dict[str, int]
    tasks: list[_Task]
    max_primary: int | None
    year_start: int
    subject_code: str
    grade: int
    school_label: str
    participant_label: str

    def parse(self, raw: list[list], parsed: ParsedFile) -> bool:
        data = raw[self.header_index + 1 :]
        if not data:
            return True
        width = len(data[0])
        if any(len(row) != width for row in data):
            return False
        columns = list(zip(*data, strict=True))
        at = self.at
        if at["participant"] >= width:
            return False
        participants = map_distinct(columns[at["participant"]], cell_text)
        if participants is None:
            return False
        keep = [i for i, code in enumerate(participants) if code]
        if len(keep) != len(data) and not self._only_group_rows(data, participants):
            return False
        if not keep:
            return True

        def column(key: str | int) -> list:
            index = at[key] if isinstance(key, str) else key
            if index >= width:  # a column the sheet lacks (the row loop pads rows with "")
                return [""] * len(keep)
            values = columns[index]
            return [values[i] for i in keep] if len(keep) != len(data) else list(values)

        # Schools: every participant row names its school (the group rows are only captions).
        schools = map_distinct(column("school"), lambda value: sys.intern(school_code_from(cell_text(value))))
        if schools is None or "" in set(schools):
            return False
        task_texts = []
        for task in self.tasks:
            judged = map_distinct(
                column(task.column), lambda value, task=task: _judge_task_cell(cell_text(value), task)
            )
            if judged is None or any(message for _, message in set(judged)):
                return False
            task_texts.append([text for text, _ in judged])
        primaries = map_distinct(column("primary"), lambda value: parse_int(cell_text(value)))
        if primaries is None or any(
            p is None or p < 0 or (self.max_primary is not None and p > self.max_primary) for p in set(primaries)
        ):
            return False
        marks = map_distinct(column("mark"), lambda value: parse_int(cell_text(value)))
        if marks is None or not set(marks) <= _MARKS:
            return False
        journals = map_distinct(column("journal"), _journal_mark)
        if journals is None or False in set(journals):
            return False
        classes = map_distinct(column("class_name"), cell_text)
        if classes is None or any(len(name) > 10 for name in set(classes)):
            return False
        variants = map_distinct(column("variant"), lambda value: cell_text(value)[:20])
        if variants is None:
            return False
        codes = [participants[i] for i in keep]
        year_text = str(self.year_start)
        keyers = {school: participant_keyer("vpr", year_text, school) for school in set(schools)}
        keys = [keyers[school](code) for school, code in zip(schools, codes, strict=True)]
        scores = list(map(",".join, zip(*task_texts, strict=True))) if task_texts else [""] * len(keep)
        row_base = self.header_index + 2
        parsed.total_rows += len(keep)
        parsed.blocks.append(
            ResultBlock(
                sheet=self.sheet_name,
                school_column=self.school_label,
                participant_column=self.participant_label,
                year_start=self.year_start,
                procedure=Procedure.VPR,
                subject_code=self.subject_code,
                grade=self.grade,
                max_primary_score=self.max_primary,
                rows=[row_base + i for i in keep],
                school_codes=schools,
                class_names=classes,
                variants=variants,
                participant_keys=keys,
                primary_scores=primaries,
                marks=marks,
                journal_marks=journals,
                task_scores=scores,
            )
        )
        return True

    def _only_group_rows(self, data: list[list], participants: list[str]) -> bool:
        """Every row without a participant is blank, a group caption or the difficulty row."""
        primary, mark = self.at["primary"], self.at["mark"]
        for row, code in zip(data, participants, strict=True):
            if code:
                continue
            if (primary < len(row) and cell_text(row[primary])) or (mark < len(row) and cell_text(row[mark])):
                return False  # a result without a participant code: the row loop reports it
            # The text of the filled cells only: a group row has two of twenty.
            filled = [text for value in row if value != "" and value is not None and (text := cell_text(value))]
            if not filled:
                continue
            joined = " ".join(filled)
            if "кол-во участников" in joined.lower() or school_code_from(joined):
                continue
            if normalise_header(cell_text(row[0])).startswith("уровень сложности"):
                continue
            return False
        return True


def _journal_mark(value) -> int | bool | None:
    """The journal mark, None when blank, False when it is not a mark (the sheet then goes row by row)."""
    text = cell_text(value)
    if not text or text.lower() in NO_MARK:
        return None
    mark = parse_int(text)
    return mark if mark in _MARKS else False


def _check_group_counts(sheet: Sheet, header_index: int, c_participant: int, parsed: ParsedFile) -> None:
    """The rows of each school's group against its «Кол-во участников: 89»: a cut file is an error.

    Only groups that name a school (edu…) are checked; a group row without one (a municipality)
    closes the school group above it. Fewer rows than stated: an error (the slice would be
    replaced by part of it); more: a warning. Only the rows without a participant code are
    looked at (a comprehension finds them): a region's million rows cost a fraction of a second.
    """
    raw = sheet.raw
    first = header_index + 1
    empty = [
        index
        for index, row in enumerate(raw[first:], start=first)
        if c_participant >= len(row) or row[c_participant] in (None, "")
    ]
    group: list | None = None  # [row index, caption, school code, stated, rows that are no participant's]

    def close(end: int) -> None:
        if group is None or not group[2]:
            return
        index, caption, _code, stated, excluded = group
        counted = end - index - 1 - excluded
        if counted == stated:
            return
        target = parsed.errors if counted < stated else parsed.warnings
        template = GROUP_CUT if counted < stated else GROUP_MORE
        message = template.format(group=caption, stated=stated, counted=counted)
        target.append(RowError(sheet.name, index + 1, "", message))

    for index in empty:
        filled = [text for value in raw[index] if value not in (None, "") and (text := cell_text(value))]
        if filled:
            joined = " ".join(filled)
            found = _GROUP_COUNT.search(joined)
            if found:
                close(index)
                group = [index, filled[0][:80], school_code_from(joined), int(found.group(1)), 0]
                continue
            if not normalise_header(filled[0]).startswith("уровень сложности"):
                continue  # a participant's row without a code: an error of its own, still a row of the group
        if group is not None:
            group[4] += 1  # a blank or the difficulty row
    close(len(raw))
