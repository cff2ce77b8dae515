"""Security settings that hold for every page: CSP, no inline scripts, a clean deploy check."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _templates() -> list[Path]:
    return sorted(p for p in ROOT.glob("**/templates/**/*.html") if ".venv" not in p.parts and "var" not in p.parts)


def test_pages_carry_a_content_security_policy_without_inline_scripts(client, db):
    response = client.get(reverse("core:public_home"))

    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_an_inline_script_or_event_handler(template):
    """CSP blocks them in the browser; this finds them before a user does."""
    text = template.read_text(encoding="utf-8")
    scripts = [m.group() for m in _INLINE_SCRIPT.finditer(text) if "csp_nonce" not in m.group()]
    handlers = _INLINE_HANDLER.findall(text)
    assert not scripts, f"inline <script> without a nonce: {scripts}"
    assert not handlers, f"inline event handlers: {handlers}"


def _production_env(tmp_path) -> dict[str, str]:
    # A clean environment: nothing of the test run's own settings (pytest-env, DATABASE_URL) leaks in.
    return {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ} | {
        "DEBUG": "0",
        "SECRET_KEY": "k3J9xQ2vL8mN4pR7tW1yZ5aB6cD0eF2gH8iJ4kL6mN9oP3qR7sT1uV5wX",
        "PARTICIPANT_HASH_KEY": "p7Rk2Lq9Xv4Nm8Tz3Wb6Yc1Hd5Jf0Gs",
        "ALLOWED_HOSTS": "opora.example.ru",
        "CSRF_TRUSTED_ORIGINS": "https://opora.example.ru",
        "EMAIL_URL": "smtp+tls://opora:secret@smtp.example.ru:587",
        "VAR_DIR": str(tmp_path),
    }


def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_collectstatic_builds_the_production_manifest(tmp_path):
    """WhiteNoise's manifest storage fails on a reference to a missing file (e.g. a source map)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()


def test_bandit_finds_nothing_unjustified_in_the_code():
    """Every finding is fixed or carries a `# nosec BXXX # why` on its line; a new one fails here."""
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("bandit")),
            "-r",
            ".",
            "-x",
            "./.venv,./var,*/tests/*,./tests",
            "-q",
            "-f",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    findings = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in report["results"]]
    assert not findings, "\n".join(findings)
    assert report["metrics"]["_totals"]["loc"] > 10_000, "bandit scanned the project"
