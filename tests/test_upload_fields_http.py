"""The hostile-upload corpus (tests/hostile_uploads.py) through HTTP, against every upload field.

Each field is posted to through its real view by a user who may use it, the way a browser
sends a form: the answer is never a server error, the user reads why the file was refused in
Russian (the form's error, the page's message, or the import job's error list), and nothing
of the file stays on disk.

``test_every_upload_field_is_walked`` walks the forms and the models of the project: a new
file field fails it until it is listed in ``FIELDS`` (posted here), or in ``ELSEWHERE``
(posted through HTTP by another test module, named there) or ``GENERATED`` (files the
portal writes itself, never uploaded).
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from accounts.models import Role
from events.tests.factories import EventFactory, PageFactory, PracticeFactory
from monitoring.models import ImportJob
from partnerships.models import Agreement
from partnerships.tests.conftest import agreement_with
from schools.models import RegistryImport
from tests.factories import UserFactory
from tests.hostile_uploads import CORPUS
from tests.test_hostile_uploads import _russian_only


@dataclass(frozen=True)
class Field:
    url_name: str
    actor: str
    field: str
    url_kwargs: Callable[[dict], dict] = lambda made: {}
    data: Callable[[dict], dict] = lambda made: {}


# form class (module.Class) and its file field → how to post to it
FIELDS: dict[tuple[str, str], Field] = {
    ("monitoring.forms.ResultsUploadForm", "file"): Field("monitoring:import_upload", "department", "file"),
    ("schools.forms.RegistryUploadForm", "file"): Field("schools:import", "department", "file"),
    ("teachers.forms.RosterUploadForm", "file"): Field(
        "teachers:roster_import", "director", "file", url_kwargs=lambda made: {"school_pk": made["school"].pk}
    ),
    ("teachers.forms.DiagnosticsUploadForm", "file"): Field(
        "teachers:diagnostics_import", "director", "file", url_kwargs=lambda made: {"school_pk": made["school"].pk}
    ),
    ("analytics.forms.CatalogueUploadForm", "file"): Field("analytics:catalogue_upload", "operator", "file"),
    ("people.forms.PeopleUploadForm", "file"): Field("people:import", "department", "file"),
    ("partnerships.forms.ScanForm", "scan"): Field(
        "partnerships:agreement_scan_upload", "department", "scan", url_kwargs=lambda made: {"pk": made["agreement"].pk}
    ),
    ("events.forms.MaterialForm", "file"): Field(
        "events:staff_material_upload",
        "methodologist",
        "file",
        url_kwargs=lambda made: {"pk": made["event"].pk},
        data=lambda made: {"title": "Материалы", "kind": "material"},
    ),
    ("events.forms.AttachmentForm", "file"): Field(
        "events:staff_practice_files",
        "methodologist",
        "file",
        url_kwargs=lambda made: {"pk": made["practice"].pk},
        data=lambda made: {"title": "Приложение"},
    ),
}
# The same form on a second page.
PAGE_ATTACHMENT = Field(
    "events:staff_page_files",
    "methodologist",
    "file",
    url_kwargs=lambda made: {"pk": made["page"].pk},
    data=lambda made: {"title": "Документ"},
)
POSTED = [*FIELDS.values(), PAGE_ATTACHMENT]

# Posted through HTTP by other modules (the page needs a whole procedure behind it).
ELSEWHERE = {
    ("identification.forms.DecisionForm", "decision_file"): "identification/tests/test_decisions.py",
    ("roadmaps.forms.ProgressForm", "files_<pk>"): "roadmaps/tests/test_progress.py",
    ("core.forms.SpreadsheetUploadForm", "file"): "the base of the spreadsheet forms above",
}

# Model file fields and the form fields that fill them; files the portal writes itself.
MODEL_FIELDS = {
    "monitoring.ImportJob.file": ("monitoring.forms.ResultsUploadForm", "file"),
    "schools.RegistryImport.file": ("schools.forms.RegistryUploadForm", "file"),
    "roadmaps.Evidence.file": ("roadmaps.forms.ProgressForm", "files_<pk>"),
    "partnerships.Agreement.scan": ("partnerships.forms.ScanForm", "scan"),
    "events.EventMaterial.file": ("events.forms.MaterialForm", "file"),
    "events.PracticeFile.file": ("events.forms.AttachmentForm", "file"),
    "events.PageAttachment.file": ("events.forms.AttachmentForm", "file"),
    "identification.Decision.file": ("identification.forms.DecisionForm", "decision_file"),
}
GENERATED = {"reports.ReportRequest.file", "reports.Snapshot.file", "reports.MunicipalExport.file"}


# --- The walk ----------------------------------------------------------------------------------


def _project_form_file_fields() -> set[tuple[str, str]]:
    """(module.Class, field) of every file field of every form class in the project's apps; fields a
    form adds in ``__init__`` (``self.fields[f"files_{pk}"] = MultipleFileField(…)``) are found in its source."""
    found: set[tuple[str, str]] = set()
    base = Path(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(base) or ".venv" in Path(config.path).parts:
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__):
                continue
            for field_name, field in getattr(cls, "base_fields", {}).items():
                if isinstance(field, forms.FileField):
                    found.add((f"{module.__name__}.{name}", field_name))
            for match in re.finditer(r'self\.fields\[f?"(\w+)\{\w+\}"\]\s*=\s*(\w+)\(', inspect.getsource(cls)):
                if issubclass(getattr(module, match[2], object), forms.FileField):
                    found.add((f"{module.__name__}.{name}", f"{match[1]}<pk>"))
    return found


def _project_model_file_fields() -> set[str]:
    base = Path(settings.BASE_DIR)
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if Path(apps.get_app_config(model._meta.app_label).path).is_relative_to(base)
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }


def test_every_upload_field_is_walked():
    form_fields = _project_form_file_fields()
    assert len(form_fields) >= 10  # the walk did reach the apps' forms
    unwalked = sorted(form_fields - set(FIELDS) - set(ELSEWHERE))
    assert not unwalked, f"post the hostile corpus to these upload fields (FIELDS here): {unwalked}"
    assert sorted((set(FIELDS) | set(ELSEWHERE)) - form_fields) == [], "fields listed here that are gone"
    model_fields = _project_model_file_fields()
    assert sorted(model_fields - set(MODEL_FIELDS) - GENERATED) == [], "say which form fills these model fields"
    assert sorted(set(MODEL_FIELDS) | GENERATED) == sorted(model_fields), "fields listed here that are gone"
    assert set(MODEL_FIELDS.values()) <= set(FIELDS) | set(ELSEWHERE)
    for path in set(ELSEWHERE.values()):
        if path.endswith(".py"):
            assert "CORPUS" in (Path(settings.BASE_DIR) / path).read_text(), path


# --- Posting the corpus ------------------------------------------------------------------------


@pytest.fixture
def made(db, cast, school, other_school, municipality):
    return {
        "school": school,
        "agreement": agreement_with(supported=school, partners=[other_school], status=Agreement.Status.SIGNED),
        "event": EventFactory(municipality=municipality),
        "practice": PracticeFactory(municipality=municipality),
        "page": PageFactory(municipality=municipality),
        "users": {
            **cast,
            "operator": UserFactory(username="operator", role=Role.REGION, is_staff=True, is_superuser=True),
        },
    }


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _what_the_user_reads(response) -> list[str]:
    """Errors on the page: the forms' errors, the messages, the error of the import job it shows."""
    said = [m.message for m in get_messages(response.wsgi_request) if m.level_tag in ("error", "warning")]
    for context in response.context or []:
        for value in context.flatten().values():
            if isinstance(value, forms.BaseForm) and value.is_bound:
                said += [error for errors in value.errors.values() for error in errors]
            if isinstance(value, ImportJob | RegistryImport):
                assert value.is_finished, f"the job is {value.status}: the worker did not run it"
                said += [value.error] if value.error else []
                said += [error["message"] for error in value.errors]
    return said


@pytest.mark.parametrize("field", POSTED, ids=lambda field: field.url_name)
def test_every_upload_field_refuses_the_corpus_through_http(
    client, made, field: Field, django_capture_on_commit_callbacks
):
    client.force_login(made["users"][field.actor])
    url = reverse(field.url_name, kwargs=field.url_kwargs(made))
    wrong: list[str] = []
    for hostile in CORPUS:
        upload = SimpleUploadedFile(hostile.name, hostile.build())
        # The worker runs once the request commits, as in production; then the browser follows the redirect.
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {**field.data(made), field.field: upload})
        if response.status_code == 302:
            response = client.get(response["Location"], follow=True)
        said = _what_the_user_reads(response)
        if response.status_code != 200:
            wrong.append(f"{hostile.slug}: {response.status_code}")
        elif not said:
            wrong.append(f"{hostile.slug}: nothing tells the user the file was refused")
        elif not all(_russian_only(text) for text in said):
            wrong.append(f"{hostile.slug}: {said}")
        if stored := _stored_files():
            wrong.append(f"{hostile.slug}: stored {[p.name for p in stored]}")
            for path in stored:
                path.unlink()
    assert not wrong, "\n".join(wrong)
