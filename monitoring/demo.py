"""Demo results for ``manage.py seed_demo``: ВПР, ОГЭ and context data of the demo district.

Every school of «Заречный муниципальный район» (schools.demo) gets a latent *quality* and
*social conditions*, drawn once from a fixed seed. Pupils' results follow them: a pupil's
ability is the school's quality plus their own spread, task scores follow the ability, and
the context figures (low-income, ОВЗ, single-parent shares, parents with higher education,
missed lessons, incidents, vacancies) follow the conditions, which in turn pull quality
down — so a handful of schools come out clearly low-result and in difficult conditions,
the gymnasium and the lyceum clearly high-result, and social conditions correlate with
results as in the municipal models (DESIGN.md §7). A few schools inflate journal marks
(«Отметка по журналу» above the ВПР mark far more often than elsewhere): the signal the
objectivity markers look for.

The data go through the real pipeline: sheets in the Ф1, РЦОИ-protocol and context
layouts are built in memory and loaded by ``imports.results_import_sheets`` — one import
job per procedure and year, shown in the import history and rolled back like any other.
A job already loaded (by its name) is skipped, so a second run creates nothing.

``seed_demo --years N`` sets ``core.extensions.DEMO_OPTIONS["years"]`` (default 3): the
last N academic years whose results could exist by the clock's date (``demo_years``). The
demo never holds results before they could be written: the current year's ВПР appear from
late May, its ОГЭ from late June; until then the latest results are last year's. Context
data (ОО-1, collected in the autumn) are loaded for the current year too.

A sample file in every layout the import reads is written to ``VAR_DIR/samples/`` so a new
user can try the import page at once. The Ф1, ОГЭ and context samples bring corrected data
for three schools of the latest year, so importing one replaces those slices and a rollback
restores them; the aggregate and ЕГЭ samples (built with monitoring.sample_files) bring
procedures and subjects the demo does not load, so they add to it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook

from core.extensions import DEMO_OPTIONS
from core.tabular import Sheet
from monitoring import imports, sample_files
from monitoring.formats.context import COLUMNS as CONTEXT_COLUMNS
from monitoring.models import ImportJob
from schools.demo import CURATED_SCHOOL_CODES, DIRECTOR_SCHOOL_CODE, HOME, demo_current_year
from schools.models import School

SEED = 20260415
DEFAULT_YEARS = 3
MAX_YEARS = 10
VPR_GRADES = (4, 5, 6, 7, 8)
# (subject name as in the registry of subjects, Ф1 sheet abbreviation); the third subject
# is «Окружающий мир» in grade 4 and «История» in grades 5–8, as ВПР assigns them.
VPR_SUBJECTS = (("Русский язык", "РУ"), ("Математика", "МА"), (None, None))
THIRD_SUBJECT = {4: ("Окружающий мир", "ОМ")} | dict.fromkeys(range(5, 9), ("История", "ИС"))
# Task maxima per subject (a plausible ВПР shape: short tasks of 1–2 points, a few long ones).
VPR_TASKS = {
    "Русский язык": [("1К1", 4), ("1К2", 3), ("2", 3), ("3", 2), ("4", 2), ("5", 2), ("6", 2), ("7", 1), ("8", 2)],
    "Математика": [("1", 1), ("2", 1), ("3", 1), ("4", 1), ("5", 2), ("6", 1), ("7", 2), ("8", 2), ("9", 2)],
    "Окружающий мир": [("1", 2), ("2", 2), ("3.1", 1), ("3.2", 2), ("4", 2), ("5", 2), ("6", 3), ("7", 2)],
    "История": [("1", 2), ("2", 1), ("3", 2), ("4", 2), ("5", 1), ("6", 3), ("7", 2), ("8", 2)],
}
# Shares of the maximum for marks 3, 4, 5 (ФИС ОКО scales vary by subject; these are typical).
VPR_MARK_SHARES = (0.3, 0.6, 0.85)
# ОГЭ: РЦОИ exam code, subject, short tasks, long tasks (max each), mark thresholds 3/4/5
# (ФИПИ recommendations 2025).
OGE_EXAMS = (
    ("01", "Русский язык", 14, (2, 2, 2, 3, 3, 2, 2), (15, 23, 29)),
    ("02", "Математика", 19, (2, 2, 2, 2, 2, 2), (8, 15, 22)),
)
OGE_HEADER = [
    "№", "Код ОО", "Класс", "Код ППЭ", "Аудитория", "Код МСУ", "Код участника", "Фамилия", "Имя", "Отчество",
    "Серия", "Номер", "Ответы в краткой форме", "Ответы в развернутой форме", "Первичный балл", "Оценка",
]  # fmt: skip
_SURNAMES = ("Иванов", "Петров", "Сидоров", "Кузнецов", "Смирнов", "Попов", "Волков", "Морозов", "Лебедев")
_NAMES = ("Артём", "Мария", "Иван", "Анна", "Дмитрий", "София", "Максим", "Полина", "Егор", "Дарья")
_PATRONYMICS = ("Сергеевич", "Андреевна", "Александрович", "Игоревна", "Олегович", "Викторовна")
# How many schools of the district come out clearly low-result, and inflate journal marks.
LOW_SCHOOLS = 4
INFLATING_SCHOOLS = 3


@dataclass
class DemoSchool:
    """The latent state of one school: quality (results) and conditions (higher = harder)."""

    school: School
    quality: float
    conditions: float
    inflates_journal: bool = False

    @property
    def code(self) -> str:
        return self.school.code


# When a year's results can exist (month, day of the spring the year ends in): the demo's ВПР
# are written 19–23 April and reach the portal by late May; its ОГЭ are written 3 and 9 June
# and their protocols come about two weeks later. Before that day the year has no results.
VPR_RESULTS_FROM = (5, 20)
GIA_RESULTS_FROM = (6, 25)


def results_exist(year_start: int, procedure: str, today: dt.date | None = None) -> bool:
    """Could results of ``procedure`` («vpr» or «gia») for the year ``year_start``/… exist ``today``?"""
    month, day = VPR_RESULTS_FROM if procedure == "vpr" else GIA_RESULTS_FROM
    return (today or timezone.localdate()) >= dt.date(year_start + 1, month, day)


def demo_years() -> list[int]:
    """Start years of the academic years the demo has results for, oldest first.

    The latest is the last year whose ВПР could have been written by today: in December
    2026 that is 2025/2026 (the current year's ВПР come in the spring), from late May 2027
    it is 2026/2027. ОГЭ of the latest year are left out until June's protocols (``oge_years``).
    """
    years = int(DEMO_OPTIONS.get("years") or DEFAULT_YEARS)
    years = max(1, min(MAX_YEARS, years))
    current = demo_current_year()
    latest = current if results_exist(current, "vpr") else current - 1
    return list(range(latest - years + 1, latest + 1))


def oge_years() -> list[int]:
    """The demo years whose ОГЭ (and ЕГЭ) results could exist today."""
    return [year for year in demo_years() if results_exist(year, "gia")]


def context_years() -> list[int]:
    """The demo years and the current one: context data (ОО-1 on 20 September) exist from the autumn."""
    return sorted({*demo_years(), demo_current_year()})


def _rng(*parts: object) -> random.Random:
    # crc32, not hash(): str hashes change between runs, the demo must not.
    return random.Random(zlib.crc32(":".join(str(p) for p in (SEED, *parts)).encode()))  # noqa: S311 - demo data  # nosec B311 # seeded generator for demo/bench data, not for secrets


def demo_schools() -> list[DemoSchool]:
    """The district's schools with their latent quality and conditions (deterministic)."""
    schools = list(
        School.objects.filter(municipality__oktmo=HOME.oktmo, is_active=True)
        .exclude(school_type=School.Type.CORRECTIONAL)  # ВПР and ОГЭ are not written there
        .select_related("organisation")
        .order_by("code")
    )
    result = []
    for school in schools:
        rng = _rng("school", school.code)
        rural = school.settlement == School.Settlement.RURAL
        conditions = rng.gauss(0.8 if rural else -0.2, 0.6)
        quality = rng.gauss(0, 0.35) - 0.45 * conditions
        if school.school_type in (School.Type.GYMNASIUM, School.Type.LYCEUM):
            quality, conditions = quality + 1.6, conditions - 0.6
        result.append(DemoSchool(school, quality, conditions))
    # The clearly low schools are the ones the demo's people work with: the director's school and
    # the curator's three (a curator is assigned to ШНОР), so every demo login meets the support
    # programme; they sink below the district's weakest, in results and in conditions both, as
    # ШНОР and ШССУ overlap in the seeds.
    lowest = min((s.quality for s in result), default=0.0)
    story = {DIRECTOR_SCHOOL_CODE, *CURATED_SCHOOL_CODES}
    low_ones = [s for s in result if s.school.code in story][:LOW_SCHOOLS]
    for low in low_ones:
        low.quality = min(low.quality, lowest) - 0.6
        low.conditions += 0.7
    ranked = sorted(result, key=lambda s: s.quality)
    middle = [s for s in ranked[: len(ranked) - LOW_SCHOOLS] if s not in low_ones]
    for inflating in _rng("inflating").sample(middle, min(INFLATING_SCHOOLS, len(middle))):
        inflating.inflates_journal = True
    return result


def _grade_size(school: School, rng: random.Random) -> int:
    per_grade = (school.contingent or 200) / 11
    return max(4, round(per_grade * rng.uniform(0.8, 1.0)))


def _teaches(school: School, grade: int) -> bool:
    return school.has_primary if grade <= 4 else school.has_basic


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# --- ВПР, Ф1 layout -------------------------------------------------------------------------


def vpr_sheets(schools: list[DemoSchool], year_start: int, *, variant_seed: str = "") -> list[Sheet]:
    """Ф1 «Индивидуальные результаты» sheets of one year, one per subject and grade."""
    sheets = []
    for grade in VPR_GRADES:
        for subject, abbr in VPR_SUBJECTS:
            if subject is None:
                subject, abbr = THIRD_SUBJECT[grade]
            tasks = VPR_TASKS[subject]
            maximum = sum(points for _, points in tasks)
            rows: list[list[str]] = [
                [f"ВПР {year_start + 1} {subject} {grade} класс"],
                ["Предмет:", subject],
                ["Максимальный первичный балл:", str(maximum)],
                ["Дата:", f"{15 + grade}.04.{year_start + 1}"],
                ["Уровень сложности задания", "", "", "", "", "", *("Б" if p < 2 else "П" for _, p in tasks)],
                ["ОО", "Муниципалитет", "Название ОО", "Код участника", "Класс", "Вариант"]
                + [f"{number} ({points}б)" for number, points in tasks]
                + ["Первичный балл", "Отметка", "Отметка по журналу"],
            ]
            for demo in schools:
                if not _teaches(demo.school, grade):
                    continue
                rng = _rng("vpr", variant_seed, year_start, subject, grade, demo.code)
                size = _grade_size(demo.school, _rng("size", year_start, grade, demo.code))
                drift = _rng("drift", year_start, demo.code).gauss(0, 0.12)
                rows.append([f"{demo.school.short_name or demo.code} ({demo.code})", f"Кол-во участников: {size}"])
                for n in range(size):
                    rows.append(_vpr_row(demo, grade, n, size, tasks, maximum, demo.quality + drift, rng))
            sheets.append(Sheet(f"{abbr} {grade} Индивидуальные результаты", rows))
    return sheets


def _vpr_row(demo, grade, n, size, tasks, maximum, quality, rng) -> list[str]:
    ability = quality + rng.gauss(0, 1)
    cells, primary = [], 0
    for _, points in tasks:
        p = _sigmoid(1.5 * ability + 1.3 - 0.25 * points)
        score = rng.binomialvariate(points, p)
        if score == 0 and rng.random() < 0.08:
            cells.append("X")  # not attempted
        else:
            cells.append(str(score))
            primary += score
    share = primary / maximum
    mark = 2 + sum(share >= threshold for threshold in VPR_MARK_SHARES)
    journal = mark + round(rng.gauss(0.15, 0.55))
    if demo.inflates_journal and rng.random() < 0.6:
        journal = max(journal, mark + 1)
    journal = max(2, min(5, journal))
    klass = f"{grade}{'АБВГ'[n * max(1, round(size / 25)) // size]}"
    participant = f"{demo.code[-4:]}{grade}{n + 1:03d}"
    return [demo.code, HOME.name, demo.school.short_name, participant, klass, str(1 + n % 2), *cells,
            str(primary), str(mark), str(journal)]  # fmt: skip


# --- ОГЭ, РЦОИ protocol layout --------------------------------------------------------------


def oge_sheets(schools: list[DemoSchool], year_start: int, *, variant_seed: str = "") -> list[Sheet]:
    """One РЦОИ protocol sheet of a year: a block per exam (Russian, mathematics)."""
    rows: list[list[str]] = []
    for code, subject, short_tasks, long_tasks, thresholds in OGE_EXAMS:
        rows.append([f"{code} - {subject} {year_start + 1}.{'06.03' if code == '01' else '06.09'}"])
        rows.append(OGE_HEADER)
        number = 0
        for demo in schools:
            if not demo.school.has_basic:
                continue
            rng = _rng("oge", variant_seed, year_start, code, demo.code)
            size = _grade_size(demo.school, _rng("size", year_start, 9, demo.code))
            drift = _rng("drift", year_start, demo.code).gauss(0, 0.12)
            for n in range(size):
                number += 1
                ability = demo.quality + drift + rng.gauss(0, 1)
                p = _sigmoid(1.5 * ability + 0.9)
                short = "".join("+" if rng.random() < p else "-" for _ in range(short_tasks))
                scores = [rng.binomialvariate(top, p) for top in long_tasks]
                primary = short.count("+") + sum(scores)
                mark = 2 + sum(primary >= threshold for threshold in thresholds)
                person = _rng("person", demo.code, year_start, n)
                rows.append(
                    [str(number), demo.code, f"9{'АБВ'[n % 3]}", "0101", str(1 + n // 15), HOME.oktmo[:5],
                     f"{year_start % 100}{demo.code[-4:]}{n + 1:03d}", person.choice(_SURNAMES),
                     person.choice(_NAMES), person.choice(_PATRONYMICS), f"{person.randint(1000, 9999)}",
                     f"{person.randint(100000, 999999)}", short,
                     "".join(f"{s}({top})" for s, top in zip(scores, long_tasks, strict=True)),
                     str(primary), str(mark)]
                )  # fmt: skip
        rows.append([])
    return [Sheet("Протокол", rows)]


# --- Context data, canonical layout ---------------------------------------------------------


def context_sheets(schools: list[DemoSchool], years: list[int], *, variant_seed: str = "") -> list[Sheet]:
    rows = [[column.title for column in CONTEXT_COLUMNS]]
    for year_start in years:
        for demo in schools:
            rows.append([_context_value(key, value) for key, value in _context(demo, year_start, variant_seed)])
    return [Sheet("Контекст", rows)]


def _context(demo: DemoSchool, year_start: int, variant_seed: str) -> list[tuple[str, object]]:
    rng = _rng("context", variant_seed, year_start, demo.code)
    c, q = demo.conditions, demo.quality
    contingent = round((demo.school.contingent or 200) * rng.uniform(0.95, 1.05))

    def share(base: float, slope: float, spread: float = 2.0) -> float:
        return round(max(0.0, min(95.0, base + slope * c + rng.gauss(0, spread))), 1)

    graduates_9 = _grade_size(demo.school, _rng("size", year_start, 9, demo.code)) if demo.school.has_basic else 0
    graduates_11 = round(graduates_9 * 0.45) if demo.school.has_secondary else 0
    failed_9 = round(graduates_9 * max(0.0, min(0.3, 0.03 - 0.05 * q + rng.gauss(0, 0.01))))
    posts = round(contingent / 13 + 4, 1)
    values = {
        "year": f"{year_start}/{year_start + 1}",
        "code": demo.code,
        "contingent": contingent,
        "low_income_share": share(14, 9),
        "ovz_share": share(4, 2, 1),
        "non_native_share": share(3, 3, 1.5),
        "single_parent_share": share(19, 6),
        "preventive_register_share": share(1.2, 1.1, 0.4),
        "parents_higher_ed_share": share(38, -12, 4),
        "missed_lessons": round(contingent * max(10, 32 + 12 * c + rng.gauss(0, 4))),
        "discipline_incidents": max(0, round(contingent / 100 * max(0.2, 1 + 1.2 * c + rng.gauss(0, 0.4)))),
        "teacher_posts": posts,
        "teacher_vacancies": max(0.0, round(posts * max(0.0, 0.02 + 0.04 * c + rng.gauss(0, 0.01)), 1)),
        "graduates_9": graduates_9 or "",
        "certificates_9": graduates_9 - failed_9 if graduates_9 else "",
        "graduates_11": graduates_11 or "",
        "certificates_11": max(0, graduates_11 - round(failed_9 / 3)) if graduates_11 else "",
    }
    return [(column.key, values[column.key]) for column in CONTEXT_COLUMNS]


def _context_value(key: str, value: object) -> str:
    return f"{value}".replace(".", ",") if isinstance(value, float) else str(value)


# --- Seeding ---------------------------------------------------------------------------------


def _job_name(what: str, year_start: int) -> str:
    return f"Демо: {what} {year_start}/{year_start + 1}"


def demo_seed() -> str:
    """Load the district's ВПР, ОГЭ and context data for the demo years, then write samples."""
    schools = demo_schools()
    if not schools:
        return "Результаты: в демо-районе нет школ — сначала нужны демо-данные реестра."
    years = demo_years()
    gia = oge_years()
    loaded = set(
        ImportJob.objects.filter(original_name__startswith="Демо: ", status=ImportJob.Status.DONE).values_list(
            "original_name", flat=True
        )
    )
    created = 0
    plan = [(_job_name("контекстные данные", y), lambda y=y: context_sheets(schools, [y])) for y in context_years()]
    for year_start in years:
        plan.append((_job_name("ВПР (Ф1)", year_start), lambda y=year_start: vpr_sheets(schools, y)))
        if year_start in gia:
            plan.append((_job_name("ОГЭ (протокол РЦОИ)", year_start), lambda y=year_start: oge_sheets(schools, y)))
    for name, build in plan:
        if name in loaded:
            continue
        job = imports.results_import_sheets(sheets=build(), original_name=name)
        if job.status != ImportJob.Status.DONE:
            raise RuntimeError(f"demo import «{name}» failed: {job.errors[:3]}")
        created += job.rows_created
    # The sample files are of the latest year with every procedure's results (ЕГЭ, ОГЭ among them).
    samples = write_samples(schools, gia[-1] if gia else years[-1] - 1)
    first, last = years[0], years[-1]
    if not created:
        return f"Результаты {first}–{last + 1}: уже загружены, ничего не добавлено; образцы файлов — {samples}."
    return (
        f"Результаты ВПР, ОГЭ и контекстные данные {len(schools)} школ за {first}/{first + 1}–{last}/{last + 1}: "
        f"записано {created} строк; образцы файлов для загрузки — {samples}."
    )


def samples_dir() -> Path:
    return Path(settings.VAR_DIR) / "samples"


def write_samples(schools: list[DemoSchool], year_start: int) -> str:
    """A file in every layout this app reads, with corrected data for three schools of the year.

    Files that exist are left alone (the seed is idempotent; their content is deterministic).
    """
    folder = samples_dir()
    folder.mkdir(parents=True, exist_ok=True)
    few = [s for s in schools if s.school.has_basic][:3]
    senior = [s for s in schools if s.school.has_secondary][:3] or few
    files = {
        "vpr_f1_individualnye_rezultaty.xlsx": lambda: _xlsx(vpr_sheets(few, year_start, variant_seed="sample")[:3]),
        "oge_protokol_rcoi.xlsx": lambda: _xlsx(oge_sheets(few, year_start, variant_seed="sample")),
        "kontekstnye_dannye.csv": lambda: _csv(context_sheets(few, [year_start], variant_seed="sample")[0]),
        "vpr_f3_statistika_po_otmetkam.xlsx": lambda: _sample_vpr_f3(few, year_start),
        "vpr_sravnenie_s_zhurnalom.xlsx": lambda: _sample_vpr_journal(few, year_start),
        "ege_otchet_po_shkolam.xlsx": lambda: _sample_ege_report(senior, year_start),
        "ege_protokol_rcoi.xlsx": lambda: _sample_ege_protocol(senior, year_start),
        "pokazateli_shkol.csv": lambda: _sample_aggregates(senior, year_start),
        "rezultaty_uchastnikov.csv": lambda: _sample_results(senior, year_start),
        SAMPLE_SCHOOL_FORM_FILE: lambda: _sample_school_form(few[0], year_start),
    }
    for name, build in files.items():
        path = folder / name
        if not path.exists():
            path.write_bytes(build())
    return str(folder)


# The aggregate and ЕГЭ samples: procedures and subjects the demo does not load, so importing
# one adds figures beside the demo's results instead of replacing them.
SAMPLE_VPR = ("Русский язык", 4)
SAMPLE_JOURNAL = ("Математика", 5)
SAMPLE_EGE_REPORT = ("Русский язык", "Математика")
SAMPLE_AGGREGATES = ("Обществознание", "Физика")
SAMPLE_EGE_PROTOCOL = ("01", "Русский язык", 50)  # РЦОИ code, subject, max primary
SAMPLE_RESULTS = ("02", 32)  # ЕГЭ математика профильная, max primary
SAMPLE_PARTICIPANTS = 12
# A school's ВПР collection form names no school, subject or grade: they are chosen on upload.
SAMPLE_SCHOOL_FORM_FILE = "vpr_forma_sbora_rezultatov.xlsx"
SAMPLE_SCHOOL_FORM = ("Литературное чтение", 4)


def _sample_school_form(demo: DemoSchool, year_start: int) -> bytes:
    rng = _rng("sample-school-form", year_start, demo.code)
    rows = []
    for n in range(SAMPLE_PARTICIPANTS):
        share = _sigmoid(demo.quality + rng.gauss(0, 1))
        scores = [round(top * share) for _label, top in sample_files.SCHOOL_FORM_TASKS]
        rows.append((f"{n + 1:05d}", str(1 + n % 2), 1 + n % 2, scores, rng.choice([3, 4, 5, "нет отметки"])))
    return sample_files.school_form_xlsx(rows)


def _marks(demo: DemoSchool, rng: random.Random, size: int) -> list[int]:
    counts = [0, 0, 0, 0]
    for _ in range(size):
        share = _sigmoid(demo.quality + rng.gauss(0, 1))
        counts[sum(share >= bound for bound in VPR_MARK_SHARES)] += 1
    return counts


def _sample_vpr_f3(schools: list[DemoSchool], year_start: int) -> bytes:
    subject, grade = SAMPLE_VPR
    rows = []
    for demo in schools:
        rng = _rng("sample-f3", year_start, demo.code)
        size = 20 + rng.randrange(40)
        counts = _marks(demo, rng, size)
        rows.append((f"{demo.school.short_name} ({demo.code})", 1, size, *(round(100 * c / size, 2) for c in counts)))
    return sample_files.vpr_f3_xlsx(rows, title=f"ВПР {year_start + 1} {subject} {grade} класс")


def _sample_vpr_journal(schools: list[DemoSchool], year_start: int) -> bytes:
    subject, grade = SAMPLE_JOURNAL
    groups = []
    for demo in schools:
        rng = _rng("sample-journal", year_start, demo.code)
        size = 20 + rng.randrange(40)
        lowered = round(size * (0.35 if demo.inflates_journal else 0.1 + rng.random() * 0.1))
        raised = rng.randrange(3)
        groups.append((f"{demo.school.short_name} ({demo.code})", lowered, size - lowered - raised, raised))
    return sample_files.vpr_journal_xlsx(groups, title=f"ВПР {year_start + 1} {subject} {grade} класс")


def _ege_figures(demo: DemoSchool, rng: random.Random) -> tuple:
    participants = 5 + rng.randrange(25)
    scores = [max(0, min(100, round(rng.gauss(62 + 12 * demo.quality, 14)))) for _ in range(participants)]
    return (
        participants,
        sum(score < 36 for score in scores),
        sum(80 <= score < 100 for score in scores),
        sum(score == 100 for score in scores),
        round(sum(scores) / participants, 1),
    )


def _sample_ege_report(schools: list[DemoSchool], year_start: int) -> bytes:
    rows = []
    for demo in schools:
        figures = {s: _ege_figures(demo, _rng("sample-ege", year_start, s, demo.code)) for s in SAMPLE_EGE_REPORT}
        rows.append((demo.code, demo.school.short_name, figures))
    return sample_files.ege_report_xlsx(
        list(SAMPLE_EGE_REPORT),
        {HOME.name: rows},
        title=f"Результаты ЕГЭ {year_start + 1} года по общеобразовательным организациям",
    )


def _sample_aggregates(schools: list[DemoSchool], year_start: int) -> bytes:
    rows = []
    for subject in SAMPLE_AGGREGATES:
        for demo in schools:
            figures = _ege_figures(demo, _rng("sample-aggregates", year_start, subject, demo.code))
            participants, _below, high, full, mean_score = figures
            rows.append(
                {"year": f"{year_start}/{year_start + 1}", "procedure": "ЕГЭ", "subject": subject, "code": demo.code,
                 "participants": participants, "high_scorers": high, "full_scorers": full,
                 "mean_score": str(mean_score).replace(".", ",")}
            )  # fmt: skip
    return sample_files.aggregates_csv(rows)


def _exam_scores(demo: DemoSchool, rng: random.Random, maximum: int) -> tuple[int, int]:
    primary = max(0, min(maximum, round(maximum * _sigmoid(demo.quality + rng.gauss(0.3, 1)))))
    return primary, round(100 * primary / maximum)


def _sample_ege_protocol(schools: list[DemoSchool], year_start: int) -> bytes:
    code, subject, maximum = SAMPLE_EGE_PROTOCOL
    rows = []
    for demo in schools:
        rng = _rng("sample-ege-protocol", year_start, demo.code)
        for n in range(SAMPLE_PARTICIPANTS):
            primary, test = _exam_scores(demo, rng, maximum)
            row = sample_files.ege_row(len(rows) + 1, demo.code, _SURNAMES[n % 9], primary=primary, test=test)
            row[7] = _NAMES[n % len(_NAMES)]  # with the surname, one person per participant of a school
            row[5] = f"{year_start % 100}{demo.code[-4:]}{n + 1:03d}"  # the participant code, unique in the region
            rows.append(row)
    title = f"{code} - {subject} {year_start + 1}.06.01"
    return sample_files.rcoi_xlsx((title, sample_files.EGE_HEADER, rows))


def _sample_results(schools: list[DemoSchool], year_start: int) -> bytes:
    code, maximum = SAMPLE_RESULTS
    rows = []
    for demo in schools:
        rng = _rng("sample-results", year_start, demo.code)
        for n in range(SAMPLE_PARTICIPANTS):
            primary, test = _exam_scores(demo, rng, maximum)
            participant = f"{year_start % 100}{demo.code[-4:]}{n + 1:03d}"
            rows.append(
                sample_files.results_csv_row(
                    demo.code, participant, year=f"{year_start}/{year_start + 1}", procedure="ЕГЭ", subject=code,
                    grade=11, klass=f"11{'АБ'[n % 2]}", variant=301 + n % 4, primary=primary, max=maximum,
                    mark="", journal="", test=test, tasks="",
                )
            )  # fmt: skip
    return sample_files.results_csv(rows, encoding="utf-8-sig")


def _numeric(cell: str) -> object:
    # Excel keeps numbers as numbers; a Ф1 export does too.
    return int(cell) if cell.isdigit() and not cell.startswith("0") else cell


def _xlsx(sheets: list[Sheet]) -> bytes:
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.name[:31])
        for row in sheet.rows:
            ws.append([_numeric(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(sheet.rows)
    return buffer.getvalue().encode("utf-8-sig")
