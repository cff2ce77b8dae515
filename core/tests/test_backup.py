"""manage.py backup / restore: data made, backed up, damaged, restored, and equal again."""

import json
import tarfile
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from schools.models import School
from tests.factories import SchoolFactory, UserFactory


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "imports").mkdir(parents=True)
    return settings.MEDIA_ROOT


def snapshot() -> dict:
    return {
        "schools": sorted(School.objects.values_list("code", "head_name", "contingent", "municipality__oktmo")),
        "users": sorted(User.objects.values_list("username", "password", "role")),
    }


def backup_damage_restore(tmp_path, media_root) -> tuple[dict, dict, str]:
    SchoolFactory.create_batch(3)
    UserFactory(username="director-7")
    (media_root / "imports" / "f1.xlsx").write_bytes(b"results of the school")
    before = snapshot()
    call_command("backup", str(tmp_path / "copy"), stdout=StringIO())

    School.objects.first().delete()
    School.objects.update(head_name="Испорчено", contingent=1)
    UserFactory(username="intruder")
    (media_root / "imports" / "f1.xlsx").unlink()
    (media_root / "stray.txt").write_text("written after the backup")
    assert snapshot() != before

    out = StringIO()
    call_command("restore", str(tmp_path / "copy"), "--force", stdout=out)
    return before, snapshot(), out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_the_database_and_the_uploaded_files(tmp_path, media_root):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite path of backup/restore")
    before, after, out = backup_damage_restore(tmp_path, media_root)
    assert after == before
    assert (media_root / "imports" / "f1.xlsx").read_bytes() == b"results of the school"
    assert not (media_root / "stray.txt").exists()
    assert "Будет восстановлена база данных SQLite" in out


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_restores_the_database_and_the_uploaded_files(tmp_path, media_root):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL) for pg_dump/pg_restore")
    before, after, out = backup_damage_restore(tmp_path, media_root)
    assert after == before
    assert (media_root / "imports" / "f1.xlsx").read_bytes() == b"results of the school"
    assert not (media_root / "stray.txt").exists()
    assert "Будет восстановлена база данных PostgreSQL" in out
    # The restored sequences continue after the restored rows: new rows do not collide.
    SchoolFactory()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_non_empty_database_without_force_and_changes_nothing(tmp_path, media_root):
    SchoolFactory()
    call_command("backup", str(tmp_path / "copy"), stdout=StringIO())
    SchoolFactory(head_name="Новая школа после копии")
    out = StringIO()
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(tmp_path / "copy"), stdout=out)
    assert "Будет восстановлена база данных" in out.getvalue()
    assert "будут заменены" in out.getvalue()
    assert School.objects.filter(head_name="Новая школа после копии").exists()


@pytest.mark.django_db
def test_restore_refuses_a_copy_made_on_another_database_engine(tmp_path, media_root):
    copy = tmp_path / "copy"
    copy.mkdir()
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    (copy / "manifest.json").write_text(
        json.dumps({"format": 1, "vendor": other, "database": "database.x", "media": "media.tar.gz"})
    )
    with pytest.raises(CommandError, match="восстановите на такой же базе"):
        call_command("restore", str(copy), "--force", stdout=StringIO())


@pytest.mark.django_db
def test_restore_refuses_a_folder_without_a_backup(tmp_path):
    with pytest.raises(CommandError, match="нет резервной копии"):
        call_command("restore", str(tmp_path), stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_backup_refuses_to_overwrite_an_existing_backup(tmp_path, media_root):
    call_command("backup", str(tmp_path / "copy"), stdout=StringIO())
    with pytest.raises(CommandError, match="уже есть резервная копия"):
        call_command("backup", str(tmp_path / "copy"), stdout=StringIO())


def test_a_media_archive_escaping_the_folder_is_refused_and_media_is_kept(tmp_path):
    from core.backup import BackupError, _media_replace

    media_root = tmp_path / "media"
    media_root.mkdir()
    (media_root / "kept.txt").write_text("kept")
    archive_path = tmp_path / "evil.tar.gz"
    with tarfile.open(archive_path, "w:gz") as archive:
        payload = b"owned"
        info = tarfile.TarInfo("../outside.txt")
        info.size = len(payload)
        archive.addfile(info, BytesIO(payload))
    with pytest.raises(BackupError):
        _media_replace(archive_path=archive_path, media_root=media_root)
    assert not (tmp_path / "outside.txt").exists()
    assert (media_root / "kept.txt").read_text() == "kept"
