"""Load test: virtual users against gunicorn and PostgreSQL with the region-scale seed (issue #10).

    .venv/bin/python bench/load.py --users 20 --seconds 60

Loopback only. The script:

1. creates (or reuses) its own PostgreSQL database ``opora_load`` on ``LOAD_PG`` (default
   ``postgres://postgres@127.0.0.1:5432``), migrates it and runs ``seed_demo`` with the demo
   district (every feature's demo) and the load region (``--schools`` schools in
   ``--municipalities`` municipalities); with ``--results`` also five years of generated results
   for the load region through ``bench/identify_bench.py``'s generator when it is there;
2. collects static files and starts gunicorn with production settings (DEBUG=0, plain HTTP on
   127.0.0.1, secure cookies off because there is no TLS on loopback);
3. runs ``--users`` virtual users for ``--seconds``: each logs in as one persona — department,
   director, methodologist — or stays anonymous (public), and walks that persona's journey over
   and over, one request at a time, keeping its session, and pausing between pages as a person
   reads them (``--think``, 1–3 s by default; ``--think 0`` is a stress test where latency only
   measures the queue); static files are not fetched (WhiteNoise serves them from memory);
4. prints the latency figures; the last line is

    load users=N p50_ms=… p95_ms=… p99_ms=… errors=…

An error is a transport failure or any status other than the journey step expects (200, or a
redirect where the step says so). Targets (issue #10): p95 ≤ 150 ms at 20 users, no errors at 50.
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
        # Only failed logins count towards a lockout; many users share a demo login here.
        "AXES_FAILURE_LIMIT": "1000",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # nosec B603 # fixed argv from sys.executable and our own paths, no shell, no user input


def prepare(env: dict[str, str], *, schools: int, municipalities: int, results: bool) -> None:
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(
        env, "seed_demo", "--i-know-this-is-demo", "--municipalities", str(municipalities), "--schools", str(schools)
    )
    if results:
        generate = _results_generator()
        if generate is None:
            print("bench/identify_bench.py has no generate_results(); --results skipped", file=sys.stderr)
        else:
            subprocess.run(  # nosec B603 # fixed argv from sys.executable and our own paths, no shell, no user input
                [sys.executable, "-c", "import sys; sys.path.insert(0, '.'); " + generate],
                cwd=ROOT,
                env=env,
                check=True,
            )
    manage(env, "collectstatic", "--noinput", "-v", "0")
    print(f"prepared in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _results_generator() -> str | None:
    bench = ROOT / "bench" / "identify_bench.py"
    if bench.exists() and "def generate_results" in bench.read_text(encoding="utf-8"):
        return (
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup(); "
            "from bench.identify_bench import generate_results; generate_results(years=5)"
        )
    return None


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int = 1) -> subprocess.Popen:
    process = subprocess.Popen(  # nosec B603 # fixed argv from sys.executable and our own paths, no shell, no user input
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--workers",
            str(workers),
            *(["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
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


def journeys(env: dict[str, str]) -> list[Persona]:
    """Each persona's pages, resolved against the seeded database (names that do not exist yet are skipped)."""
    os.environ.update(
        {
            key: env[key]
            for key in ("DATABASE_URL", "VAR_DIR", "SECRET_KEY", "PARTICIPANT_HASH_KEY", "DEBUG", "ALLOWED_HOSTS")
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.urls import NoReverseMatch, reverse

    from accounts.models import User

    def url(name: str, *args, query: dict | None = None) -> Step | None:
        try:
            path = reverse(name, args=args)
        except NoReverseMatch:
            return None
        return Step(path + (f"?{urlencode(query)}" if query else ""))

    director = User.objects.select_related("school").get(username="director")
    school_id = director.school_id
    roadmap_id = _first_pk("roadmaps", "Roadmap", school_id=school_id)
    run_id = _first_pk("identification", "IdentificationRun")
    event_id = _first_pk("events", "Event", status="published")
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
    director_steps: list[Step | None] = [
        url("core:home"),
        url("schools:detail", school_id),
        url("identification:school", school_id),
        url("risks:school", school_id),
        url("roadmaps:list"),
        url("roadmaps:detail", roadmap_id) if roadmap_id else None,
        url("teachers:school", school_id),
        url("partnerships:agreement_list"),
    ]
    methodologist: list[Step | None] = [
        url("core:home"),
        url("events:staff_home"),
        url("events:staff_event", event_id) if event_id else None,
        url("events:staff_programmes"),
        url("schools:list"),
        url("teachers:index"),
        url("teachers:mentoring"),
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
    return [
        Persona("department", "uo", [s for s in department if s]),
        Persona("director", "director", [s for s in director_steps if s]),
        Persona("methodologist", "imc", [s for s in methodologist if s]),
        Persona("public", None, [s for s in public if s]),
    ]


# --- Virtual users -------------------------------------------------------------------------------


class VirtualUser(threading.Thread):
    def __init__(self, persona: Persona, port: int, until: float, seed: int, think: tuple[float, float] = (0, 0)):
        super().__init__(daemon=True)
        self.persona, self.port, self.until, self.think = persona, port, until, think
        self.random = random.Random(seed)  # nosec B311 # seeded generator for demo/bench data, not for secrets
        self.cookies: dict[str, str] = {}
        self.latencies: list[float] = []
        self.by_path: dict[str, list[float]] = {}
        self.errors: Counter[str] = Counter()
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes, float]:
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
            self.errors[f"{path}: {type(exc).__name__}"] += 1
            return 0, b"", time.perf_counter() - started
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, content, elapsed

    def log_in(self) -> bool:
        status, content, _ = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if status != 200 or token is None:
            self.errors["login page"] += 1
            return False
        status, _, _ = self.request(
            "POST",
            "/accounts/login/",
            {"username": self.persona.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()},
        )
        if status != 302:
            self.errors[f"login as {self.persona.username}: {status}"] += 1
            return False
        return True

    def run(self) -> None:
        if self.persona.username and not self.log_in():
            return
        steps = self.persona.steps
        index = self.random.randrange(len(steps))
        while time.monotonic() < self.until:
            step = steps[index % len(steps)]
            index += 1
            status, _, elapsed = self.request("GET", step.path)
            self.latencies.append(elapsed)
            self.by_path.setdefault(step.path, []).append(elapsed)
            if status != step.expect:
                self.errors[f"{self.persona.name} {step.path}: {status}"] += 1
            if self.think[1]:
                time.sleep(min(self.random.uniform(*self.think), max(0.0, self.until - time.monotonic())))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread) when above 1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--think", default="1-3", help="seconds a user reads a page: MIN-MAX, or 0")
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--municipalities", type=int, default=40)
    parser.add_argument("--results", action="store_true", help="also generate 5 years of results for the region")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the load database")
    parser.add_argument("--skip-prepare", action="store_true", help="reuse the database as it is")
    args = parser.parse_args()

    server = os.environ.get("LOAD_PG", "postgres://postgres@127.0.0.1:5432")
    database_url = ensure_database(server, "opora_load", fresh=args.fresh)
    var_dir = ROOT / "var" / "load"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(database_url, var_dir)
    if not args.skip_prepare:
        prepare(env, schools=args.schools, municipalities=args.municipalities, results=args.results)
    personas = journeys(env)
    for persona in personas:
        print(f"{persona.name}: {len(persona.steps)} pages", file=sys.stderr)

    server_process = start_gunicorn(env, args.port, args.workers, args.threads)
    try:
        # Warm-up: one pass of every journey so first-request costs (imports, caches) are not measured.
        warm = [VirtualUser(p, args.port, time.monotonic() + 3, seed=i) for i, p in enumerate(personas)]
        for user in warm:
            user.start()
        for user in warm:
            user.join()
        low, _, high = args.think.partition("-")
        think = (float(low), float(high or low))
        until = time.monotonic() + args.seconds
        users = [
            VirtualUser(personas[i % len(personas)], args.port, until, seed=1000 + i, think=think)
            for i in range(args.users)
        ]
        for user in users:
            user.start()
        for user in users:
            user.join(args.seconds + 60)
    finally:
        os.killpg(server_process.pid, signal.SIGTERM)
        server_process.wait(timeout=30)

    latencies = [value for user in users for value in user.latencies]
    errors: Counter[str] = Counter()
    for user in users:
        errors.update(user.errors)
    for what, count in errors.most_common(10):
        print(f"error ×{count}: {what}", file=sys.stderr)
    by_persona: dict[str, list[float]] = {}
    for user in users:
        by_persona.setdefault(user.persona.name, []).extend(user.latencies)
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
    print(
        f"load users={args.users} think_s={args.think} p50_ms={percentile(latencies, 0.5) * 1000:.0f} "
        f"p95_ms={percentile(latencies, 0.95) * 1000:.0f} p99_ms={percentile(latencies, 0.99) * 1000:.0f} "
        f"errors={sum(errors.values())}"
    )


if __name__ == "__main__":
    main()
