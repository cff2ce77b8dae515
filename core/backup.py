"""Backup and restore of the whole portal: the database and the uploaded files.

A backup is a directory holding
- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3``
  (SQLite, a copy made with the online backup API, so a running site is copied consistently);
- ``media.tar.gz``: everything under ``MEDIA_ROOT`` (uploads, generated reports) except the
  import uploads (``TRANSIENT_UPLOAD_DIRS``);
- ``manifest.json``: which backend, when, and the file names, so restore refuses a mismatch.

Restore replaces the database and ``MEDIA_ROOT`` with the backup's. It refuses a non-empty
target unless forced: a restore onto the live database by mistake loses everything since.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 # pg_dump/pg_restore, argument lists only, never a shell
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

from core.extensions import app_modules

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
FORMAT_VERSION = 1
# Import uploads are inputs a worker reads once, not records: results files carry participants'
# names and passports (DESIGN.md: never in backups), and both kinds are deleted after the job or
# UPLOAD_RETENTION_DAYS (monitoring.imports.retention). A restored job that still wanted its file
# ends with a message asking for the upload again. Each app names its folders of such uploads in
# ``<app>.backup.TRANSIENT_UPLOAD_DIRS`` (core.extensions).


def transient_upload_dirs() -> frozenset[str]:
    return frozenset(name for module in app_modules("backup") for name in module.TRANSIENT_UPLOAD_DIRS)


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message is Russian, for the operator."""


@dataclass(frozen=True)
class RestorePlan:
    vendor: str
    database: str
    dump: Path
    media_archive: Path | None
    media_root: Path
    existing_tables: int
    existing_media_files: int
    created_at: str

    @property
    def target_is_empty(self) -> bool:
        return self.existing_tables == 0 and self.existing_media_files == 0

    def describe(self) -> str:
        lines = [
            f"Резервная копия от {self.created_at} ({self.dump.name}).",
            f"Будет восстановлена база данных {self._vendor_label()} «{self.database}»"
            + (f": её {self.existing_tables} табл. будут заменены содержимым копии." if self.existing_tables else "."),
        ]
        if self.media_archive is not None:
            lines.append(
                f"Загруженные файлы будут распакованы в {self.media_root}"
                + (
                    f"; текущие файлы ({self.existing_media_files}) будут удалены."
                    if self.existing_media_files
                    else "."
                )
            )
        else:
            lines.append("Файлов в копии нет: папка загруженных файлов не изменится.")
        return "\n".join(lines)

    def _vendor_label(self) -> str:
        return {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(self.vendor, self.vendor)


def _connection(alias: str):
    connection = connections[alias]
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"Резервное копирование для базы {connection.vendor} не поддерживается.")
    return connection


def _pg_arguments(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore; the password goes through the environment."""
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(command: list[str], *, env: dict[str, str]) -> None:
    binary = shutil.which(command[0])
    if binary is None:
        raise BackupError(f"Программа {command[0]} не найдена: установите клиент PostgreSQL той же версии, что сервер.")
    # An argument list of a fixed program found on PATH and our own settings: no shell, no user input.
    result = subprocess.run([binary, *command[1:]], env=env, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} завершился с ошибкой: {result.stderr.strip()[:2000]}")


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _count_files(root: Path) -> int:
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.is_dir() else 0


def backup_create(*, path: Path, alias: str = "default") -> Path:
    """Write a backup directory at ``path`` (created; must not hold a backup already)."""
    connection = _connection(alias)
    path = Path(path)
    if (path / MANIFEST).exists():
        raise BackupError(f"В {path} уже есть резервная копия: выберите другую папку.")
    path.mkdir(parents=True, exist_ok=True)
    dump = path / DUMP_NAMES[connection.vendor]
    if connection.vendor == "postgresql":
        args, env = _pg_arguments(connection.settings_dict)
        name = str(connection.settings_dict["NAME"])
        _run(["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(dump), name], env=env)
    else:
        if connection.in_atomic_block:
            # SQLite's backup waits for the source's open write transaction: it would never end.
            raise BackupError("Резервную копию нельзя делать внутри транзакции.")
        connection.ensure_connection()
        # The online backup API copies page by page under SQLite's own locking: consistent
        # even while the site writes, unlike copying the file.
        target = sqlite3.connect(dump)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    media_root = _media_root()
    transient = transient_upload_dirs()
    with tarfile.open(path / MEDIA_ARCHIVE, "w:gz") as archive:
        if media_root.is_dir():
            for child in sorted(media_root.iterdir()):
                if child.name in transient:
                    continue
                archive.add(child, arcname=child.name)
    manifest = {
        "format": FORMAT_VERSION,
        "vendor": connection.vendor,
        "database": dump.name,
        "media": MEDIA_ARCHIVE,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (path / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads((Path(path) / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"В {path} нет резервной копии (нет файла {MANIFEST}).") from exc
    except ValueError as exc:
        raise BackupError(f"Файл {MANIFEST} повреждён.") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError("Копия сделана другой версией программы: формат не поддерживается.")
    return manifest


def restore_plan(*, path: Path, alias: str = "default") -> RestorePlan:
    """What a restore from ``path`` would do to this database and ``MEDIA_ROOT``; changes nothing."""
    connection = _connection(alias)
    manifest = _read_manifest(path)
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(
            f"Копия сделана с базы {manifest.get('vendor')}, а настроена база {connection.vendor}: "
            "восстановите на такой же базе."
        )
    dump = Path(path) / manifest["database"]
    if not dump.is_file():
        raise BackupError(f"В копии нет файла базы данных {dump.name}.")
    media_archive = Path(path) / manifest["media"] if manifest.get("media") else None
    if media_archive is not None and not media_archive.is_file():
        raise BackupError(f"В копии нет архива файлов {media_archive.name}.")
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    return RestorePlan(
        vendor=connection.vendor,
        database=str(connection.settings_dict["NAME"]),
        dump=dump,
        media_archive=media_archive,
        media_root=_media_root(),
        existing_tables=len(tables),
        existing_media_files=_count_files(_media_root()) if media_archive is not None else 0,
        created_at=manifest.get("created_at", "?"),
    )


def restore_apply(*, plan: RestorePlan, force: bool, alias: str = "default") -> None:
    """Replace the database (and MEDIA_ROOT) with the backup's. ``force`` to overwrite data."""
    if not plan.target_is_empty and not force:
        raise BackupError(
            "База данных или папка файлов не пусты: восстановление заменит их содержимое. "
            "Чтобы продолжить, повторите с --force."
        )
    connection = _connection(alias)
    if plan.vendor == "postgresql":
        args, env = _pg_arguments(connection.settings_dict)
        # Our own session would hold locks that pg_restore's DROPs wait on.
        connection.close()
        _run(
            [
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                # All or nothing: a failed restore leaves the database as it was.
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                str(connection.settings_dict["NAME"]),
                str(plan.dump),
            ],
            env=env,
        )
    else:
        if connection.in_atomic_block:
            raise BackupError("Восстанавливать базу нельзя внутри транзакции.")
        connection.ensure_connection()
        source = sqlite3.connect(plan.dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    if plan.media_archive is not None:
        _media_replace(archive_path=plan.media_archive, media_root=plan.media_root)


def _media_replace(*, archive_path: Path, media_root: Path) -> None:
    # Unpack next to MEDIA_ROOT first: a broken archive must not leave the folder half-emptied.
    staging = media_root.with_name(media_root.name + ".restoring")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            # The "data" filter refuses absolute paths, "..", links out of the tree and devices.
            archive.extractall(staging, filter="data")
    except (tarfile.TarError, OSError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupError(f"Архив файлов повреждён: {exc}") from exc
    if media_root.exists():
        shutil.rmtree(media_root)
    staging.rename(media_root)
