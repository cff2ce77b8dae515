"""The production set-up the README documents: it passes `check --deploy`, refuses to start
without its own participant key, keeps HSTS preload opt-in, answers the container's health probe,
and answers 503 on /health/ while the worker side cannot work."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)

# Values for the README's placeholders («…»): what an operator would type.
REALISTIC = {
    "SECRET_KEY": "k3J9xQ2vL8mN4pR7tW1yZ5aB6cD0eF2gH8iJ4kL6mN9oP3qR7sT1uV5wX",
    "PARTICIPANT_HASH_KEY": "p7Rk2Lq9Xv4Nm8Tz3Wb6Yc1Hd5Jf0Gs",
    "DATABASE_URL": "postgres://opora:secret@db.example.ru:5432/opora",
    "REDIS_URL": "redis://redis.example.ru:6379/0",
    "EMAIL_URL": "smtp+tls://opora:secret@smtp.example.ru:587",
}


def _readme_production_variables() -> dict[str, str]:
    """The `export …` line of the README's section «Эксплуатация», as name → value."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Эксплуатация") :]
    line = next(line for line in section.splitlines() if line.startswith("export "))
    pairs = dict(item.split("=", 1) for item in line.removeprefix("export ").split())
    return {name: (REALISTIC[name] if "…" in value else value) for name, value in pairs.items()}


def _clean_env(tmp_path, variables: dict[str, str]) -> dict[str, str]:
    # Nothing of the test run's own settings (pytest-env, DATABASE_URL) leaks in.
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return base | variables | {"VAR_DIR": str(tmp_path)}


def _manage(tmp_path, variables: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_clean_env(tmp_path, variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readme_production_settings_pass_the_deploy_check(tmp_path):
    variables = _readme_production_variables()
    assert {"DEBUG", "SECRET_KEY", "PARTICIPANT_HASH_KEY", "ALLOWED_HOSTS", "EMAIL_URL"} <= variables.keys()

    result = _manage(tmp_path, variables, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_its_own_participant_key(tmp_path):
    """A key derived from SECRET_KEY would change every stored participant key on rotation."""
    variables = {k: v for k, v in _readme_production_variables().items() if k != "PARTICIPANT_HASH_KEY"}

    result = _manage(tmp_path, variables, "check")

    assert result.returncode != 0
    assert "PARTICIPANT_HASH_KEY is not set" in result.stderr


def test_hsts_preload_is_off_unless_the_operator_opts_in(tmp_path):
    variables = _readme_production_variables()
    probe = "from django.conf import settings; print(settings.SECURE_HSTS_PRELOAD, settings.SECURE_HSTS_SECONDS > 0)"

    default = _manage(tmp_path, variables, "shell", "--no-imports", "-c", probe)
    opted_in = _manage(tmp_path, variables | {"SECURE_HSTS_PRELOAD": "1"}, "shell", "--no-imports", "-c", probe)

    assert default.stdout.split() == ["False", "True"], default.stderr
    assert opted_in.stdout.split() == ["True", "True"], opted_in.stderr


@override_settings(ALLOWED_HOSTS=["opora.example.ru"], SECURE_SSL_REDIRECT=True)
def test_the_container_probe_is_answered_on_127_0_0_1_over_plain_http(client):
    """The compose health check connects to 127.0.0.1:8000 inside the container: before, the
    Host check answered 400 unless ALLOWED_HOSTS listed 127.0.0.1."""
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    probe = re.search(r"urlopen\('(http://127\.0\.0\.1:8000[^']*)'\)", compose).group(1)

    response = client.get(probe.removeprefix("http://127.0.0.1:8000"), HTTP_HOST="127.0.0.1:8000")

    assert (response.status_code, response.content) == (200, b"ok")


def test_health_answers_503_while_the_embedded_broker_cannot_take_messages(client, db, settings, tmp_path):
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(tmp_path / "missing-queue"),
    }

    response = client.get(reverse("core:health"))

    assert (response.status_code, response.json()) == (503, {"database": "ok", "broker": "unavailable"})


def test_health_answers_200_when_the_database_and_the_broker_work(client, db, settings, tmp_path):
    settings.REDIS_URL = ""
    (tmp_path / "queue").mkdir()
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(tmp_path / "queue"),
    }

    response = client.get(reverse("core:health"))

    assert (response.status_code, response.json()) == (200, {"database": "ok", "broker": "ok"})


def test_the_dockerfile_installs_pango_fonts_and_the_postgresql_client():
    """What .ci/check-image-packages then checks on Debian: these render a PDF and run pg_dump."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")

    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core", "postgresql-client"):
        assert package in dockerfile
    assert ".ci/check-image-packages" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


# --- Error pages and the 403 log line --------------------------------------------------------------


@pytest.fixture
def console_log():
    """What the real console handler (config.settings.LOGGING) prints, with its filters."""
    handler = next(h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler)
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(old)


def test_a_403_page_is_russian_and_its_log_is_one_line(client, console_log, teacher):
    client.force_login(teacher)
    console_log.seek(0)
    console_log.truncate()

    response = client.get(reverse("core:audit_log"))

    assert response.status_code == 403
    assert "Нет доступа" in response.content.decode()
    lines = [line for line in console_log.getvalue().splitlines() if line.strip()]
    assert lines == ["Forbidden (Permission denied): /audit/"]


def test_a_500_keeps_its_traceback_in_the_log(console_log, rf):
    """The filter drops tracebacks of 403s only."""
    from django.utils.log import log_response

    try:
        raise ValueError("boom")
    except ValueError as exc:
        response = type("R", (), {"status_code": 500})()
        log_response("Internal Server Error: %s", "/x/", response=response, request=rf.get("/x/"), exception=exc)

    assert "Traceback" in console_log.getvalue() and "ValueError: boom" in console_log.getvalue()


@pytest.mark.parametrize("path", ["/no-such-page/", "/schools/999999999/"])
def test_404_is_russian_even_under_make_run(client, settings, db, department, path):
    settings.DEBUG = True
    client.force_login(department)

    response = client.get(path)

    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()
    assert "Page not found" not in response.content.decode()


def test_500_is_russian_even_under_make_run(client, settings, db, monkeypatch):
    settings.DEBUG = True
    client.raise_request_exception = False
    monkeypatch.setattr("portal.views.selectors.public_stats", lambda: 1 / 0)

    response = client.get(reverse("core:public_home"))

    assert response.status_code == 500
    assert "Ошибка на сервере" in response.content.decode()
    assert "ZeroDivisionError" not in response.content.decode()


# --- Cache-Control ----------------------------------------------------------------------------------


def test_pages_of_a_signed_in_user_are_private_and_not_stored(client, department, school):
    client.force_login(department)

    for url in (reverse("core:home"), reverse("schools:detail", args=[school.pk])):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url


def test_public_pages_keep_their_own_caching(client, db):
    response = client.get(reverse("core:public_home"))

    assert "no-store" not in response.get("Cache-Control", "")


def test_exports_of_a_signed_in_user_are_private_and_not_stored(client, department, django_capture_on_commit_callbacks):
    from reports.models import ReportRequest
    from reports.tests.registry import agreements_xlsx

    client.force_login(department)
    agreements_xlsx(client, django_capture_on_commit_callbacks)

    response = client.get(reverse("reports:download", args=[ReportRequest.objects.latest("pk").pk]))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
