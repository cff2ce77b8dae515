"""Everything one municipality owns, as JSON (Django serialisation) and one XLSX workbook.

"Owns" is discovered, not listed: a model is exported when a chain of at most ``MAX_DEPTH``
foreign keys leads from it to Municipality, School or Organisation (a new app's models are
picked up by themselves). Two kinds of chains do not make a row ours, though:

* a chain through a user (``created_by``, ``approved_by``, ``uploaded_by``…) says who did
  something, not whose the row is: a region's copy of a methodology or a catalogue's risk
  factor is not the municipality's because its department typed it, and a user who moved to
  another municipality does not take the rows they wrote along;
* a reference to somebody else's object (a programme ``based_on`` another roadmap, a measure's
  responsible organisation, a registration's event) is not ownership either.

So each row has one owner: the chain that remains when there is only one, or the one its app
names in ``<app>/exports.py`` (``OWNERS``). A model whose chains all run through a user is
exported only when its app says whose it is; otherwise it stays home
(``schools/tests/test_municipal_export.py`` lists them with their reasons, and fails on a new
model nobody decided about).

The archive is written as it is read: rows come from the database in chunks and go straight
into the ZIP entry and the write-only workbook, so a region's millions of results never sit
in memory at once. Password hashes, download tokens and stored file names never leave.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from io import TextIOWrapper
from pathlib import Path
from typing import BinaryIO

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import models
from django.db.models import Q
from django.utils import timezone
from openpyxl import Workbook

from core.extensions import app_modules
from core.xlsx import safe_row
from schools.models import Municipality, Organisation, School

MAX_DEPTH = 3
ANCHORS = (Municipality, School, Organisation)
# Download tokens are internal file identifiers; password hashes never leave the database.
SECRET_FIELDS = {"password", "token"}
# Framework tables: logs and sessions are not the municipality's data.
SKIPPED_APPS = {"admin", "sessions", "contenttypes", "auth", "axes", "django_celery_results"}
CHUNK_SIZE = 2000
# Excel's limit is 1 048 576 rows a sheet, the header included; longer tables continue on
# the next sheet («Результаты участников 2»).
MAX_SHEET_ROWS = 1_048_575


def owners() -> dict[str, tuple[str, ...]]:
    """Whose a row is, as lookups that end at the owning municipality's id, for the models where the
    discovered chains disagree or all run through a user. One owner per row (see the docstring).
    Each app declares its own in ``<app>.exports.OWNERS`` (core.extensions)."""
    declared: dict[str, tuple[str, ...]] = {}
    for module in app_modules("exports"):
        declared.update(module.OWNERS)
    return declared


def _user_model() -> type[models.Model]:
    return apps.get_model(settings.AUTH_USER_MODEL)


def owner_paths(model: type[models.Model], depth: int = MAX_DEPTH) -> list[tuple[type[models.Model], str]]:
    """Every (anchor, lookup path) reaching an anchor through forward FKs, shortest first."""
    if model in ANCHORS:
        return [(model, "")]
    found: list[tuple[type[models.Model], str]] = []
    frontier = [(model, "")]
    for _ in range(depth):
        nxt = []
        for current, prefix in frontier:
            for field in current._meta.get_fields():
                if not (field.many_to_one or field.one_to_one) or not field.concrete:
                    continue
                target = field.related_model
                path = f"{prefix}__{field.name}" if prefix else field.name
                if target in ANCHORS:
                    found.append((target, path))
                elif target is not model:
                    nxt.append((target, path))
        frontier = nxt
    return found


def _to_municipality(anchor: type[models.Model], path: str) -> str:
    if anchor is Municipality:
        return path or "pk"
    return f"{path}__municipality" if path else "municipality"


def ownership_candidates(model: type[models.Model]) -> list[str]:
    """The discovered chains that could mean ownership: none runs through a user."""
    user_model = _user_model()
    candidates = []
    for anchor, path in owner_paths(model):
        hops, current = path.split("__") if path else [], model
        through_user = False
        for hop in hops:
            current = current._meta.get_field(hop).related_model
            through_user |= current is user_model
        if not through_user:
            candidates.append(_to_municipality(anchor, path))
    return candidates


def ownership(model: type[models.Model]) -> tuple[str, ...]:
    """Lookups to the owning municipality's id; empty when the model is not the municipality's.

    Declared in ``OWNERS`` or, when exactly one chain remains, that chain. Several undeclared
    chains are a decision nobody made: the model is not exported (and the test says so).
    """
    declared = owners()
    if model._meta.label in declared:
        return declared[model._meta.label]
    candidates = ownership_candidates(model)
    return tuple(candidates) if len(candidates) == 1 else ()


def exported_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in SKIPPED_APPS and not model._meta.proxy and ownership(model)
    ]


def owned_queryset(model: type[models.Model], municipality: Municipality) -> models.QuerySet:
    """The model's rows owned by ``municipality`` (forward FKs only: no row comes twice)."""
    condition = Q(pk__in=[])
    for path in ownership(model):
        condition |= Q(**{path: municipality.pk})
    return model._default_manager.filter(condition).order_by("pk")


def _fields(model: type[models.Model]) -> list[models.Field]:
    # A stored file's name is its random token: the file itself is not part of the export.
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in SECRET_FIELDS and not isinstance(field, models.FileField)
    ]


def _cell(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if value is not None and not isinstance(value, (str, int, float, bool)) and not hasattr(value, "isoformat"):
        return str(value)
    return value


def sheet_title(model: type[models.Model]) -> str:
    """The model's Russian plural name, without the characters Excel refuses in a sheet title."""
    title = str(model._meta.verbose_name_plural)
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31].strip() or model._meta.model_name[:31]


@dataclass
class ExportSummary:
    models: int = 0
    rows: int = 0


Progress = Callable[[int, str], None]


class _Counter:
    """Turns rows written into a percentage for ``progress`` (each row is read twice)."""

    def __init__(self, total: int, progress: Progress | None):
        self.total, self.done, self.progress, self.last = max(total * 2, 1), 0, progress, -1

    def rows(self, rows: Iterable, stage: str) -> Iterator:
        pending = 0
        for row in rows:
            yield row
            pending += 1
            if pending == CHUNK_SIZE:
                self.add(pending, stage)
                pending = 0
        self.add(pending, stage)

    def add(self, count: int, stage: str) -> None:
        self.done += count
        percent = min(99, max(1, 100 * self.done // self.total))
        if self.progress is not None and percent != self.last:
            self.last = percent
            self.progress(percent, stage)


def _write_json(archive: zipfile.ZipFile, model, queryset, fields, counter: _Counter) -> None:
    # User is the one model with a natural key: fetch the users with their rows, not one by one.
    natural = [field.name for field in fields if field.is_relation and hasattr(field.related_model, "natural_key")]
    rows = queryset.select_related(*natural) if natural else queryset
    with (
        archive.open(f"{model._meta.label_lower}.json", "w", force_zip64=True) as raw,
        TextIOWrapper(raw, encoding="utf-8") as text,
    ):
        serializers.serialize(
            "json",
            counter.rows(rows.iterator(chunk_size=CHUNK_SIZE), str(model._meta.verbose_name_plural)),
            fields=[field.name for field in fields if not field.primary_key],
            use_natural_foreign_keys=True,
            indent=1,
            stream=text,
        )


def _write_sheets(workbook: Workbook, titles: set[str], model, queryset, fields, counter: _Counter) -> None:
    def new_sheet():
        title = base = sheet_title(model)
        n = 2
        while title.lower() in titles:
            title = f"{base[:28]} {n}"
            n += 1
        titles.add(title.lower())
        sheet = workbook.create_sheet(title=title)
        sheet.append([str(field.verbose_name) for field in fields])
        return sheet

    sheet, used = new_sheet(), 0
    values = queryset.values_list(*[field.attname for field in fields]).iterator(chunk_size=CHUNK_SIZE)
    for row in counter.rows(values, str(model._meta.verbose_name_plural)):
        if used == MAX_SHEET_ROWS:
            sheet, used = new_sheet(), 0
        sheet.append(safe_row(_cell(value) for value in row))
        used += 1


def municipality_export_write(
    *, municipality: Municipality, out: BinaryIO | Path, progress: Progress | None = None
) -> ExportSummary:
    """Write a ZIP with ``<app>.<model>.json`` per model and ``export.xlsx`` (a sheet per model).

    Used by ``manage.py export_municipality`` and by the export page's Celery task
    (``reports.services.municipal_export_run``). ``progress(percent, stage)`` is called as
    rows are written.
    """
    plan = [(model, owned_queryset(model, municipality), _fields(model)) for model in exported_models()]
    summary = ExportSummary(models=len(plan))
    if progress is not None:
        progress(1, "Подсчёт записей")
    summary.rows = sum(queryset.count() for _, queryset, _ in plan)
    counter = _Counter(summary.rows, progress)
    workbook = Workbook(write_only=True)
    titles: set[str] = set()
    with (
        tempfile.TemporaryDirectory(prefix="opora-export-") as tmp,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for model, queryset, fields in plan:
            _write_json(archive, model, queryset, fields, counter)
            _write_sheets(workbook, titles, model, queryset, fields, counter)
        if progress is not None:
            progress(99, "Запись книги XLSX")
        # The write-only workbook keeps its sheets in temporary files; the archive copies the
        # finished book from disk.
        xlsx = Path(tmp) / "export.xlsx"
        workbook.save(xlsx)
        archive.write(xlsx, "export.xlsx")
    return summary
