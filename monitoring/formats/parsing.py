"""What every results layout parses into, and the cell readers the parsers share.

A parser turns the sheets of a file (text cells, see core.tabular) into ``ResultRow`` or
``ContextRow`` records plus ``RowError`` for every cell it cannot accept. Parsers know only
the file; what needs the database (school codes, scope, duplicates against each other)
is checked in monitoring.imports.validate before anything is written. Which layout a
file is, and where a sheet's header row stands: monitoring.formats.headers.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings

from core.tabular import RowError, column_letter
from schools.models import SCHOOL_CODE_RE
from schools.years import start_year_of_month

Progress = Callable[[int, int], None]
_EDU_IN_TEXT = re.compile(r"\b(edu\d{4,7})\b", re.IGNORECASE)


@dataclass(slots=True)
class ResultRow:
    sheet: str
    row: int
    school_code: str
    school_column: str
    year_start: int
    procedure: str
    subject_code: str
    grade: int
    class_name: str
    variant: str
    participant_key: str
    participant_column: str
    primary_score: int
    max_primary_score: int | None
    mark: int | None
    journal_mark: int | None
    test_score: int | None
    task_scores: str

    def slice_key(self) -> tuple:
        return (self.year_start, self.procedure, self.subject_code, self.grade, self.school_code)

    def values(self) -> tuple:
        """What makes two rows of one slice the same (a re-import of them changes nothing)."""
        return (
            self.participant_key,
            self.class_name,
            self.variant,
            self.primary_score,
            self.max_primary_score,
            self.mark,
            self.journal_mark,
            self.test_score,
            self.task_scores,
        )


@dataclass(slots=True)
class ContextRow:
    sheet: str
    row: int
    school_code: str
    school_column: str
    year_start: int
    values: dict


@dataclass(slots=True)
class AggregateRow:
    """Per-school figures of one slice from an aggregate report (Ф3, ВПР vs journal, ЕГЭ report).

    ``values`` holds only the SchoolAggregate fields this layout brings; the writer keeps
    the other fields of the current row (Ф3 and the journal comparison fill one row
    together). ``defaults`` are taken only where the current row has nothing.
    """

    sheet: str
    row: int
    school_code: str
    school_column: str
    year_start: int
    procedure: str
    subject_code: str
    grade: int
    values: dict
    defaults: dict = field(default_factory=dict)
    # A file that names schools without codes (regional reports): the name as written and the
    # municipality (or its education authority) the row stands under; monitoring.imports.names
    # resolves them and fills ``school_code``.
    school_name: str = ""
    municipality_name: str = ""

    def slice_key(self) -> tuple:
        school = self.school_code or f"{self.municipality_name}\x1f{self.school_name}"
        return (self.year_start, self.procedure, self.subject_code, self.grade, school)


@dataclass(slots=True)
class ResultBlock:
    """Participant rows of one sheet that share a slice's year, procedure, subject and grade, as columns.

    The fast Ф1 reader gives these instead of a ResultRow per row: a region's million rows
    are validated and COPY'd column by column. ``result_rows()`` gives the ResultRows for
    the paths that go row by row (SQLite, the wording of duplicate errors).
    """

    sheet: str
    school_column: str
    participant_column: str
    year_start: int
    procedure: str
    subject_code: str
    grade: int
    max_primary_score: int | None
    rows: list[int]
    school_codes: list[str]
    class_names: list[str]
    variants: list[str]
    participant_keys: list[str]
    primary_scores: list[int]
    marks: list[int]
    journal_marks: list[int | None]
    task_scores: list[str]

    def __len__(self) -> int:
        return len(self.rows)

    def slice_prefix(self) -> tuple:
        return (self.year_start, self.procedure, self.subject_code, self.grade)

    def result_rows(self, indexes: Iterable[int] | None = None) -> list[ResultRow]:
        count = len(self.rows)
        picked = range(count) if indexes is None else list(indexes)
        return [
            ResultRow(
                self.sheet,
                self.rows[i],
                self.school_codes[i],
                self.school_column,
                self.year_start,
                self.procedure,
                self.subject_code,
                self.grade,
                self.class_names[i],
                self.variants[i],
                self.participant_keys[i],
                self.participant_column,
                self.primary_scores[i],
                self.max_primary_score,
                self.marks[i],
                self.journal_marks[i],
                None,
                self.task_scores[i],
            )
            for i in picked
        ]


# Any row a parser yields, as the validate stage sees it.
ParsedRow = ResultRow | ContextRow | AggregateRow


@dataclass(slots=True)
class TaskSpec:
    """One task of a test as the file's header gives it: «4К1 (3б)», difficulty «В»."""

    label: str
    max_score: int
    difficulty: str = ""


@dataclass(slots=True)
class StructureSpec:
    """The structure of one test (issue #18): its tasks in order and, where the file gives
    them, the mark boundaries (lowest primary score of «3», «4», «5»)."""

    sheet: str
    year_start: int
    procedure: str
    subject_code: str
    grade: int
    max_primary: int | None
    tasks: list[TaskSpec]
    variant: str = ""
    boundaries: tuple[int | None, int | None, int | None] | None = None
    # A school's collection form knows only labels and maxima: a structure Ф1 stored stays.
    keep_existing: bool = False


@dataclass(slots=True)
class AreaRow:
    """A Ф3 row of an area — the whole sample (Russia), the region or a municipality — kept as
    the report gives it (shares in %), for the comparison on the analytics pages (issue #18)."""

    sheet: str
    row: int
    area: str  # "russia", "region", "municipality"
    name: str
    code: str  # ФИС ОКО code of a municipality («reg98_m001»), else ""
    year_start: int
    procedure: str
    subject_code: str
    grade: int
    schools_count: int | None
    participants: int
    shares: tuple[Decimal, Decimal, Decimal, Decimal]


@dataclass
class ParsedFile:
    layout: str
    structures: list[StructureSpec] = field(default_factory=list)
    areas: list[AreaRow] = field(default_factory=list)
    results: list[ResultRow] = field(default_factory=list)
    blocks: list[ResultBlock] = field(default_factory=list)  # results read column-wise (see ResultBlock)
    context: list[ContextRow] = field(default_factory=list)
    aggregates: list[AggregateRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    # Rows read and left out on purpose («Средние», «Всего участников»…): the message is the reason.
    # They are counted in ``total_rows`` too, so imported + skipped + errors add up to the rows read.
    skipped: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    # Appeal protocols: rows that update the stored results of the participants they name.
    appeals: list[ResultRow] = field(default_factory=list)

    def skip(self, sheet: str, row: int, reason: str) -> None:
        self.skipped.append(RowError(sheet, row, "", reason))


def participant_key(*parts: str) -> str:
    """A participant as a keyed hash: HMAC-SHA256 with settings.PARTICIPANT_HASH_KEY, 128 bits, hex.

    Surnames, names and passport fields are never stored (DESIGN.md §6, personal data);
    the keyed hash still lets the recompute follow one participant across subjects of a
    year, and nobody without the key can rebuild it from a list of names.
    """
    message = "\x1f".join(_normalise_part(part) for part in parts).encode()
    digest = _keyed_hmac().copy()  # the keyed state is built once: a region file has a million rows
    digest.update(message)
    return digest.hexdigest()[:32]


def participant_keyer(*prefix: str) -> Callable[[str], str]:
    """``participant_key(*prefix, part)`` for many parts that share a prefix, with the prefix hashed once.

    The keyers are remembered (for the current key): a region's file has a sheet per subject
    and grade, and every sheet meets the same two thousand schools again.
    """
    key = settings.PARTICIPANT_HASH_KEY
    keyer = _KEYERS.get((key, prefix))
    if keyer is None:
        if len(_KEYERS) > 50_000:
            _KEYERS.clear()
        keyer = _KEYERS[(key, prefix)] = _make_keyer(prefix)
    return keyer


def _make_keyer(prefix: tuple[str, ...]) -> Callable[[str], str]:
    # HMAC-SHA256 spelled out with hashlib's states (RFC 2104): H(K^opad ‖ H(K^ipad ‖ m)).
    # The same digest as hmac.new, without the Python wrapper of hmac's copy() and
    # hexdigest(): it was half the cost of a row of a region's file.
    inner, outer = _keyed_states()
    inner = inner.copy()
    inner.update("".join(f"{_normalise_part(part)}\x1f" for part in prefix).encode())

    def key(part: str) -> str:
        digest = inner.copy()
        # Participant codes are mostly plain numbers, which need no normalising.
        digest.update((part if part.isdigit() else _normalise_part(part)).encode())
        result = outer.copy()
        result.update(digest.digest())
        return result.hexdigest()[:32]

    return key


_KEYERS: dict[tuple, Callable[[str], str]] = {}


def _normalise_part(part: str) -> str:
    return " ".join(part.split()).lower()


_KEYED: dict[str, hmac.HMAC] = {}
_KEYED_STATES: dict[str, tuple] = {}


def _keyed_hmac() -> hmac.HMAC:
    key = settings.PARTICIPANT_HASH_KEY  # read each time: tests may override the setting
    state = _KEYED.get(key)
    if state is None:
        _KEYED.clear()
        state = _KEYED[key] = hmac.new(key.encode(), digestmod=hashlib.sha256)
    return state


def _keyed_states() -> tuple:
    """The SHA-256 states after K^ipad and K^opad, for the current key (see _make_keyer)."""
    key = settings.PARTICIPANT_HASH_KEY
    states = _KEYED_STATES.get(key)
    if states is None:
        block = key.encode()
        if len(block) > _SHA256_BLOCK:
            block = hashlib.sha256(block).digest()
        block = block.ljust(_SHA256_BLOCK, b"\0")
        _KEYED_STATES.clear()
        states = _KEYED_STATES[key] = (
            hashlib.sha256(bytes(byte ^ 0x36 for byte in block)),
            hashlib.sha256(bytes(byte ^ 0x5C for byte in block)),
        )
    return states


_SHA256_BLOCK = 64


def map_distinct(values: Sequence, convert: Callable) -> list | None:
    """``convert`` of every value, computed once per distinct value; None for an unhashable value.

    A column of a region's file holds a million cells but few distinct values (scores,
    marks, classes, schools): each is converted once and the column is mapped in C.
    """
    try:
        distinct = set(values)
    except TypeError:
        return None
    table = {value: convert(value) for value in distinct}
    return list(map(table.__getitem__, values))


def column_label(index: int, title: str) -> str:
    return f"{column_letter(index)} ({title})" if title else column_letter(index)


def school_code_from(text: str) -> str:
    """edu203389 from «edu203389», «(edu203389)» or a bare РЦОИ number «203389»; "" when none."""
    value = text.strip().lower()
    if SCHOOL_CODE_RE.match(value):
        return value
    if value.isdigit() and 4 <= len(value) <= 7:
        return f"edu{value}"
    found = _EDU_IN_TEXT.search(text)
    return found.group(1).lower() if found else ""


def parse_int(raw: str) -> int | None:
    """An integer from a cell («12», «12.0», « 12 »); None when it is not one."""
    # Score and mark cells repeat a handful of values a million times: remember them.
    try:
        return _INT_MEMO[raw]
    except KeyError:
        value = _parse_int(raw)
        if len(_INT_MEMO) < 10_000:
            _INT_MEMO[raw] = value
        return value


_INT_MEMO: dict[str, int | None] = {}


def _parse_int(raw: str) -> int | None:
    value = raw.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    if re.fullmatch(r"-?\d+[.,]0+", value):
        return int(value.split(".")[0].split(",")[0])
    return None


def parse_decimal(raw: str) -> Decimal | None:
    value = raw.replace("\u00a0", "").replace(" ", "").replace("%", "").replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def academic_year_of(year: int, month: int) -> int:
    """Start year of the academic year a date in a file falls in (the rule is schools.years)."""
    return start_year_of_month(year, month)


def is_blank(row: list[str]) -> bool:
    return not any(cell for cell in row)
