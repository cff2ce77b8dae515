"""No participant's name or passport stays on disk: not in the stored upload once its job has
ended (written or refused), not after the retention period, not in a backup (DESIGN.md §6).

The files go through the page a department uses; every stored file (zip members opened), the
backup's database dump and its media archive are then searched for what the file held.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.backup import backup_create
from monitoring import imports
from monitoring.models import ImportJob, ParticipantResult
from monitoring.tests.builders import OGE_HEADER, rcoi_xlsx

SURNAME = "Жемчужникова"
NAME = "Евлампия"
PATRONYMIC = "Прокопьевна"
PASSPORT_SERIES = "4729"
PASSPORT_NUMBER = "836150"
# What must not be found, in the encodings a file or a dump may hold text in.
NEEDLES = [
    text.encode(encoding)
    for text in (SURNAME, NAME, PATRONYMIC, f"{PASSPORT_NUMBER}")
    for encoding in ("utf-8", "utf-16-le", "cp1251")
]


def _protocol(school_code: str) -> bytes:
    row = [1, school_code, "9А", "0101", "12", "01", "900001", SURNAME, NAME, PATRONYMIC,
           PASSPORT_SERIES, PASSPORT_NUMBER, "++-+2+", "1(2)2(2)", 25, 4]  # fmt: skip
    return rcoi_xlsx(("01 - Русский язык 2025.06.09", OGE_HEADER, [row]))


def _contents(path: Path) -> list[tuple[str, bytes]]:
    """A file's bytes, and those of every member when it is an archive (xlsx, zip, tar.gz)."""
    data = path.read_bytes()
    found = [(str(path), data)]
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            found += [(f"{path}!{name}", archive.read(name)) for name in archive.namelist()]
    elif path.name.endswith(".tar.gz"):
        with tarfile.open(path, "r:gz") as archive:
            for member in archive.getmembers():
                if member.isfile():
                    inner = archive.extractfile(member).read()
                    found.append((f"{path}!{member.name}", inner))
                    if zipfile.is_zipfile(io.BytesIO(inner)):
                        with zipfile.ZipFile(io.BytesIO(inner)) as nested:
                            found += [(f"{path}!{member.name}!{n}", nested.read(n)) for n in nested.namelist()]
    return found


def _where_personal_data_is(*roots: Path) -> list[str]:
    hits = []
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            for label, data in _contents(path):
                hits += [f"{label}: {needle!r}" for needle in NEEDLES if needle in data]
    return hits


def _upload(client, user, content: bytes, django_capture_on_commit_callbacks) -> ImportJob:
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitoring:import_upload"), {"file": SimpleUploadedFile("p.xlsx", content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


@pytest.fixture(autouse=True)
def _subjects(django_db_blocker):
    """The subject catalogue is migration data: an earlier transactional test may have flushed it."""
    import importlib

    from django.apps import apps

    with django_db_blocker.unblock():
        importlib.import_module("monitoring.migrations.0002_seed_subjects").seed(apps, None)


def _media() -> Path:
    return Path(settings.MEDIA_ROOT)


@pytest.mark.django_db(transaction=True)
def test_an_accepted_protocol_leaves_no_name_or_passport_on_disk_or_in_the_backup(
    client, department, school, tmp_path, django_capture_on_commit_callbacks
):
    job = _upload(client, department, _protocol(school.code), django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.DONE, job.errors
    assert ParticipantResult.objects.filter(import_job=job).count() == 1
    assert job.file.name == "" and job.sha256  # the hash still recognises a re-upload
    backup = backup_create(path=tmp_path / "backup")
    assert _where_personal_data_is(_media(), backup) == []


@pytest.mark.django_db(transaction=True)
def test_a_refused_protocol_leaves_no_name_or_passport_on_disk(
    client, department, school, tmp_path, django_capture_on_commit_callbacks
):
    job = _upload(client, department, _protocol("edu999999"), django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.FAILED
    assert not ParticipantResult.objects.exists()
    assert job.file.name == ""
    assert _where_personal_data_is(_media()) == []


@pytest.mark.django_db(transaction=True)
def test_a_waiting_upload_is_left_out_of_the_backup_and_purged_after_the_retention_period(
    department, school, tmp_path, settings
):
    """A job whose messages were all lost keeps its file only until the retention period ends."""
    settings.UPLOAD_RETENTION_DAYS = 3
    job = imports.results_import_create(
        user=department, uploaded_file=io.BytesIO(_protocol(school.code)), original_name="p.xlsx", queue=False
    )
    assert _where_personal_data_is(_media())  # the worker has not read it yet
    # Stored under a name of our own (a sha256 prefix may hold «p» by chance: look for the whole name).
    assert job.file.name.startswith("result_imports/") and "p.xlsx" not in job.file.name

    backup = backup_create(path=tmp_path / "backup")
    assert _where_personal_data_is(backup) == []

    assert imports.results_uploads_purge(now=timezone.now() + timedelta(days=2)) == 0
    assert imports.results_uploads_purge(now=timezone.now() + timedelta(days=3, minutes=1)) == 1
    assert _where_personal_data_is(_media()) == []
    job.refresh_from_db()
    assert job.file.name == ""

    imports.results_import_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "Загрузите файл снова" in job.errors[0]["message"]


def test_the_purge_runs_in_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "monitoring.tasks.purge_result_uploads" in tasks
