"""Load test: virtual users against gunicorn and PostgreSQL with the region-scale seed (issues #10, #20).

    .venv/bin/python bench/load.py --users 20 --seconds 60 --results

Loopback only. The script:

1. creates (or reuses) its own PostgreSQL database (``--db``, default ``opora_load``) on
   ``LOAD_PG`` (default ``postgres://postgres@127.0.0.1:5432``), migrates it and runs
   ``seed_demo`` with the demo district and the load region (``--schools`` schools in
   ``--municipalities`` municipalities, region code 90, shaped as a real region with
   ``seed_demo --uneven``: the first municipality a city with 28 % of the schools, the others
   rural districts of uneven size — 56 to 251 schools at 2,000 in 10); then the load region's
   own logins (``region_personas_seed``): the department of the city, the region, the
   methodological centre, the directors of three schools and a curator of eight; with
   ``--results`` also five years of generated results for every school of the load region
   (``bench/identify_bench.generate_results``: realistic slice sizes, missing years), their
   indicators, an identification run of the department's municipality and its approval;
2. collects static files and starts gunicorn with the production configuration
   (``config/gunicorn.py``: worker class and count per core, see the README) and production
   settings (DEBUG=0, plain HTTP on 127.0.0.1, secure cookies off because there is no TLS);
3. logs every virtual user in, ramped over ``--ramp`` seconds *before* the clock starts, and
   reports the login cost on its own line (``logins n=… p50_ms=… p95_ms=…``);
4. runs ``--users`` virtual users for ``--seconds``: each walks its persona's journey over and
   over, one request at a time, keeping its session, pausing between pages as a person reads
   them (``--think``, 1–3 s by default; ``--think 0`` is a stress test); halfway through,
   ``--burst`` fresh logins arrive at once (people coming to work), and the pages' p95 while
   they are served is printed (``burst logins=… pages_p95_ms=…``): logins must not stall pages;
5. prints one line per persona, then the latency figures; the last line is

    load users=N p50_ms=… p95_ms=… p99_ms=… errors=…

Persona lines have the form ``persona <name>: user=<login> scope=<municipality|region|school>
schools=<N>`` (N — the schools that login sees); the anonymous persona has no login and sees
only the region's public site, so it prints the same form with the placeholder login
``anonymous``: ``persona public: user=anonymous scope=region schools=<N>`` (N — the schools named
on its published roadmaps and practices, all it can see). Only pages count towards the percentiles;
logins are reported apart. An error is a transport failure or any status other than the step
expects. Targets: p95 ≤ 150 ms at 20 users, no errors at 50.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import statistics
import subprocess  # nosec B404 # the bench runs its own fixed commands
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASSWORD = "opora-demo-2026"  # schools.demo.DEMO_PASSWORD; the demo logins are public by design  # nosec B105 # the public demo password
LOAD_REGION_CODE = "90"  # schools.demo.LOAD_REGION_CODE
RESULT_YEARS = 5


# --- Database and server -----------------------------------------------------------------------


def ensure_database(server: str, name: str, *, fresh: bool) -> str:
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return f"{server}/{name}"


def server_env(database_url: str, var_dir: Path) -> dict[str, str]:
    return {
        **{key: value for key, value in os.environ.items() if key not in {"DEBUG", "REDIS_URL"}},
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("LOAD_SECRET_KEY") or secrets.token_urlsafe(50),
        "PARTICIPANT_HASH_KEY": os.environ.get("PARTICIPANT_HASH_KEY") or secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var_dir),
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        # Only failed logins count towards a lockout; many users share a login here.
        "AXES_FAILURE_LIMIT": "1000",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # nosec B603 # fixed argv from sys.executable and our own paths, no shell, no user input


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(
        {
            key: env[key]
            for key in ("DATABASE_URL", "VAR_DIR", "SECRET_KEY", "PARTICIPANT_HASH_KEY", "DEBUG", "ALLOWED_HOSTS")
        }
    )
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(env: dict[str, str], *, schools: int, municipalities: int) -> None:
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(
        env,
        "seed_demo",
        "--i-know-this-is-demo",
        "--municipalities",
        str(municipalities),
        "--schools",
        str(schools),
        "--uneven",
    )
    manage(env, "collectstatic", "--noinput", "-v", "0")
    print(f"prepared in {time.perf_counter() - started:.1f} s", file=sys.stderr)


# --- The load region's logins and data ---------------------------------------------------------------


@dataclass
class World:
    municipality_id: int
    school_ids: list[int]  # the department's municipality
    director_schools: list[int]
    curated: list[int]
    run_id: int | None


def region_personas_seed(*, results: bool) -> World:
    """The load region's logins (created once) and, with ``results``, its results and a run.

    The department, methodological centre and curator belong to the load region's first
    municipality (the city of the uneven region); the region login sees all of its
    municipalities; three directors lead the first, the middle and the last school of the city.
    """
    from django.db import transaction

    from accounts.models import Role, User
    from schools.models import Municipality, Region

    region = Region.objects.get(code=LOAD_REGION_CODE)
    municipality = Municipality.objects.filter(region=region).order_by("oktmo").first()
    school_ids = list(municipality.schools.order_by("code").values_list("pk", flat=True))
    director_schools = [school_ids[0], school_ids[len(school_ids) // 2], school_ids[-1]]
    curated = school_ids[1 : 1 + 8]
    with transaction.atomic():
        specs = [
            ("load-uo", Role.DEPARTMENT, {"municipality": municipality}),
            ("load-region", Role.REGION, {"region": region}),
            ("load-imc", Role.METHODOLOGIST, {"municipality": municipality}),
            ("load-curator", Role.CURATOR, {"municipality": municipality}),
        ] + [(f"load-director-{n}", Role.DIRECTOR, {"school_id": pk}) for n, pk in enumerate(director_schools, 1)]
        for username, role, scope in specs:
            if User.objects.filter(username=username).exists():
                continue
            user = User(username=username, role=role, last_name="Нагрузочный", first_name=username, **scope)
            user.set_password(PASSWORD)
            user.save()
            if role == Role.CURATOR:
                user.curated_schools.set(curated)
    run_id = _results_seed(region=region, municipality=municipality) if results else None
    return World(municipality.pk, school_ids, director_schools, curated, run_id)


def _results_seed(*, region, municipality) -> int | None:
    """Five years of results for the load region (once), their indicators, a run and its approval."""
    from bench.identify_bench import generate_results
    from identification import services as identification
    from identification.indicators import indicators_recompute
    from identification.models import IdentificationRun, MethodologyVersion, TaskStatus
    from monitoring.models import ParticipantResult
    from schools.models import AcademicYear, School

    started = time.perf_counter()
    region_schools = list(School.objects.filter(municipality__region=region).values_list("pk", flat=True))
    current = AcademicYear.current() or AcademicYear.objects.order_by("-start_year")[0]
    if not ParticipantResult.objects.filter(school_id=region_schools[0]).exists():
        generated = generate_results(
            years=RESULT_YEARS, school_ids=region_schools, first_year=current.start_year - RESULT_YEARS + 1
        )
        indicators_recompute(school_ids=region_schools)
        # The support's effect is stored with the recompute, as the recompute job does.
        identification.support_effects_recompute(school_ids=region_schools)
        # The risk overview and signals pages show the region's levels and signals, as after an import.
        from risks.services import risks_recompute

        risks_recompute(year=current, school_ids=region_schools)
        print(f"results: {generated['rows']} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    version = MethodologyVersion.objects.filter(methodology__kind="low_results", methodology__region=None).first()
    run = IdentificationRun.objects.filter(municipality=municipality, status=TaskStatus.DONE).first()
    if run is None and version is not None:
        run = IdentificationRun.objects.create(version=version, year=current, municipality=municipality)
        identification.identification_run_execute(run_id=run.pk)
        run.refresh_from_db()
        _approve(run)
    return run.pk if run else None


def _approve(run) -> None:
    """The department's approval of the run, so that supported schools exist (skipped with a
    note when the approval service has another shape than this bench knows)."""
    import datetime
    import inspect

    from accounts.models import User
    from identification import services as identification

    approve = getattr(identification, "run_approve", None)
    if approve is None or "school_ids" not in inspect.signature(approve).parameters:
        print("approval: run_approve changed shape, no statuses approved", file=sys.stderr)
        return
    proposed = list(run.results.filter(proposed=True).values_list("school_id", flat=True))
    approve(
        run=run,
        school_ids=proposed,
        decision_number="нагрузка-1",
        decision_date=datetime.date.today(),
        user=User.objects.get(username="load-uo"),
    )


# --- Journeys ------------------------------------------------------------------------------------


@dataclass
class Step:
    path: str
    expect: int = 200


@dataclass
class Persona:
    name: str
    username: str | None
    steps: list[Step] = field(default_factory=list)
    scope: str = "region"
    schools: int = 0


def _first_pk(app: str, model: str, **filters) -> int | None:
    from django.apps import apps

    try:
        manager = apps.get_model(app, model).objects
    except LookupError:
        return None
    try:
        return manager.filter(**filters).order_by("pk").values_list("pk", flat=True).first()
    except Exception:  # a filter field the model does not have: take any
        return manager.order_by("pk").values_list("pk", flat=True).first()


def journeys(world: World) -> list[Persona]:
    """Each persona's pages in the load region (URL names that do not exist yet are skipped)."""
    from django.urls import NoReverseMatch, reverse

    from accounts.models import User
    from schools.scopes import schools_for

    def url(name: str, *args, query: dict | None = None) -> Step | None:
        try:
            path = reverse(name, args=args)
        except NoReverseMatch:
            return None
        return Step(path + (f"?{urlencode(query)}" if query else ""))

    school_id = world.school_ids[len(world.school_ids) // 3]
    run_id = world.run_id
    event_id = _first_pk("events", "Event", status="published")
    # The centre's staff pages show its own municipality's events only.
    staff_event_id = _first_pk("events", "Event", status="published", municipality_id=world.municipality_id)

    department: list[Step | None] = [
        url("core:home"),
        url("schools:list"),
        url("schools:list", query={"q": "школа", "settlement": "rural"}),
        url("schools:detail", school_id),
        url("monitoring:import_list"),
        url("identification:dashboard"),
        url("identification:run_detail", run_id) if run_id else None,
        url("identification:school", school_id),
        url("risks:signals"),
        url("risks:overview"),
        url("roadmaps:list"),
        url("roadmaps:period_list"),
        url("partnerships:supported_list"),
        url("partnerships:agreement_list"),
        url("teachers:index"),
        url("core:audit_log"),
    ]
    region: list[Step | None] = [
        url("core:home"),
        url("schools:list"),
        url("schools:list", query={"settlement": "rural"}),
        url("schools:detail", school_id),
        url("identification:dashboard"),
        url("identification:run_detail", run_id) if run_id else None,
        url("identification:school", school_id),
        url("risks:overview"),
        url("partnerships:agreement_list"),
        url("roadmaps:list"),
    ]
    methodologist: list[Step | None] = [
        url("core:home"),
        url("events:staff_home"),
        url("events:staff_event", staff_event_id) if staff_event_id else None,
        url("events:staff_programmes"),
        url("schools:list"),
        url("teachers:index"),
        url("teachers:mentoring"),
    ]
    curated = world.curated[0]
    curator: list[Step | None] = [
        url("core:home"),
        url("schools:list"),
        url("schools:detail", curated),
        url("identification:school", curated),
        url("roadmaps:list"),
    ]
    public: list[Step | None] = [
        Step("/"),
        url("events:list"),
        url("events:calendar"),
        url("events:detail", event_id) if event_id else None,
        url("events:archive"),
        url("events:practice_list"),
        url("events:programme_list"),
        url("roadmaps:public_index"),
    ]

    def director(pk: int) -> list[Step | None]:
        return [
            url("core:home"),
            url("schools:detail", pk),
            url("identification:school", pk),
            url("risks:school", pk),
            url("roadmaps:list"),
            url("teachers:school", pk),
            url("partnerships:agreement_list"),
        ]

    personas = [
        Persona("department", "load-uo", department),
        Persona("region", "load-region", region),
        Persona("methodologist", "load-imc", methodologist),
        Persona("curator", "load-curator", curator),
        *(
            Persona(f"director-{n}", f"load-director-{n}", director(pk))
            for n, pk in enumerate(world.director_schools, 1)
        ),
        Persona("public", None, public),
    ]
    scopes = {
        "department": "municipality",
        "methodologist": "municipality",
        "region": "region",
        "curator": "school",
    }
    for persona in personas:
        persona.steps = [s for s in persona.steps if s]
        if persona.username:
            user = User.objects.get(username=persona.username)
            persona.schools = schools_for(user).count()
            persona.scope = scopes.get(persona.name, "school")
        else:
            persona.scope = "region"  # the region's public site: the line keeps the form
            persona.schools = _public_schools()
    return personas


def _public_schools() -> int:
    """The schools the anonymous persona can see: those named on the public site's published
    roadmaps and practices (it has no registry or school pages)."""
    from events.selectors import public_practices
    from roadmaps.selectors import public_roadmaps

    named = set(public_roadmaps().exclude(school=None).values_list("school_id", flat=True))
    named |= set(public_practices().exclude(school=None).values_list("school_id", flat=True))
    return len(named)


# --- Virtual users -------------------------------------------------------------------------------


class Session:
    """One browser: a kept-alive connection and its cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes, float, str]:
        """(status, content, seconds, error); error is empty unless the transport failed."""
        headers = {"Host": "127.0.0.1", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle kept-alive connection: a browser reconnects and asks again.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 0, b"", time.perf_counter() - started, type(exc).__name__
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, content, elapsed, ""

    def log_in(self, username: str) -> tuple[float | None, str]:
        """Seconds the login POST took (the password check), or None and what went wrong."""
        status, content, _, error = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if status != 200 or token is None:
            return None, f"login page: {status} {error}".strip()
        status, _, elapsed, error = self.request(
            "POST",
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()},
        )
        if status != 302:
            return None, f"login as {username}: {status} {error}".strip()
        return elapsed, ""


class VirtualUser(threading.Thread):
    """Walks one persona's journey until ``until`` (after ``log_in`` was called, if it has a login)."""

    def __init__(self, persona: Persona, port: int, until: float, seed: int, think: tuple[float, float] = (0, 0)):
        super().__init__(daemon=True)
        self.persona, self.until, self.think = persona, until, think
        self.random = random.Random(seed)  # nosec B311 # seeded generator for demo/bench data, not for secrets
        self.session = Session(port)
        self.samples: list[tuple[float, float]] = []  # (finished at, seconds)
        self.by_path: dict[str, list[float]] = {}
        self.errors: Counter[str] = Counter()
        self.logged_in = persona.username is None
        self.login_s: float | None = None

    def log_in(self) -> None:
        if self.persona.username is None:
            return
        self.login_s, problem = self.session.log_in(self.persona.username)
        if problem:
            self.errors[problem] += 1
        self.logged_in = self.login_s is not None

    def run(self) -> None:
        if not self.logged_in:
            return
        steps = self.persona.steps
        index = self.random.randrange(len(steps))
        while time.monotonic() < self.until:
            step = steps[index % len(steps)]
            index += 1
            status, _, elapsed, error = self.session.request("GET", step.path)
            self.samples.append((time.monotonic(), elapsed))
            self.by_path.setdefault(step.path, []).append(elapsed)
            if error or status != step.expect:
                self.errors[f"{self.persona.name} {step.path}: {status} {error}".strip()] += 1
            if self.think[1]:
                time.sleep(min(self.random.uniform(*self.think), max(0.0, self.until - time.monotonic())))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _overrides(workers: int | None, threads: int | None) -> dict[str, str]:
    return {**({"WEB_WORKERS": str(workers)} if workers else {}), **({"WEB_THREADS": str(threads)} if threads else {})}


def start_gunicorn(env: dict[str, str], port: int, workers: int | None, threads: int | None) -> subprocess.Popen:
    """gunicorn with the production configuration (config/gunicorn.py); --workers/--threads override it."""
    overrides = {
        **({"WEB_WORKERS": str(workers)} if workers else {}),
        **({"WEB_THREADS": str(threads)} if threads else {}),
    }
    process = subprocess.Popen(  # nosec B603 # fixed argv from sys.executable and our own paths, no shell, no user input
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--config",
            "python:config.gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env={**env, **overrides},
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not answer /health/ within 60 s")


def gunicorn_shape(env: dict[str, str], workers: int | None, threads: int | None) -> str:
    overrides = {
        **({"WEB_WORKERS": str(workers)} if workers else {}),
        **({"WEB_THREADS": str(threads)} if threads else {}),
    }
    code = "import config.gunicorn as g; print(g.workers, g.worker_class, g.threads)"
    done = subprocess.run(  # nosec B603 # fixed argv from sys.executable, no shell, no user input
        [sys.executable, "-c", code], cwd=ROOT, env={**env, **overrides}, capture_output=True, text=True, check=True
    )
    shown_workers, worker_class, shown_threads = done.stdout.split()
    return (
        f"gunicorn workers={shown_workers} worker_class={worker_class} threads={shown_threads} cores={os.cpu_count()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: config/gunicorn.py)")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default: config/gunicorn.py)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", "8765")))
    parser.add_argument("--db", default=os.environ.get("LOAD_DB", "opora_load"), help="database name")
    parser.add_argument("--think", default="1-3", help="seconds a user reads a page: MIN-MAX, or 0")
    parser.add_argument("--ramp", type=float, default=None, help="seconds over which users log in (default users/4)")
    parser.add_argument("--burst", type=int, default=None, help="fresh logins at once mid-run (default: users/2)")
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--municipalities", type=int, default=10)
    parser.add_argument("--results", action="store_true", help="also generate 5 years of results for the region")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the load database")
    parser.add_argument("--skip-prepare", action="store_true", help="reuse the database as it is")
    args = parser.parse_args()

    server = os.environ.get("LOAD_PG", "postgres://postgres@127.0.0.1:5432")
    database_url = ensure_database(server, args.db, fresh=args.fresh)
    var_dir = ROOT / "var" / f"load-{args.db}"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(database_url, var_dir)
    if not args.skip_prepare:
        prepare(env, schools=args.schools, municipalities=args.municipalities)
    django_setup(env)
    world = region_personas_seed(results=args.results)
    personas = journeys(world)
    from django.db import connections

    connections.close_all()
    for persona in personas:
        print(f"{persona.name}: {len(persona.steps)} pages", file=sys.stderr)
    print(gunicorn_shape(env, args.workers, args.threads), file=sys.stderr)

    server_process = start_gunicorn(env, args.port, args.workers, args.threads)
    try:
        # Warm-up: one pass of every journey so first-request costs (imports, caches) are not measured.
        warm = [VirtualUser(p, args.port, time.monotonic() + 3, seed=i) for i, p in enumerate(personas)]
        for user in warm:
            user.log_in()
            user.start()
        for user in warm:
            user.join()
        low, _, high = args.think.partition("-")
        think = (float(low), float(high or low))
        users = [
            VirtualUser(personas[i % len(personas)], args.port, 0.0, seed=1000 + i, think=think)
            for i in range(args.users)
        ]
        # Logins ramped before the clock starts: people arrive over a while, not in one instant.
        ramp = args.ramp if args.ramp is not None else args.users / 4
        for user in users:
            user.log_in()
            time.sleep(max(0.0, ramp / max(len(users), 1) - (user.login_s or 0)))
        started = time.monotonic()
        until = started + args.seconds
        for user in users:
            user.until = until
            user.start()
        # Halfway: a burst of fresh logins at once, from personas that have a login.
        burst_size = args.burst if args.burst is not None else max(1, args.users // 2)
        with_login = [p for p in personas if p.username]
        time.sleep(args.seconds / 2)
        burst = [VirtualUser(with_login[i % len(with_login)], args.port, 0.0, seed=5000 + i) for i in range(burst_size)]
        burst_threads = [threading.Thread(target=user.log_in, daemon=True) for user in burst]
        burst_started = time.monotonic()
        for thread in burst_threads:
            thread.start()
        for thread in burst_threads:
            thread.join(60)
        burst_ended = time.monotonic()
        for user in users:
            user.join(args.seconds + 60)
    finally:
        os.killpg(server_process.pid, signal.SIGTERM)
        server_process.wait(timeout=30)

    latencies = [seconds for user in users for _, seconds in user.samples]
    errors: Counter[str] = Counter()
    for user in users + burst:
        errors.update(user.errors)
    for what, count in errors.most_common(10):
        print(f"error ×{count}: {what}", file=sys.stderr)
    by_persona: dict[str, list[float]] = {}
    for user in users:
        by_persona.setdefault(user.persona.name, []).extend(seconds for _, seconds in user.samples)
    for name, values in by_persona.items():
        print(
            f"  {name}: {len(values)} requests, p50 {percentile(values, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(values, 0.95) * 1000:.0f} ms",
            file=sys.stderr,
        )
    by_path: dict[str, list[float]] = {}
    for user in users:
        for path, values in user.by_path.items():
            by_path.setdefault(path, []).extend(values)
    slowest = sorted(by_path.items(), key=lambda item: percentile(item[1], 0.95), reverse=True)[:6]
    for path, values in slowest:
        print(f"  slowest: {path} p95 {percentile(values, 0.95) * 1000:.0f} ms over {len(values)}", file=sys.stderr)
    rate = len(latencies) / args.seconds if args.seconds else 0
    mean = statistics.fmean(latencies) * 1000 if latencies else float("nan")
    print(f"requests={len(latencies)} rate_per_s={rate:.1f} mean_ms={mean:.1f}", file=sys.stderr)
    logins = [user.login_s for user in users if user.login_s is not None]
    print(
        f"logins n={len(logins)} ramp_s={ramp:g} p50_ms={percentile(logins, 0.5) * 1000:.0f} "
        f"p95_ms={percentile(logins, 0.95) * 1000:.0f} (before the clock; not in the page figures)"
    )
    # A page request that finished while the burst of logins was being served (or soon after).
    during = [s for user in users for at, s in user.samples if burst_started <= at <= burst_ended + 1]
    burst_logins = [user.login_s for user in burst if user.login_s is not None]
    print(
        f"burst logins={len(burst)} login_p95_ms={percentile(burst_logins, 0.95) * 1000:.0f} "
        f"served_in_s={burst_ended - burst_started:.1f} pages={len(during)} "
        f"pages_p95_ms={percentile(during, 0.95) * 1000:.0f}"
    )
    for persona in personas:
        login = persona.username or "anonymous"
        print(f"persona {persona.name}: user={login} scope={persona.scope} schools={persona.schools}")
    print(
        f"load users={args.users} think_s={args.think} p50_ms={percentile(latencies, 0.5) * 1000:.0f} "
        f"p95_ms={percentile(latencies, 0.95) * 1000:.0f} p99_ms={percentile(latencies, 0.99) * 1000:.0f} "
        f"errors={sum(errors.values())}"
    )


if __name__ == "__main__":
    main()
