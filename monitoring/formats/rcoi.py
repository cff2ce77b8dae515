"""ОГЭ/ЕГЭ/ГВЭ protocols of the РЦОИ, DESIGN.md §6.

A file holds one or more exam blocks; each starts with a title row «01 - Русский язык
2025.06.09» (exam code, subject, date) — or, without a code, «Английский язык п:2022.06.14;
у:2022.06.16» (subject, dates of the written and the oral part) — followed by its header row::

    № | Код ОО | Класс | Код ППЭ | Аудитория | (Код МСУ) | Код участника | Фамилия | Имя | Отчество |
    (Серия | Номер) | Ответы в краткой форме | Ответы в развернутой форме | Первичный балл | Оценка

ЕГЭ adds Вариант, Профиль and Тестовый балл (some regions print it «Балл»). Columns are found
by name, so «sparse» protocols with empty columns between the named ones read the same.

What an exam code means depends on the procedure and the year (monitoring.formats.exam_codes:
ЕГЭ «22» is base mathematics, «25» КЕГЭ informatics). The procedure of a block comes from its
code where only one procedure has it, else from the captions above the title («ЕГЭ», «ГИА-9»),
else from the columns (a test score → ЕГЭ). The summary rows protocols end with («Средние»,
«Минимальная граница», «Всего участников») are skipped on purpose and counted with the reason.

Task columns: short answers ``++-+2+`` («+» full score of the task, «-» none, a digit the score
got) and long ones ``0(2)1(2)`` (score and maximum per task) become per-task scores «1,1,0,1,2,1,0,1»
as ВПР's are, and the block's tasks with their maxima become the test's structure (issue #18);
the maximum of a short task is the highest score seen for it (1 when only «+»/«-»), checked
against the exam's maximum primary score with a warning when they differ.

Written and oral parts of a foreign language (ЕГЭ/ОГЭ codes 09 and 29…) are one result: the rows
of one participant in both parts of a file are added up. An appeal protocol (a caption or column
saying «апелляц…») updates the stored results of the participants it names
(monitoring.imports.appeals).

Personal data: surname, name, patronymic and passport series/number are read only to
build the participant's keyed hash and are never stored.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.tabular import AnySheet, RowError, Sheet, normalise_header
from monitoring.formats.exam_codes import EXAM_CODES, ORAL, WRITTEN, exam_code, procedure_of_code
from monitoring.formats.headers import is_rcoi_header, row_cells
from monitoring.formats.max_scores import max_primary_score
from monitoring.formats.parsing import (
    ParsedFile,
    Progress,
    ResultRow,
    StructureSpec,
    TaskSpec,
    academic_year_of,
    column_label,
    is_blank,
    parse_int,
    participant_key,
    school_code_from,
)
from monitoring.models import ImportJob, Procedure

_DATE = re.compile(r"(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})|(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})")
_CODE_NAME = re.compile(r"^(\d{2})\s*[-–—]\s*(.+)$")
_PART_LABEL = re.compile(r"[\s;,(]*(п|у|пис\w*|уст\w*)\.?\s*:?\s*$", re.IGNORECASE)
_LONG = re.compile(r"(\d+)\((\d+)\)")
_SHORT = re.compile(r"^[0-9+\-*xXхХ]*$")
_NOT_ANSWERED = set("*xXхХ")
_MARKS = {2, 3, 4, 5}
# The first words of the lines a protocol ends with: figures of the block, not participants.
_SUMMARY = (
    "средн",
    "минимальн",
    "всего",
    "итого",
    "количество",
    "кол-во",
    "максимальн",
    "доля",
    "процент",
    "число участников",
)

_COLUMNS = {
    "код оо": "school",
    "класс": "class_name",
    "код участника": "participant",
    "фамилия": "surname",
    "имя": "name",
    "отчество": "patronymic",
    "серия": "doc_series",
    "номер": "doc_number",
    "вариант": "variant",
    "ответы в краткой форме": "short",
    "задания с кратким ответом": "short",
    "ответы в развернутой форме": "long",
    "задания с развернутым ответом": "long",
    "первичный балл": "primary",
    "оценка": "mark",
    "отметка": "mark",
    "тестовый балл": "test_score",
    "балл": "score",  # the test score in some regions' ЕГЭ protocols
}
_TITLES = {
    "school": "Код ОО",
    "class_name": "Класс",
    "participant": "Код участника",
    "variant": "Вариант",
    "short": "Ответы в краткой форме",
    "long": "Ответы в развернутой форме",
    "primary": "Первичный балл",
    "mark": "Оценка",
    "test_score": "Тестовый балл",
}
_PROCEDURE_WORDS = (
    (Procedure.GVE, ("гвэ",)),
    (Procedure.EGE, ("егэ", "гиа-11", "гиа 11", "кегэ")),
    (Procedure.OGE, ("огэ", "гиа-9", "гиа 9")),
)
_APPEAL = "апелляц"

SUMMARY_SKIPPED = "Итоговая строка протокола («{text}»): не результат участника."
CAPTION_SKIPPED = "Строка без участника и без баллов («{text}»): подпись, не результат."
PART_MERGED = "{part} часть сложена с {other} частью того же участника (строка {row}{sheet})."
PART_ALONE = (
    "Только {part} часть экзамена «{subject}»: результат по иностранному языку складывается из двух частей — "
    "загрузите протоколы письменной и устной части одним файлом."
)


@dataclass
class _Title:
    code: str | None
    name: str
    year: int
    month: int
    both_parts: bool


@dataclass
class _Block:
    sheet: str
    row: int
    title: _Title
    hints: str
    procedure: str = ""
    subject_code: str = ""
    subject_name: str = ""
    part: str = ""
    appeal: bool = False
    unknown: bool = False
    columns: dict[str, int] = field(default_factory=dict)
    rows: list[tuple[ResultRow, str, list[tuple[int, int]]]] = field(default_factory=list)

    @property
    def year_start(self) -> int:
        return academic_year_of(self.title.year, self.title.month)


def _title_of(row: list[str], names: dict[str, str]) -> _Title | None:
    """The exam of a block from its title row, with or without a code; None when the row is no title."""
    cells = [cell for cell in row if cell]
    if not cells or len(cells) > 2:
        return None
    text = " ".join(cells).strip()
    date = _DATE.search(text)
    if date is None:
        return None
    if date.group(1):
        year, month = int(date.group(1)), int(date.group(2))
    else:
        year, month = int(date.group(6)), int(date.group(5))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    before = _PART_LABEL.sub("", text[: date.start()]).strip(" ;,:-–—")
    lowered = text.lower()
    both = bool(re.search(r"\bп\s*:", lowered) and re.search(r"\bу\s*:", lowered))
    found = _CODE_NAME.match(before)
    if found:
        return _Title(found.group(1), found.group(2).strip(), year, month, both)
    if normalise_header(before) in names:
        return _Title(None, before, year, month, both)
    return None


def _subject_names(subjects_by_name: dict[str, str]) -> dict[str, str]:
    """Normalised names a title may give → the catalogue's subject code (catalogue names and the tables' titles)."""
    names = dict(subjects_by_name)
    for entries in EXAM_CODES.values():
        for entry in entries:
            code = subjects_by_name.get(normalise_header(entry.subject))
            if code:
                names.setdefault(normalise_header(entry.title), code)
                names.setdefault(normalise_header(re.sub(r"\s*\(.*?\)", "", entry.title)), code)
    return names


def parse_rcoi(
    sheets: Sequence[AnySheet], *, subjects_by_name: dict[str, str], progress: Progress | None
) -> ParsedFile:
    """Parse every block of every sheet; ``subjects_by_name``: normalised catalogue name → subject code."""
    parsed = ParsedFile(layout=ImportJob.Layout.RCOI_PROTOCOL)
    names = _subject_names(subjects_by_name)
    total = sum(len(sheet.rows) for sheet in sheets)
    seen = 0
    blocks: list[_Block] = []
    for sheet in sheets:
        _parse_sheet(sheet, parsed, blocks, subjects_by_name, names)
        seen += len(sheet.rows)
        if progress is not None:
            progress(seen, total)
    _finish(blocks, parsed)
    return parsed


def _procedure_from(words: str) -> str | None:
    for procedure, markers in _PROCEDURE_WORDS:
        if any(re.search(rf"(?<![а-яё]){re.escape(marker)}(?![а-яё])", words) for marker in markers):
            return procedure
    return None


def _open_block(block: _Block, header: list[str], subjects_by_name: dict[str, str], errors: list[RowError]) -> None:
    """Columns, procedure, subject and part of a block, from its header row, title and captions."""
    columns = block.columns
    after_appeal: dict[str, int] = {}
    for col, text in enumerate(header):
        name = normalise_header(text)
        if _APPEAL in name:
            block.appeal = True
            if "после" not in name:
                continue  # the score before the appeal: the stored result has it
            name = re.sub(r"[\s,(]*после апелляц\w*\)?", "", name).strip()
            key = _COLUMNS.get(name)
            if key:
                after_appeal.setdefault(key, col)
            continue
        key = _COLUMNS.get(name)
        if key and key not in columns:
            columns[key] = col
    columns.update(after_appeal)
    if "test_score" not in columns and "score" in columns:
        columns["test_score"] = columns["score"]
    columns.pop("score", None)
    if _APPEAL in block.hints:
        block.appeal = True

    title = block.title
    procedure = procedure_of_code(title.code, title.year) if title.code else None
    procedure = procedure or _procedure_from(f"{block.hints} {title.name.lower()}")
    if procedure is None:
        procedure = Procedure.EGE if "test_score" in columns else Procedure.OGE
    block.procedure = procedure

    def refuse(message: str) -> None:
        block.unknown = True
        errors.append(RowError(block.sheet, block.row, "", message))

    if title.code:
        entry = exam_code(procedure, title.code, title.year)
        if entry is None:
            label = Procedure(procedure).label
            refuse(f"Код экзамена «{title.code}» ({title.name}) не известен для {label} {title.year} года.")
            return
        subject_name, block.part = entry.subject, entry.part
        if title.both_parts:
            block.part = ""
    else:
        subject_name = title.name
    names = _subject_names(subjects_by_name)
    code = names.get(normalise_header(subject_name))
    if code is None:
        refuse(f"Предмета «{subject_name}» нет в справочнике предметов.")
        return
    named = names.get(normalise_header(title.name)) or names.get(
        normalise_header(re.sub(r"\s*\(.*?\)", "", title.name))
    )
    if title.code and named is not None and named != code:
        label = Procedure(procedure).label
        refuse(
            f"Код экзамена «{title.code}» в {label} {title.year} года — «{subject_name}», а в заголовке "
            f"«{title.name}»: проверьте код и название экзамена."
        )
        return
    block.subject_code, block.subject_name = code, subject_name
    if procedure == Procedure.EGE and "test_score" not in columns and "mark" not in columns:
        refuse("В протоколе ЕГЭ нет столбца «Тестовый балл» (или «Балл») и нет столбца «Оценка».")


def _parse_sheet(
    sheet: Sheet, parsed: ParsedFile, blocks: list[_Block], subjects_by_name: dict[str, str], names: dict[str, str]
) -> None:
    errors = parsed.errors
    block: _Block | None = None
    header_seen = False
    hints: list[str] = []
    for index, row in enumerate(sheet.rows):
        row_number = index + 1
        if is_blank(row):
            continue
        title = _title_of(row, names)
        if title:
            block = _Block(sheet.name, row_number, title, " ".join(hints).lower())
            hints = []
            header_seen = False
            blocks.append(block)
            continue
        if not header_seen:
            if is_rcoi_header(row_cells(row)):
                if block is None:
                    errors.append(
                        RowError(
                            sheet.name,
                            row_number,
                            "",
                            "Перед таблицей нет строки экзамена вида «01 - Русский язык 2025.06.09».",
                        )
                    )
                    return
                header_seen = True
                _open_block(block, row, subjects_by_name, errors)
            else:
                hints.extend(cell for cell in row if cell)
            continue
        if block is None:  # header_seen is set only under a block's title
            continue
        if block.unknown:
            continue
        columns = block.columns
        if _is_caption(row, columns):
            parsed.total_rows += 1
            text = " ".join(cell for cell in row if cell)[:60]
            summary = normalise_header(text).lstrip("0123456789. ").startswith(_SUMMARY)
            if not summary and _APPEAL in text.lower():
                hints.append(text)
            reason = (SUMMARY_SKIPPED if summary else CAPTION_SKIPPED).format(text=text)
            parsed.skipped.append(RowError(sheet.name, row_number, "", reason))
            continue
        parsed.total_rows += 1
        result = _parse_row(sheet, row, row_number, block, errors)
        if result is not None:
            block.rows.append(result)


def _is_caption(row: list[str], columns: dict[str, int]) -> bool:
    """A row of the block that names no participant: a total («Средние …») or a caption."""

    def cell(key: str) -> str:
        col = columns.get(key)
        return row[col] if col is not None and col < len(row) else ""

    if cell("participant") or cell("surname") or cell("name"):
        return False
    if parse_int(row[0]) is not None and cell("school"):
        return False  # a numbered row with a school: a participant without a code (an error below)
    text = normalise_header(" ".join(cell for cell in row if cell))
    if text.lstrip("0123456789. ").startswith(_SUMMARY):
        return True
    return not (cell("primary") or cell("mark") or cell("test_score"))


def _parse_row(
    sheet: Sheet, row: list[str], row_number: int, block: _Block, errors: list[RowError]
) -> tuple[ResultRow, str, list[tuple[int, int]]] | None:
    """The row as a result (task scores still to split: see _finish), its short answers and its long ones."""
    procedure = block.procedure
    columns = block.columns
    ok = True

    def cell(key: str) -> str:
        col = columns.get(key)
        return row[col] if col is not None and col < len(row) else ""

    def label(key: str) -> str:
        return column_label(columns[key], _TITLES[key]) if key in columns else _TITLES[key]

    def error(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        errors.append(RowError(sheet.name, row_number, label(key), message))

    school_code = school_code_from(cell("school"))
    if not school_code:
        error("school", f"Код ОО «{cell('school') or 'пусто'}» не распознан.")
    class_name = cell("class_name")
    digits = re.match(r"\d{1,2}", class_name)
    grade = int(digits.group()) if digits and 9 <= int(digits.group()) <= 11 else None
    if grade is None:
        grade = 11 if procedure == Procedure.EGE else 9

    short, long = cell("short").replace(" ", ""), cell("long").replace(" ", "")
    if short and not _SHORT.match(short):
        error("short", f"Ответы в краткой форме «{short}»: допустимы знаки «+», «-» и цифры.")
    long_tasks = [(int(a), int(b)) for a, b in _LONG.findall(long)]
    if long and "".join(f"{a}({b})" for a, b in _LONG.findall(long)) != long:
        error("long", f"Ответы в развернутой форме «{long}»: ожидается вид 0(2)1(2).")
    elif any(score > top for score, top in long_tasks):
        error("long", f"Ответы в развернутой форме «{long}»: балл за задание больше максимального.")

    primary = parse_int(cell("primary"))
    max_primary = max_primary_score(procedure, block.subject_code)
    if primary is None or primary < 0:
        error("primary", f"Первичный балл «{cell('primary') or 'пусто'}» — не целое неотрицательное число.")
    elif max_primary is not None and primary > max_primary:
        error("primary", f"Первичный балл {primary} больше максимального ({max_primary}).")

    part = block.part and not block.appeal
    mark_raw = cell("mark")
    mark = parse_int(mark_raw) if mark_raw else None
    mark_needed = procedure != Procedure.EGE or "test_score" not in columns
    if mark_needed and not part and mark not in _MARKS:
        error("mark", f"Оценка «{mark_raw or 'пусто'}»: допустимы 2, 3, 4, 5.")
    elif mark_raw and mark not in _MARKS:
        error("mark", f"Оценка «{mark_raw}»: допустимы 2, 3, 4, 5 или пусто.")

    test_score = None
    if procedure == Procedure.EGE and "test_score" in columns:
        raw = cell("test_score")
        test_score = parse_int(raw) if raw or not part else None
        if (raw or not part) and (test_score is None or not 0 <= test_score <= 100):
            error("test_score", f"Тестовый балл «{raw or 'пусто'}»: допустимо целое от 0 до 100.")

    person = [cell("surname"), cell("name"), cell("patronymic")]
    document = cell("doc_series") + cell("doc_number")
    participant = cell("participant")
    if any(person):
        key = participant_key("person", *person, document or school_code)
    elif participant:
        key = participant_key("rcoi", str(block.year_start), participant)
    else:
        error("participant", "Нет ни кода участника, ни ФИО: участника не отличить от других.")
        key = ""
    if not ok:
        return None
    result = ResultRow(
        sheet=sheet.name,
        row=row_number,
        school_code=school_code,
        school_column=label("school"),
        year_start=block.year_start,
        procedure=procedure,
        subject_code=block.subject_code,
        grade=grade,
        class_name=class_name[:10],
        variant=cell("variant")[:20],
        participant_key=key,
        participant_column=label("participant"),
        primary_score=primary or 0,
        max_primary_score=max_primary,
        mark=mark,
        journal_mark=None,
        test_score=test_score,
        task_scores="",
    )
    return result, short, long_tasks


def _split_tasks(block: _Block, warnings: list[RowError]) -> list[TaskSpec]:
    """Per-task scores of every row of a block (into ``task_scores``) and the block's tasks with their maxima."""
    rows = block.rows
    shorts = Counter(len(short) for _r, short, _l in rows if short)
    longs = Counter(len(long) for _r, _s, long in rows if long)
    if not shorts and not longs:
        return []
    n_short = shorts.most_common(1)[0][0] if shorts else 0
    n_long = longs.most_common(1)[0][0] if longs else 0
    short_max = [1] * n_short
    long_max = [0] * n_long
    fitting = []
    odd: list[int] = []
    for result, short, long in rows:
        if len(short) != n_short or len(long) != n_long:
            odd.append(result.row)
            continue
        fitting.append((result, short, long))
        for i, char in enumerate(short):
            if char.isdigit():
                short_max[i] = max(short_max[i], int(char))
        for i, (_score, top) in enumerate(long):
            long_max[i] = max(long_max[i], top)
    where = f"лист «{block.sheet}», экзамен «{block.title.name}»"
    if odd:
        shown = ", ".join(map(str, odd[:10])) + (" …" if len(odd) > 10 else "")
        warnings.append(
            RowError(
                block.sheet,
                odd[0],
                _TITLES["short"],
                f"Ответы {len(odd)} участников ({where}; строки {shown}) не совпадают по числу заданий с остальными "
                f"({n_short} с кратким и {n_long} с развёрнутым ответом): их первичный балл и отметка записаны, "
                "баллы за задания — нет.",
            )
        )
    mismatched: list[int] = []
    for result, short, long in fitting:
        scores = [
            "X" if char in _NOT_ANSWERED else str(short_max[i] if char == "+" else 0 if char == "-" else int(char))
            for i, char in enumerate(short)
        ]
        scores += [str(score) for score, _top in long]
        result.task_scores = ",".join(scores)
        if sum(int(s) for s in scores if s != "X") != result.primary_score:
            mismatched.append(result.row)
    if mismatched and not block.part:
        shown = ", ".join(map(str, mismatched[:10])) + (" …" if len(mismatched) > 10 else "")
        warnings.append(
            RowError(
                block.sheet,
                mismatched[0],
                _TITLES["primary"],
                f"У {len(mismatched)} участников ({where}; строки {shown}) сумма баллов за задания не равна "
                "первичному баллу: проверьте столбцы ответов; записано как в файле.",
            )
        )
    tasks = [TaskSpec(str(i + 1), top) for i, top in enumerate(short_max)]
    tasks += [TaskSpec(str(n_short + i + 1), top) for i, top in enumerate(long_max)]
    maximum = max_primary_score(block.procedure, block.subject_code)
    total = sum(task.max_score for task in tasks)
    if maximum is not None and total != maximum and not block.part:
        warnings.append(
            RowError(
                block.sheet,
                block.row,
                "",
                f"Максимумы заданий ({where}) выведены из протокола: «+» — полный балл задания, у заданий с "
                f"кратким ответом это наибольший встреченный балл. Их сумма {total} не равна максимальному "
                f"первичному баллу {maximum}: выполнение заданий считается по этим максимумам.",
            )
        )
    return tasks


def _finish(blocks: list[_Block], parsed: ParsedFile) -> None:
    """Task scores and structures of every block; the parts of a language added up; appeals set apart."""
    structures: dict[tuple, list[TaskSpec]] = {}
    parts: dict[tuple, dict[str, list[tuple[_Block, list[TaskSpec]]]]] = defaultdict(lambda: defaultdict(list))

    def keep_structure(block: _Block, rows: list[ResultRow], tasks: list[TaskSpec]) -> None:
        for grade in sorted({row.grade for row in rows}):
            key = (block.year_start, block.procedure, block.subject_code, grade)
            kept = structures.setdefault(key, tasks)
            if [(t.label, t.max_score) for t in kept] != [(t.label, t.max_score) for t in tasks]:
                for row in rows:
                    if row.grade == grade:
                        row.task_scores = ""
                parsed.warnings.append(
                    RowError(
                        block.sheet,
                        block.row,
                        "",
                        f"Задания экзамена «{block.title.name}» в этом блоке не такие, как в блоке выше того же "
                        "экзамена: баллы за задания этого блока не записаны.",
                    )
                )

    for block in blocks:
        if block.unknown:
            continue
        tasks = _split_tasks(block, parsed.warnings)
        rows = [result for result, _s, _l in block.rows]
        if block.appeal:
            parsed.appeals.extend(rows)
        elif block.part:
            parts[(block.year_start, block.procedure, block.subject_code)][block.part].append((block, tasks))
        else:
            parsed.results.extend(rows)
            if tasks:
                keep_structure(block, rows, tasks)
    for by_part in parts.values():
        merged = _merge_parts(by_part, parsed)
        tasks_w = next((t for _b, t in by_part.get(WRITTEN, []) if t), [])
        tasks_o = next((t for _b, t in by_part.get(ORAL, []) if t), [])
        block = (by_part.get(WRITTEN) or by_part[ORAL])[0][0]
        if merged and tasks_w and tasks_o:
            tasks = tasks_w + [TaskSpec(f"У{task.label}", task.max_score) for task in tasks_o]
            keep_structure(block, merged, tasks)
        elif merged:
            for row in merged:
                row.task_scores = ""
    for (year_start, procedure, subject_code, grade), tasks in structures.items():
        parsed.structures.append(
            StructureSpec(
                "",
                year_start,
                procedure,
                subject_code,
                grade,
                max_primary_score(procedure, subject_code) or sum(task.max_score for task in tasks),
                tasks,
            )
        )


def _merge_parts(by_part: dict[str, list[tuple[_Block, list[TaskSpec]]]], parsed: ParsedFile) -> list[ResultRow]:
    """One result per participant from the written and the oral part; a part alone is skipped with the reason."""
    written = {(r.school_code, r.participant_key): r for b, _t in by_part.get(WRITTEN, []) for r, _s, _l in b.rows}
    oral = {(r.school_code, r.participant_key): r for b, _t in by_part.get(ORAL, []) for r, _s, _l in b.rows}
    some_block = (by_part.get(WRITTEN) or by_part[ORAL])[0][0]
    merged = []
    for key, first in written.items():
        second = oral.get(key)
        if second is None:
            reason = PART_ALONE.format(part="письменная", subject=some_block.subject_name)
            parsed.skipped.append(RowError(first.sheet, first.row, "", reason))
            continue
        where = f" листа «{first.sheet}»" if first.sheet != second.sheet else ""
        parsed.skipped.append(
            RowError(
                second.sheet,
                second.row,
                "",
                PART_MERGED.format(part="Устная", other="письменной", row=first.row, sheet=where),
            )
        )
        first.primary_score += second.primary_score
        if second.test_score is not None:
            first.test_score = second.test_score
        if second.mark is not None:
            first.mark = second.mark
        first.task_scores = (
            f"{first.task_scores},{second.task_scores}" if first.task_scores and second.task_scores else ""
        )
        maximum = first.max_primary_score
        label = _TITLES["primary"]
        if maximum is not None and first.primary_score > maximum:
            parsed.errors.append(
                RowError(
                    first.sheet,
                    first.row,
                    label,
                    f"Первичный балл двух частей {first.primary_score} больше максимального ({maximum}).",
                )
            )
            continue
        if first.procedure == Procedure.EGE and first.test_score is None and first.mark is None:
            parsed.errors.append(
                RowError(first.sheet, first.row, _TITLES["test_score"], "Ни в одной части нет тестового балла.")
            )
            continue
        if first.procedure != Procedure.EGE and first.mark not in _MARKS:
            parsed.errors.append(RowError(first.sheet, first.row, _TITLES["mark"], "Ни в одной части нет оценки 2–5."))
            continue
        merged.append(first)
    for key, second in oral.items():
        if key not in written:
            reason = PART_ALONE.format(part="устная", subject=some_block.subject_name)
            parsed.skipped.append(RowError(second.sheet, second.row, "", reason))
    parsed.results.extend(merged)
    return merged
