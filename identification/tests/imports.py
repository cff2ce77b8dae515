"""Data for the identification tests, loaded through the import services a user triggers.

Nothing here writes result rows or indicator values by hand: a canonical results CSV or a
context CSV goes through ``results_import_create`` and the import's task (eager), and the
follow-ups (indicator recompute, risk profiles) run on commit as after a real upload.
"""

from __future__ import annotations

import io

from monitoring import imports as services
from monitoring.models import ImportJob
from monitoring.tests.builders import context_csv, context_row, results_csv, results_csv_row


def vpr_rows(school_code: str, *, twos: int, total: int, year: str, subject: str = "01", grade: int = 4) -> list:
    """``total`` ВПР participants of a school, ``twos`` of them with «2» and the rest with «4»."""
    return [
        results_csv_row(
            school_code,
            f"{school_code[-4:]}{subject}{grade}{year[:4]}{i:03d}",
            year=year,
            subject=subject,
            grade=grade,
            mark=2 if i < twos else 4,
            journal=2 if i < twos else 4,
            primary=1 if i < twos else 6,
        )
        for i in range(total)
    ]


def upload(user, content: bytes, name: str, capture) -> ImportJob:
    """Upload as ``user`` and run the task eagerly with every on-commit follow-up."""
    with capture(execute=True):
        job = services.results_import_create(user=user, uploaded_file=io.BytesIO(content), original_name=name)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    return job


def import_vpr(user, capture, *, year: str, shares: dict[str, tuple[int, int]]) -> ImportJob:
    """``shares``: school code → (participants with «2», participants) in ВПР русский 4 кл."""
    rows = [row for code, (twos, total) in shares.items() for row in vpr_rows(code, twos=twos, total=total, year=year)]
    return upload(user, results_csv(rows), f"vpr-{year[:4]}.csv", capture)


def import_context(user, capture, *, year: str, rows: dict[str, dict]) -> ImportJob:
    """``rows``: school code → the context columns that differ from ``context_row``'s defaults."""
    content = context_csv([context_row(code, year=year, **values) for code, values in rows.items()])
    return upload(user, content, f"context-{year[:4]}.csv", capture)
