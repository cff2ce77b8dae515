"""Benchmark: a region's ВПР results (default 700,000 rows over 2,000 schools) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/any .venv/bin/python bench/import_bench.py --rows 700000

The server of DATABASE_URL is used, never its database: the bench creates its own databases
(``BENCH_DB``, default ``opora_bench``, and ``<BENCH_DB>_populated``; dropped at the end unless
``--keep-db``), migrates them and adds the load region of ``seed_demo`` (2,000 schools). It builds
a Ф1-layout XLSX (one sheet per subject and grade, group rows, task columns, as ФИС ОКО exports
it) and a canonical participant-results CSV of the same rows. The XLSX must fit the product's
default upload limit (``UPLOAD_MAX_BYTES``, 50 MB; 700,000 rows make about 46 MB): the bench
never raises the limit, and stops if the file is larger. Then, each stage in its own process
so its peak RSS is its own:

(a) floor — the same file read by the same parser (python-calamine, as the import reads it),
            then COPY'd, streamed as the product streams it (the next chunk's text is made while
            the server stores the last), into the real results table — the same indexes and
            constraints — and committed; its rows are deleted afterwards (not timed);
(b) ours  — our import end to end: store, zip checks, parse, validate, write, commit;
(c) ie    — django-import-export 4 importing the first ``--ie-rows`` rows of the CSV into
            ParticipantResult in its best documented configuration (``use_bulk`` with batches
            of 1,000, ``skip_diff``, ``force_init_instance``, no instance validation, foreign keys
            looked up once into a dict, DEBUG off), compared by rate;

(a) and (b) run twice: into the empty region, and into a populated one (four earlier years of
results for every school, ~4 M rows, from ``bench/identify_bench.generate_results``).

Files are cached in VAR_DIR/bench/ by row count. Last line:

    import_bench rows=N ours_s=… floor_s=… ratio_floor=… ours_populated_s=… floor_populated_s=…
        ratio_floor_populated=… ratio_import_export=… xlsx_mb=… peak_rss_mb=…

ratio_import_export = our rate (empty database) / django-import-export's rate; peak_rss_mb is
our import's. Targets: ratio_floor ≤ 1.5 (both), ratio_import_export ≥ 20, peak_rss_mb ≤ 1024.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess  # nosec B404 # the bench runs its own fixed commands
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get("BENCH_DB", "opora_bench")
POPULATED_YEARS = 4
SUBJECTS = (("Русский язык", "РУ"), ("Математика", "МА"), ("Окружающий мир", "ОМ"))
GRADES = (4, 5, 6, 7, 8)
TASKS = [("1", 2), ("2", 1), ("3", 1), ("4", 2), ("5", 1), ("6.1", 1), ("6.2", 2), ("7", 2), ("8", 1), ("9", 2)]
TASKS += [("10К1", 2), ("10К2", 3)]
MAX_PRIMARY = sum(points for _, points in TASKS)
CSV_HEADER = [
    "Учебный год", "Процедура", "Код предмета", "Класс", "Код ОО", "Класс (буква)", "Вариант", "Код участника",
    "Первичный балл", "Максимальный первичный балл", "Отметка", "Отметка по журналу", "Баллы за задания",
]  # fmt: skip
SUBJECT_CODES = {"Русский язык": "01", "Математика": "02", "Окружающий мир": "ОМ"}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report(**figures) -> None:
    figures["peak_rss_mb"] = round(_peak_mb())
    print("RESULT " + json.dumps(figures), flush=True)


def _django(database_url: str, *, debug: bool = True) -> None:
    os.environ["DATABASE_URL"] = database_url
    if debug:
        os.environ.setdefault("DEBUG", "1")
    else:
        import secrets

        os.environ.update(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            PARTICIPANT_HASH_KEY=os.environ.get("PARTICIPANT_HASH_KEY") or secrets.token_urlsafe(32),
            ALLOWED_HOSTS="localhost",
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# --- building the files -----------------------------------------------------------------------


def _rows(rows: int, codes: list[str]):
    """(subject, grade, school code, participant, class, variant, task cells, primary, mark, journal)."""
    rng = random.Random(20260415)  # nosec B311 # seeded generator for demo/bench data, not for secrets
    sheets = [(subject, grade) for subject, _ in SUBJECTS for grade in GRADES]
    per_sheet = [rows // len(sheets) + (1 if i < rows % len(sheets) else 0) for i in range(len(sheets))]
    for (subject, grade), count in zip(sheets, per_sheet, strict=True):
        for n in range(count):
            code = codes[n * len(codes) // max(count, 1)]
            skill = rng.random()
            cells = []
            for _, points in TASKS:
                if rng.random() < 0.05:
                    cells.append("X")
                else:
                    cells.append(min(points, int(skill * (points + 1) + rng.random() * 0.8)))
            primary = sum(c for c in cells if c != "X")
            share = primary / MAX_PRIMARY
            mark = 2 if share < 0.3 else 3 if share < 0.55 else 4 if share < 0.8 else 5
            journal = min(5, mark + (1 if rng.random() < 0.2 else 0))
            klass = f"{grade}{'АБВ'[n % 3]}"
            yield subject, grade, code, f"{n + 10000}", klass, str(1 + n % 2), cells, primary, mark, journal


def build_files(rows: int, codes: list[str], xlsx_path: Path, csv_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    header = (
        ["ОО", "Муниципалитет", "Название ОО", "Код участника", "Класс", "Вариант"]
        + [f"{number} ({points}б)" for number, points in TASKS]
        + ["Первичный балл", "Отметка", "Отметка по журналу"]
    )
    abbr = dict(SUBJECTS)
    sheet = None
    current = None
    last_school = None
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(CSV_HEADER)
        for subject, grade, code, participant, klass, variant, cells, primary, mark, journal in _rows(rows, codes):
            if (subject, grade) != current:
                current = (subject, grade)
                last_school = None
                sheet = workbook.create_sheet(f"{abbr[subject]} {grade} Индивидуальные результаты")
                sheet.append([f"ВПР 2026 {subject} {grade} класс"])
                sheet.append(["Предмет:", subject])
                sheet.append(["Максимальный первичный балл:", MAX_PRIMARY])
                sheet.append(["Дата:", "15.04.2026"])
                sheet.append(["Уровень сложности задания", "", "", "", "", ""] + ["Б"] * len(TASKS))
                sheet.append(header)
            if code != last_school:
                last_school = code
                sheet.append([f"МБОУ СОШ ({code})", "Кол-во участников: …"])
            sheet.append([code, "Район", "МБОУ СОШ", participant, klass, variant, *cells, primary, mark, journal])
            tasks = ",".join(str(c) for c in cells)
            writer.writerow(
                [2025, "vpr", SUBJECT_CODES[subject], grade, code, klass, variant, participant, primary,
                 MAX_PRIMARY, mark, journal, tasks]
            )  # fmt: skip
    workbook.save(xlsx_path)


# --- the stages (each in its own process) -----------------------------------------------------


def stage_setup(args) -> None:
    _django(args.bench_url)
    from django.core.management import call_command

    from schools.demo import load_region_seed
    from schools.models import School

    call_command("migrate", verbosity=0)
    load_region_seed(municipalities=40, schools=args.schools)
    codes = sorted(School.objects.filter(municipality__region__code="90").values_list("code", flat=True))[
        : args.schools
    ]
    from schools.models import AcademicYear

    AcademicYear.objects.get_or_create(start_year=2025)  # the file's year (the import would add it)
    if args.populate:
        from bench.identify_bench import generate_results

        started = time.perf_counter()
        generated = generate_results(
            years=POPULATED_YEARS,
            school_ids=list(School.objects.filter(code__in=codes).values_list("pk", flat=True)),
            first_year=2025 - POPULATED_YEARS,
        )
        print(f"populated: {generated['rows']} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    xlsx, csv_file = Path(args.xlsx), Path(args.csv)
    built = 0.0
    if not (xlsx.exists() and csv_file.exists()):
        started = time.perf_counter()
        build_files(args.rows, codes, xlsx, csv_file)
        built = time.perf_counter() - started
    _report(build_s=round(built, 1), xlsx_mb=round(xlsx.stat().st_size / 2**20, 1))


def _calamine_rows(path: Path):
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    return [workbook.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in workbook.sheet_names]


def stage_floor(args) -> None:
    """Parse with calamine, then COPY the rows, streamed, into the real results table; commit.

    The ids are resolved from dicts (one query each), as the import resolves them. The rows
    are deleted after the timing, so the next stage finds the table as it was.
    """
    import psycopg2

    started = time.perf_counter()
    sheets = _calamine_rows(Path(args.xlsx))
    parsed = time.perf_counter()
    tasks = len(TASKS)
    count = 0
    with psycopg2.connect(args.bench_url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT code, id FROM schools_school")
        schools = dict(cursor.fetchall())
        cursor.execute("SELECT code, id FROM monitoring_subject")
        subjects = dict(cursor.fetchall())
        cursor.execute("SELECT id FROM schools_academicyear WHERE start_year = 2025")
        found = cursor.fetchone()
        if found is None:
            cursor.execute("INSERT INTO schools_academicyear (start_year) VALUES (2025) RETURNING id")
            found = cursor.fetchone()
        year_id = found[0]
        codes = dict(SUBJECT_CODES)

        def chunks():
            nonlocal count
            for sheet in sheets:
                subject = subjects[codes[str(sheet[1][1])]]
                grade = int(str(sheet[0][0]).split()[-2])
                lines = []
                for row in sheet[6:]:
                    if row[3] == "":
                        continue  # a group row
                    count += 1
                    scores = ",".join(str(int(c)) if isinstance(c, float) else str(c) for c in row[6 : 6 + tasks])
                    primary, mark, journal = (int(v) for v in row[6 + tasks : 9 + tasks])
                    lines.append(
                        f"{year_id}\tvpr\t{subject}\t{grade}\t{schools[row[0]]}\t{row[3]}\t{row[4]}\t{row[5]}\t"
                        f"{primary}\t{MAX_PRIMARY}\t{mark}\t{journal}\t\\N\t{scores}\t-1\n"
                    )
                    if len(lines) == 100_000:
                        yield "".join(lines)
                        lines = []
                if lines:
                    yield "".join(lines)

        cursor.copy_expert(
            "COPY monitoring_participantresult (year_id, procedure, subject_id, grade, school_id, participant_key, "
            "class_name, variant, primary_score, max_primary_score, mark, journal_mark, test_score, task_scores, "
            "import_job_id) FROM STDIN",
            _Chunks(chunks()),
            size=1 << 20,
        )
        conn.commit()
        seconds = time.perf_counter() - started
        cursor.execute("DELETE FROM monitoring_participantresult WHERE import_job_id = -1")
        conn.commit()
    vacuum = psycopg2.connect(args.bench_url)
    vacuum.autocommit = True
    with vacuum.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE monitoring_participantresult")
    vacuum.close()
    _report(
        seconds=seconds, parse_s=round(parsed - started, 2), copy_s=round(seconds - (parsed - started), 2), rows=count
    )


class _Chunks(io.RawIOBase):
    """A file over an iterator of text chunks for copy_expert, made as the server asks for more."""

    def __init__(self, chunks):
        self.chunks = chunks
        self.buffer = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while len(self.buffer) < max(size, 1):
            try:
                self.buffer += next(self.chunks).encode()
            except StopIteration:
                break
        out, self.buffer = self.buffer[:size], self.buffer[size:]
        return out


def stage_ours(args) -> None:
    _django(args.bench_url)  # the default upload limit: the bench never raises it
    from monitoring import imports
    from monitoring.imports import pipeline
    from monitoring.models import ImportJob

    # Where the time goes, measured by wrapping the pipeline's stages (the code is not changed).
    spent: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*a, **kw):
            begun = time.perf_counter()
            try:
                return function(*a, **kw)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - begun

        return wrapper

    pipeline.read_tables = timed("read", pipeline.read_tables)
    pipeline.parse_sheets = timed("parse", pipeline.parse_sheets)
    pipeline.resolve_schools = timed("validate", pipeline.resolve_schools)
    pipeline.check_duplicates = timed("validate", pipeline.check_duplicates)
    pipeline.write_results = timed("write", pipeline.write_results)
    pipeline.results_load = timed("load", pipeline.results_load)

    path = Path(args.xlsx)
    started = time.perf_counter()
    with path.open("rb") as handle:
        job = imports.results_import_create(user=None, uploaded_file=handle, original_name=path.name, queue=False)
    job = imports.results_import_run(job_id=job.pk) or ImportJob.objects.get(pk=job.pk)
    seconds = time.perf_counter() - started
    if job.status != ImportJob.Status.DONE:
        raise SystemExit(f"our import failed: {job.errors[:3]}")
    _report(
        seconds=seconds,
        rows=job.rows_created,
        replaced=job.rows_replaced,
        unchanged=job.slices_unchanged,
        **{f"{name}_s": round(value, 2) for name, value in spent.items()},
        # What results_load spends outside parse, validation and the write: mostly the commit,
        # where PostgreSQL runs the deferred foreign-key checks of every inserted row.
        commit_s=round(spent["load"] - spent["parse"] - spent["validate"] - spent["write"], 2),
    )


def stage_import_export(args) -> None:
    _django(args.bench_url, debug=False)
    import tablib
    from import_export import fields, resources, widgets

    from monitoring.models import ImportJob, ParticipantResult, Subject
    from schools.models import AcademicYear, School

    job = ImportJob.objects.create(original_name="django-import-export", sha256="-", status=ImportJob.Status.DONE)

    class CachedForeignKeyWidget(widgets.ForeignKeyWidget):
        """The documented advice for large imports: look the related objects up once, not per row."""

        def __init__(self, model, field):
            super().__init__(model, field)
            self.cache = None

        def clean(self, value, row=None, **kwargs):
            if self.cache is None:
                self.cache = {str(getattr(obj, self.field)): obj for obj in self.model.objects.all()}
            return self.cache.get(str(value)) if value not in (None, "") else None

    class ResultResource(resources.ModelResource):
        year = fields.Field("year", "Учебный год", CachedForeignKeyWidget(AcademicYear, "start_year"))
        procedure = fields.Field("procedure", "Процедура")
        subject = fields.Field("subject", "Код предмета", CachedForeignKeyWidget(Subject, "code"))
        grade = fields.Field("grade", "Класс", widgets.IntegerWidget())
        school = fields.Field("school", "Код ОО", CachedForeignKeyWidget(School, "code"))
        class_name = fields.Field("class_name", "Класс (буква)")
        variant = fields.Field("variant", "Вариант")
        participant_key = fields.Field("participant_key", "Код участника")
        primary_score = fields.Field("primary_score", "Первичный балл", widgets.IntegerWidget())
        max_primary_score = fields.Field("max_primary_score", "Максимальный первичный балл", widgets.IntegerWidget())
        mark = fields.Field("mark", "Отметка", widgets.IntegerWidget())
        journal_mark = fields.Field("journal_mark", "Отметка по журналу", widgets.IntegerWidget())
        task_scores = fields.Field("task_scores", "Баллы за задания")

        class Meta:
            model = ParticipantResult
            import_id_fields = ()
            # django-import-export's documented settings for speed ("Bulk imports", "Performance").
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True
            clean_model_instances = False
            skip_unchanged = False
            report_skipped = False

        def init_instance(self, row=None):
            instance = super().init_instance(row)
            instance.import_job = job
            return instance

    with open(args.csv, encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(args.ie_rows + 1)]
    dataset = tablib.Dataset().load("".join(lines), format="csv", delimiter=";")
    AcademicYear.objects.get_or_create(start_year=2025)
    started = time.perf_counter()
    result = ResultResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - started
    rows = ParticipantResult.objects.filter(import_job=job).count()
    _report(seconds=seconds, rows=rows, totals_new=result.totals["new"])


STAGES = {
    "setup": stage_setup,
    "floor": stage_floor,
    "ours": stage_ours,
    "ie": stage_import_export,
}


# --- the driver ---------------------------------------------------------------------------------


def _server_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def _run(stage: str, args, extra: list[str]) -> dict:
    command = [sys.executable, __file__, "--stage", stage, "--rows", str(args.rows), *extra]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # nosec B603 # fixed argv from sys.executable and our own paths, no shell, no user input
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"stage {stage} failed")
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=700_000)
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--ie-rows", type=int, default=None, help="rows for django-import-export (≤ 100,000)")
    parser.add_argument("--keep-db", action="store_true", help=f"do not drop the {BENCH_DB} database")
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--bench-url", help=argparse.SUPPRESS)
    parser.add_argument("--xlsx", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--populate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ie_rows is None:
        args.ie_rows = min(args.rows, 100_000)
    if args.stage:
        STAGES[args.stage](args)
        return

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "import_bench needs PostgreSQL: set DATABASE_URL=postgres://user@host:port/any "
            f"(the bench creates and drops its own database «{BENCH_DB}» on that server)."
        )
    import psycopg2

    admin = psycopg2.connect(_server_url(url, "postgres"))
    admin.autocommit = True
    populated_db = f"{BENCH_DB}_populated"
    with admin.cursor() as cursor:
        for name in (BENCH_DB, populated_db):
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    os.environ.setdefault("VAR_DIR", str(ROOT / "var"))
    cache = Path(os.environ["VAR_DIR"]) / "bench"
    cache.mkdir(parents=True, exist_ok=True)

    def files(database: str) -> list[str]:
        return [
            "--bench-url", _server_url(url, database),
            "--xlsx", str(cache / f"vpr_f1_{args.rows}.xlsx"),
            "--csv", str(cache / f"results_{args.rows}.csv"),
            "--schools", str(args.schools), "--ie-rows", str(args.ie_rows),
        ]  # fmt: skip

    limit_mb = 50.0  # settings.UPLOAD_MAX_BYTES's default, in MiB
    try:
        setup = _run("setup", args, files(BENCH_DB))
        print(f"files: xlsx {setup['xlsx_mb']} MB (built in {setup['build_s']} s; 0 — cached)", flush=True)
        if setup["xlsx_mb"] > limit_mb:
            raise SystemExit(
                f"the file ({setup['xlsx_mb']} MB) is over the default upload limit ({limit_mb:g} MB): "
                "take fewer --rows (the bench does not raise the limit)"
            )
        figures = {}
        for label, database in (("empty", BENCH_DB), ("populated", populated_db)):
            if label == "populated":
                started = time.perf_counter()
                _run("setup", args, [*files(database), "--populate"])
                print(f"populated database built in {time.perf_counter() - started:.0f} s", flush=True)
            floor = _run("floor", args, files(database))
            print(
                f"(a) floor, {label:9}  {floor['seconds']:8.2f} s (parse {floor['parse_s']:.2f} + streamed COPY "
                f"{floor['copy_s']:.2f})   peak {floor['peak_rss_mb']} MB   rows {floor['rows']}",
                flush=True,
            )
            ours = _run("ours", args, files(database))
            print(
                f"(b) ours, {label:9}   {ours['seconds']:8.2f} s   peak {ours['peak_rss_mb']} MB   rows {ours['rows']} "
                f"({ours['rows'] / ours['seconds']:.0f} rows/s)   ratio {ours['seconds'] / floor['seconds']:.2f}",
                flush=True,
            )
            parts = ("read", "parse", "validate", "write", "commit")
            print("    of which: " + ", ".join(f"{name} {ours[f'{name}_s']:.2f} s" for name in parts), flush=True)
            figures[label] = (floor, ours)
        ie = _run("ie", args, files(BENCH_DB))
        print(
            f"(c) django-import-export (bulk, cached keys, no diff, DEBUG off) {ie['seconds']:6.2f} s   "
            f"peak {ie['peak_rss_mb']} MB   rows {ie['rows']} ({ie['rows'] / ie['seconds']:.0f} rows/s)",
            flush=True,
        )
    finally:
        if not args.keep_db:
            with admin.cursor() as cursor:
                for name in (BENCH_DB, populated_db):
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    (floor, ours), (floor_p, ours_p) = figures["empty"], figures["populated"]
    ratio_ie = (ours["rows"] / ours["seconds"]) / (ie["rows"] / ie["seconds"])
    if ratio_ie < 20:
        print(f"NOT MET: ours is {ratio_ie:.1f}× django-import-export's best configuration, the target is 20×")
    print(
        f"import_bench rows={ours['rows']} ours_s={ours['seconds']:.2f} floor_s={floor['seconds']:.2f} "
        f"ratio_floor={ours['seconds'] / floor['seconds']:.2f} ours_populated_s={ours_p['seconds']:.2f} "
        f"floor_populated_s={floor_p['seconds']:.2f} "
        f"ratio_floor_populated={ours_p['seconds'] / floor_p['seconds']:.2f} "
        f"ratio_import_export={ratio_ie:.1f} ie_rows_per_s={ie['rows'] / ie['seconds']:.0f} "
        f"xlsx_mb={setup['xlsx_mb']} peak_rss_mb={ours['peak_rss_mb']}"
    )


if __name__ == "__main__":
    main()
