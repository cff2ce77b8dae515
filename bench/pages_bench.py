"""Benchmark: server time and SQL queries of every department page at 35 and at 2,000 schools (issue #20).

    .venv/bin/python bench/pages_bench.py --schools 2000

Creates (or reuses, ``--fresh`` rebuilds) its own PostgreSQL database (``--db``, default
``opora_pages``) on ``BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``), migrates it,
seeds the demo district (35 schools; its department «uo») and one load municipality of
``--schools`` schools with its department «load-uo», three years of realistic results for it
(``bench/identify_bench.generate_results``), the indicators, the objectivity signals and risk
levels of the current year, and an approved identification run (``bench/load.py``'s seed).

Each page is requested through Django's test client with production settings (DEBUG=0), as the
department of the small and of the large municipality: once to warm up, once counting queries,
then ``--repeat`` times timed; the median is the page's server time (no network, no static
files). One line per page, then the summary line:

    page_<name>: ms_small=… queries_small=… ms_large=… queries_large=… kb_large=…
    pages_bench small=35 large=2000 pages=… slowest_ms=… over_300ms=…

(small — the demo district's 35 schools; large — the load municipality's ``--schools``).

Target (issue #20): every page ≤ 300 ms at region scale; its query count the same at both sizes.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULT_YEARS = 3


def _database(server: str, name: str, *, fresh: bool) -> str:
    import psycopg2

    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return f"{server}/{name}"


def prepare(schools: int) -> None:
    """Seed once: a kept database with the load region already there is reused as it is."""
    from django.core.management import call_command

    from schools.models import School

    call_command("migrate", verbosity=0)
    # Production settings read static files through the manifest, as gunicorn does.
    call_command("collectstatic", "--noinput", verbosity=0)
    if School.objects.filter(municipality__region__code="90").count() >= schools:
        return
    started = time.perf_counter()
    call_command("seed_demo", "--i-know-this-is-demo", "--municipalities", "1", "--schools", str(schools), verbosity=0)
    from bench import load

    load.RESULT_YEARS = RESULT_YEARS
    load.region_personas_seed(results=True)
    _risks_seed()
    print(f"prepared in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


def _risks_seed() -> None:
    from risks.services import risks_recompute
    from schools.models import AcademicYear, School

    year = AcademicYear.objects.order_by("-start_year").first()
    current = next((y for y in AcademicYear.objects.all() if getattr(y, "is_current", False)), None) or year
    region_schools = list(School.objects.filter(municipality__region__code="90").values_list("pk", flat=True))
    risks_recompute(year=current, school_ids=region_schools)


def pages(user) -> list[tuple[str, str]]:
    """(name, path) of the department's pages, resolved for this user's municipality."""
    from django.urls import NoReverseMatch, reverse

    from identification.models import IdentificationRun

    school = user.municipality.schools.order_by("code")[len(user.municipality.schools.all()) // 3]
    run = (
        IdentificationRun.objects.filter(municipality=user.municipality, status="done")
        .order_by("-schools_count", "-pk")
        .first()
    )
    wanted = [
        ("home", "core:home", []),
        ("schools", "schools:list", []),
        ("school", "schools:detail", [school.pk]),
        ("imports", "monitoring:import_list", []),
        ("identification", "identification:dashboard", []),
        ("run", "identification:run_detail", [run.pk] if run else None),
        ("school_monitoring", "identification:school", [school.pk]),
        ("signals", "risks:signals", []),
        ("risk_overview", "risks:overview", []),
        ("roadmaps", "roadmaps:list", []),
        ("periods", "roadmaps:period_list", []),
        ("supported", "partnerships:supported_list", []),
        ("agreements", "partnerships:agreement_list", []),
        ("teachers", "teachers:index", []),
        ("audit", "core:audit_log", []),
        # The registry XLSX is no page any more: the registry's button orders a report job
        # (reports:registry_export) and the report's page shows its progress (issue #20).
    ]
    found = []
    for name, url_name, args in wanted:
        if args is None:
            continue
        try:
            found.append((name, reverse(url_name, args=args)))
        except NoReverseMatch:
            continue
    return found


def measure(client, path: str, repeat: int) -> tuple[float, int, int]:
    """(median ms, queries, response KiB) of one page."""
    from django.db import connection

    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: {response.status_code}")
    # Counted by an execute wrapper: the debug cursor is off with DEBUG=0.
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(path)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, len(queries), len(response.content) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default=os.environ.get("PAGES_BENCH_DB", "opora_pages"))
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    args = parser.parse_args()

    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    os.environ.update(
        DATABASE_URL=_database(server, args.db, fresh=args.fresh),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        PARTICIPANT_HASH_KEY=os.environ.get("PARTICIPANT_HASH_KEY") or secrets.token_urlsafe(32),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        CELERY_TASK_ALWAYS_EAGER="1",
        LOG_LEVEL="ERROR",
    )
    os.environ.pop("REDIS_URL", None)
    var_dir = ROOT / "var" / f"pages-{args.db}"
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.test import Client

    from accounts.models import User

    prepare(args.schools)
    small_user = User.objects.get(username="uo")
    large_user = User.objects.get(username="load-uo")
    small_n = small_user.municipality.schools.count()
    large_n = large_user.municipality.schools.count()
    clients = {}
    for key, user in (("small", small_user), ("large", large_user)):
        clients[key] = Client()
        clients[key].force_login(user)
    small_pages = dict(pages(small_user))
    slowest, over = 0.0, 0
    names = []
    for name, large_path in pages(large_user):
        if name not in small_pages:
            continue
        small_ms, small_q, _ = measure(clients["small"], small_pages[name], args.repeat)
        large_ms, large_q, large_kb = measure(clients["large"], large_path, args.repeat)
        slowest = max(slowest, large_ms)
        over += large_ms > 300
        names.append(name)
        print(
            f"page_{name}: ms_small={small_ms:.0f} queries_small={small_q} ms_large={large_ms:.0f} "
            f"queries_large={large_q} kb_large={large_kb}",
            flush=True,
        )
    print(f"pages_bench small={small_n} large={large_n} pages={len(names)} slowest_ms={slowest:.0f} over_300ms={over}")


if __name__ == "__main__":
    main()
