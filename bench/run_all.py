"""Run every benchmark and print one table: figure, target, measured, pass (issue #10).

    .venv/bin/python bench/run_all.py [--quick] [--only NAME ...]

Each benchmark script prints its figures on its last line as ``name key=value …``; this runner
runs it, reads that line, and checks the figures that have a target. Earlier lines of the same
form add figures named ``first-word.key`` (``logins n=9 p95_ms=…`` gives ``logins.p95_ms``),
so a script can report several groups; a target's key may hold ``*`` (``pages.*.ms``), which
adds one table row per matching figure. To add a line to the table: a ``Bench`` below (its
script, arguments, targets and shown figures) — nothing else. Benchmarks that need
PostgreSQL get ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/postgres``, each
script makes its own database); ``--quick`` runs smaller sizes for a smoke check (CI), where
the targets are reported but not meaningful. The exit code is 1 when a script fails, never
because a figure misses its target: timings are for people to read, not for CI to gate on.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import subprocess  # nosec B404 # the bench runs its own fixed commands
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Target:
    key: str
    op: str  # "<=" or ">=" or "=="
    value: float
    label: str

    def holds(self, measured: float) -> bool:
        if self.op == "<=":
            return measured <= self.value
        if self.op == ">=":
            return measured >= self.value
        return measured == self.value


@dataclass(frozen=True)
class Bench:
    name: str
    script: str
    args: tuple[str, ...]
    quick_args: tuple[str, ...]
    targets: tuple[Target, ...] = ()
    postgres: bool = False
    shown: tuple[str, ...] = field(default=())  # figures without a target, shown for information


BENCHES = (
    Bench(
        "registry_import",
        "registry_import_bench.py",
        ("--schools", "2000"),
        ("--schools", "200"),
        shown=("import_s", "rows_per_s", "peak_rss_mb"),
    ),
    Bench(
        "name_resolution",
        "name_resolution_bench.py",
        ("--schools", "2000"),
        ("--schools", "200", "--municipalities", "10", "--repeat", "1"),
        (Target("resolve_pct", "<=", 10, "сопоставление названий школ / импорт отчёта ЕГЭ с кодами, %"),),
        shown=("codes_s", "names_s", "resolve_s", "overhead_pct"),
    ),
    Bench(
        "import_bench",
        "import_bench.py",
        ("--rows", "700000"),
        ("--rows", "20000", "--schools", "200"),
        (
            Target("ratio_floor", "<=", 1.5, "импорт / нижняя граница, пустая база"),
            Target("ratio_floor_populated", "<=", 1.5, "импорт / нижняя граница, заполненная база"),
            Target("ratio_import_export", ">=", 20, "быстрее django-import-export (лучшая настройка), раз"),
            Target("peak_rss_mb", "<=", 1024, "пик памяти, МБ"),
        ),
        postgres=True,
        shown=("ours_s", "floor_s", "ours_populated_s", "floor_populated_s", "ie_rows_per_s", "xlsx_mb"),
    ),
    Bench(
        "identify_bench",
        "identify_bench.py",
        ("--schools", "2000", "--years", "5"),
        ("--schools", "100", "--years", "2"),
        (
            Target("ratio_floor", "<=", 1.5, "пересчёт / лучший ручной SQL (GROUP BY + запись)"),
            Target("ratio_floor_populated", "<=", 1.5, "пересчёт / нижняя граница, заполненная база"),
            Target("run_s", "<=", 5, "выявление по всем школам, с"),
            Target("region_run_s", "<=", 5, "региональное выявление (все школы региона), с"),
        ),
        postgres=True,
        shown=(
            "rows",
            "recompute_s",
            "floor_s",
            "scan_s",
            "recompute_populated_s",
            "floor_populated_s",
            "page_queries",
        ),
    ),
    Bench(
        "task_figures_bench",
        "task_figures_bench.py",
        # The size: 2,000 schools × 5 years × 20 tasks (≈ 5 M result rows), generated
        # set-based in SQL; each side measured once at that size (bench/task_figures_bench.py).
        ("--schools", "2000", "--years", "5", "--tasks", "20"),
        ("--schools", "100", "--years", "2", "--tasks", "20"),
        (
            Target("ratio_floor", "<=", 1.5, "задания и отметки / один SQL"),
            Target("page_ms", "<=", 300, "страница анализа школы, мс"),
        ),
        postgres=True,
        shown=("figures_s", "page_queries"),
    ),
    Bench(
        "report_bench",
        "report_bench.py",
        # --fresh: the quick and the full run share the database «report_bench»; a kept one of
        # another size would be grown on, not rebuilt (the same for pages and load_20 below).
        ("--fresh",),
        ("--quick", "--fresh"),
        (
            Target("passport_s", "<=", 2, "паспорт школы, с"),
            Target("identification_report_s", "<=", 60, "отчёт о выявлении, с"),
            Target("peak_rss_mb", "<=", 1024, "пик памяти, МБ"),
        ),
        postgres=True,
        shown=("proposed_share_pct",),
    ),
    Bench(
        "pages",
        "pages_bench.py",
        ("--schools", "2000", "--fresh"),
        ("--schools", "200", "--repeat", "2", "--fresh"),
        (
            Target("page_*.ms_large", "<=", 300, "{key}: время страницы, мс"),
            Target("over_300ms", "==", 0, "страниц дольше 300 мс"),
        ),
        postgres=True,
        shown=("page_*.queries_small", "page_*.queries_large", "page_*.ms_small", "large"),
    ),
    Bench(
        "load_20",
        "load.py",
        ("--users", "20", "--seconds", "60", "--results", "--fresh"),
        ("--users", "10", "--seconds", "15", "--municipalities", "5", "--schools", "200", "--results", "--fresh"),
        (
            Target("p95_ms", "<=", 150, "p95 страниц при 20 пользователях, мс"),
            Target("errors", "==", 0, "ошибок"),
            Target("burst.pages_p95_ms", "<=", 300, "p95 страниц во время пачки входов, мс"),
        ),
        postgres=True,
        shown=("p50_ms", "p99_ms", "logins.p95_ms", "burst.login_p95_ms"),
    ),
    Bench(
        "load_50",
        "load.py",
        # --results: the run page is in the journeys only with it (the data are load_20's, reused).
        ("--users", "50", "--seconds", "60", "--skip-prepare", "--results"),
        ("--users", "20", "--seconds", "10", "--skip-prepare"),
        (Target("errors", "==", 0, "ошибок при 50 пользователях"),),
        postgres=True,
        shown=("p50_ms", "p95_ms"),
    ),
)


def _line_figures(line: str, prefix: str = "") -> dict[str, float]:
    figures = {}
    for word in line.split():
        key, _, value = word.partition("=")
        try:
            figures[prefix + key] = float(value)
        except ValueError:
            continue
    return figures


def last_line_figures(output: str) -> tuple[str, dict[str, float]]:
    """The last figures line, and the figures of every such line (earlier ones prefixed)."""
    lines = [line for line in output.strip().splitlines() if re.match(r"^[\w.-]+(?: |:)", line) and "=" in line]
    if not lines:
        return "", {}
    figures: dict[str, float] = {}
    for line in lines[:-1]:
        figures.update(_line_figures(line, prefix=line.split()[0].rstrip(":") + "."))
    figures.update(_line_figures(lines[-1]))
    return lines[-1], figures


def _matching(key: str, figures: dict[str, float]) -> list[str]:
    if "*" not in key:
        return [key]
    return sorted(name for name in figures if fnmatch.fnmatchcase(name, key))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke check, not a measurement")
    parser.add_argument("--only", nargs="*", help="names of benchmarks to run")
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")

    rows: list[tuple[str, str, str, str, str]] = []
    durations: list[tuple[str, float]] = []  # make bench must stay within 30 minutes (issue #20)
    run_started = time.perf_counter()
    failed = False
    for bench in BENCHES:
        if args.only and bench.name not in args.only:
            continue
        script = ROOT / "bench" / bench.script
        if not script.exists():
            rows.append((bench.name, "—", "—", "нет скрипта", "—"))
            continue
        bench_env = env if bench.postgres else {k: v for k, v in env.items() if k != "DATABASE_URL"}
        started = time.perf_counter()
        print(f"… {bench.name}", file=sys.stderr, flush=True)
        result = subprocess.run(  # nosec B603 # fixed argv from sys.executable and our own paths, no shell, no user input
            [sys.executable, str(script), *(bench.quick_args if args.quick else bench.args)],
            cwd=ROOT,
            env=bench_env,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        line, figures = last_line_figures(result.stdout)
        if result.returncode != 0 or not figures:
            failed = True
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            rows.append((bench.name, "—", "—", f"ошибка (код {result.returncode})", "—"))
            print(f"{bench.name} failed after {elapsed:.0f} s:\n  " + "\n  ".join(tail), file=sys.stderr)
            continue
        print(f"  {line}  ({elapsed:.0f} s)", file=sys.stderr)
        durations.append((bench.name, elapsed))
        for target in bench.targets:
            for key in _matching(target.key, figures) or [target.key]:
                label = target.label.format(key=key)
                measured = figures.get(key)
                if measured is None:
                    rows.append((bench.name, label, f"{target.op} {target.value:g}", "нет в выводе", "—"))
                    continue
                verdict = "да" if target.holds(measured) else "НЕТ"
                rows.append((bench.name, label, f"{target.op} {target.value:g}", f"{measured:g}", verdict))
        for pattern in bench.shown:
            for key in _matching(pattern, figures):
                if key in figures:
                    rows.append((bench.name, key, "—", f"{figures[key]:g}", "—"))

    header = ("замер", "показатель", "цель", "измерено", "в цели")
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(5)]
    print()
    for row in (header, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    total = time.perf_counter() - run_started
    print(f"всего {total / 60:.1f} мин: " + ", ".join(f"{name} {seconds:.0f} с" for name, seconds in durations))
    if args.quick:
        print("(--quick: малые объёмы, цифры не сравнимы с целями)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
