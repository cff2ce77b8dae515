"""Everything one municipality owns, as JSON (Django serialisation) and one XLSX workbook.

"Owns" is discovered, not listed: a model is exported when a chain of at most ``MAX_DEPTH``
foreign keys leads from it to Municipality, School or Organisation (a new app's models are
picked up by themselves). Password hashes never leave the database.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from decimal import Decimal

from django.apps import apps
from django.core import serializers
from django.db import models
from django.db.models import Q
from django.utils import timezone
from openpyxl import Workbook

from core.xlsx import safe_row
from schools.models import Municipality, Organisation, School

MAX_DEPTH = 3
ANCHORS = (Municipality, School, Organisation)
# Download tokens are internal file identifiers; password hashes never leave the database.
SECRET_FIELDS = {"password", "token"}
# Framework tables: logs and sessions are not the municipality's data.
SKIPPED_APPS = {"admin", "sessions", "contenttypes", "auth", "axes", "django_celery_results"}


def anchor_filter(anchor: type[models.Model], path: str, municipality: Municipality) -> Q:
    if anchor is Municipality:
        return Q(**{path or "pk": municipality.pk})
    return Q(**{f"{path}__municipality" if path else "municipality": municipality.pk})


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


def exported_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in SKIPPED_APPS and not model._meta.proxy and owner_paths(model)
    ]


def owned_queryset(model: type[models.Model], municipality: Municipality) -> models.QuerySet:
    condition = Q(pk__in=[])
    for anchor, path in owner_paths(model):
        condition |= anchor_filter(anchor, path, municipality)
    return model._default_manager.filter(condition).distinct().order_by("pk")


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if field.name not in SECRET_FIELDS]


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


def municipality_export_zip(*, municipality: Municipality) -> bytes:
    """A ZIP with ``<app>.<model>.json`` per model and ``export.xlsx`` (a sheet per model)."""
    buffer = io.BytesIO()
    workbook = Workbook(write_only=True)
    titles: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for model in exported_models():
            queryset = owned_queryset(model, municipality)
            fields = _fields(model)
            archive.writestr(
                f"{model._meta.label_lower}.json",
                serializers.serialize(
                    "json",
                    queryset,
                    fields=[field.name for field in fields if not field.primary_key],
                    use_natural_foreign_keys=True,
                    indent=1,
                ),
            )
            title = sheet_title(model)
            base, n = title, 2
            while title.lower() in titles:
                title = f"{base[:28]} {n}"
                n += 1
            titles.add(title.lower())
            sheet = workbook.create_sheet(title=title)
            sheet.append([str(field.verbose_name) for field in fields])
            for row in queryset.values_list(*[field.attname for field in fields]).iterator(chunk_size=2000):
                sheet.append(safe_row(_cell(value) for value in row))
        xlsx = io.BytesIO()
        workbook.save(xlsx)
        archive.writestr("export.xlsx", xlsx.getvalue())
    return buffer.getvalue()
