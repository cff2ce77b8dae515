"""Real processes for the integration tests: Celery workers, a gunicorn server, a spare Redis.

Each runs as in production, configured by environment variables only, against the test
database (pytest-django's, reached through its URL) and the broker of ``REDIS_URL``.
Everything started here is stopped at the end of the test, also when the test fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT = 60


def database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            pytest.skip("the SQLite test database is in memory: a worker process cannot share it")
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if connection.vendor != "postgresql":
        pytest.skip(f"no DATABASE_URL recipe for {connection.vendor}")
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def var_dir(tmp_path, settings):
    # Workers and servers open the uploads the test's code stored: all must share MEDIA_ROOT.
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def celery_publishes_to_the_broker():
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield app
    finally:
        app.conf.task_always_eager = previous


def process_env(var_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **extra,
    }


def _stop(process: subprocess.Popen) -> None:
    # Always stop it: a live process would hold connections to the test database, and
    # pytest-django could not drop it at the end of the session.
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def log_of(process: subprocess.Popen, tail: int = 4000) -> str:
    return process.log_path.read_text(errors="replace")[-tail:]


@pytest.fixture
def start_worker(var_dir):
    """``start_worker(name, pool="solo", **env)``: a worker as deployed (``-Q default,imports,reports``),
    one process (solo pool) unless ``pool="prefork"`` (one child: what time limits need)."""
    started: list[subprocess.Popen] = []

    def start(name: str = "worker", pool: str = "solo", **extra_env: str) -> subprocess.Popen:
        log_path = var_dir / f"{name}.log"
        with log_path.open("wb") as log:
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-Q",
                    "default,imports,reports",
                    f"--pool={pool}",
                    "--concurrency=1",
                    "-l",
                    "info",
                    "--without-gossip",
                    "--without-mingle",
                    "--hostname",
                    f"test-{name}-{os.getpid()}@%h",
                ],
                cwd=PROJECT_ROOT,
                env=process_env(var_dir, **extra_env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        worker.log_path = log_path
        started.append(worker)
        return worker

    yield start
    for worker in started:
        _stop(worker)


def wait_until(condition: Callable[[], bool], *, what: str, watch: subprocess.Popen | None = None, timeout=None):
    """Poll ``condition`` until it holds; fail with the watched process's log if it does not."""
    deadline = time.monotonic() + (timeout or WORKER_TIMEOUT)
    while time.monotonic() < deadline:
        if condition():
            return
        if watch is not None and watch.poll() is not None:
            pytest.fail(f"{what}: the process exited with {watch.returncode}:\n{log_of(watch)}")
        time.sleep(0.25)
    pytest.fail(f"{what}: not within {timeout or WORKER_TIMEOUT} s" + (f":\n{log_of(watch)}" if watch else ""))


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: no shutdown handler runs, exactly as when the OOM killer or a power cut stops it."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


class SpareRedis:
    """A redis-server of the test's own on a free port, started and stopped at will.

    The machine's Redis (``REDIS_URL``) is shared and is never stopped by a test.
    """

    def __init__(self, var_dir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/12"
        self.var_dir = var_dir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log_path = self.var_dir / f"redis-{self.port}.log"
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *(shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--dir", str(self.var_dir)),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.process.log_path = log_path
        wait_until(self.answers, what=f"redis-server on port {self.port}", watch=self.process, timeout=15)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None
        assert not self.answers()

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5).ping())
        except redis.exceptions.ConnectionError:
            return False


@pytest.fixture
def spare_redis(var_dir):
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server program to start a Redis of the test's own")
    spare = SpareRedis(var_dir)
    try:
        yield spare
    finally:
        spare.stop()


@pytest.fixture
def start_server(var_dir):
    """``start_server(**env)``: gunicorn serving the app on a free port; returns its base URL."""
    started: list[subprocess.Popen] = []

    def start(**extra_env: str) -> str:
        port = free_port()
        log_path = var_dir / f"gunicorn-{port}.log"
        # DEBUG=1: static files without collectstatic, cookies over plain HTTP; the code paths
        # under test (cache, broker, views) are the same as in production.
        env = process_env(var_dir, DEBUG="1", **extra_env)
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [
                    *(str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application"),
                    *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"),
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server.log_path = log_path
        started.append(server)
        base = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return True
            except OSError:
                return False

        wait_until(answers, what="gunicorn", watch=server, timeout=30)
        return base

    yield start
    for server in started:
        _stop(server)
