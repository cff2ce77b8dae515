"""Writes of the reports app: requesting a report, rendering it, freezing snapshots.

Scope is checked twice (DESIGN.md §3: «in views, htmx fragments, exports, PDFs and Celery
tasks alike»): ``report_request_create`` builds nothing but runs the kind's scope checks
(``reports.documents``) with the requesting user, so a director asking for another school's
passport gets a 404 and nothing is queued; ``report_render`` builds the document with the
same user again, so a scope withdrawn while the request waited is honoured too.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from core.audit import audit_record
from core.errors import ApplicationError
from core.jobs.services import Claim, JobFailed, job_enqueue, job_finish, job_is_done, job_run, job_sweep
from core.pdf import render_pdf
from core.tabular import xlsx_bytes
from reports import documents, selectors
from reports.models import Format, Kind, MunicipalExport, ReportRequest, Snapshot
from roadmaps.models import ProgressReport, Roadmap
from schools.models import Municipality
from schools.municipal_export import municipality_export_write

logger = logging.getLogger(__name__)

S = ReportRequest.Status
INTERNAL_ERROR = (
    "Не удалось сформировать отчёт из-за внутренней ошибки. Попробуйте ещё раз или сообщите администратору."
)

# Checks of the parameters that need no rendering: the same fetches the builders start with.
_CHECKS = {
    Kind.PASSPORT: lambda user, params: documents.school_of(user, params),
    Kind.ROADMAP_EXECUTION: lambda user, params: _check_execution(user, params),
    Kind.YEAR_RESULTS: lambda user, params: _check_year_results(user, params),
    Kind.AGREEMENTS: lambda user, params: params.get("municipality") and documents.municipality_of(user, params),
    Kind.EVENTS: lambda user, params: _check_events(user, params),
    Kind.IDENTIFICATION: lambda user, params: _check_identification(user, params),
    # Every signed-in user reads a registry (their scope's schools; schools.scopes).
    Kind.REGISTRY: lambda user, params: None,
    # The agreements a user reads (partnerships.selectors.agreements_for), possibly none.
    Kind.AGREEMENT_LIST: lambda user, params: None,
    Kind.MUNICIPALITY_ANALYTICS: lambda user, params: documents.municipality_analytics_of(user, params),
    Kind.EVENT_PARTICIPANTS: lambda user, params: documents.event_of(user, params),
}


def _check_identification(user: User, params: dict) -> None:
    from identification.selectors import run_get

    run_get(user=user, pk=documents._int(params, "run"))


class ReportRefused(ApplicationError, ValueError):
    """A request that cannot be made (a kind not available yet, a format the kind has not)."""


# The refusals' words (tests import them: core.errors).
PERIOD_REVERSED = "Начало периода позже его окончания."
KIND_UNAVAILABLE = "Этот вид отчёта пока недоступен."
ONLY_PDF = "Этот отчёт формируется только в PDF."
ONLY_XLSX = "Этот отчёт формируется только в XLSX."
EXPORT_RUNNING = "Выгрузка этого муниципалитета уже формируется: дождитесь её окончания."
# The job's failures the user reads on the request.
OBJECT_GONE = "Нет доступа к выбранному объекту или он удалён: отчёт не сформирован."
KIND_NOT_FOR_ROLE = "Этот вид отчёта недоступен для вашей роли."


def _check_execution(user: User, params: dict) -> None:
    from roadmaps.selectors import period_get

    period_get(user=user, pk=documents._int(params, "period"))
    if params.get("school"):
        documents.school_of(user, params)
    else:
        documents._require_municipal_reader(user)


def _check_year_results(user: User, params: dict) -> None:
    documents._require_municipal_reader(user)
    documents.municipality_of(user, params)
    documents.year_of(params)


def _check_events(user: User, params: dict) -> None:
    documents._require_municipal_reader(user)
    if documents._date_param(params, "date_from") > documents._date_param(params, "date_to"):
        raise ReportRefused(PERIOD_REVERSED)
    if params.get("municipality"):
        documents.municipality_of(user, params)


def available_kinds() -> list[str]:
    return list(documents.BUILDERS)


def report_request_create(*, user: User, kind: str, fmt: str = Format.PDF, params: dict, title: str) -> ReportRequest:
    """Check the user may have this report, store the request and queue its rendering on commit.

    Raises ``Http404`` for an object outside the user's scope, ``PermissionDenied`` for a role
    that may never have the kind, ``ReportRefused`` for a kind or format not offered.
    """
    if kind not in documents.BUILDERS:
        raise ReportRefused(KIND_UNAVAILABLE)
    if fmt == Format.XLSX and kind not in documents.TABULAR:
        raise ReportRefused(ONLY_PDF)
    if fmt != Format.XLSX and kind in documents.XLSX_ONLY:
        raise ReportRefused(ONLY_XLSX)
    _CHECKS[Kind(kind)](user, params)
    request = ReportRequest.objects.create(kind=kind, format=fmt, params=params, title=title[:300], requested_by=user)
    # A broker outage leaves the request «queued»: the sweep (core.jobs) sends it later.
    job_enqueue(request)
    return request


def report_render(*, request_id: int) -> bool:
    """Render a queued request; safe to run twice (core.jobs claims it once)."""
    ran = job_run(ReportRequest, request_id, _report_work, progress=5, stage="Сбор данных")
    return ran and job_is_done(ReportRequest, request_id)


def _report_work(claim: Claim) -> None:
    request = ReportRequest.objects.select_related("requested_by").get(pk=claim.pk)

    def progress(percent: int, stage: str) -> None:
        claim.progress(percent, stage=stage[:200])

    try:
        document = documents.BUILDERS[request.kind](user=request.requested_by, params=request.params, progress=progress)
        progress(85, "Вёрстка документа" if request.format == Format.PDF else "Запись таблицы")
        content = render_document(document, fmt=request.format)
    except Http404 as exc:
        raise JobFailed(OBJECT_GONE) from exc
    except PermissionDenied as exc:
        raise JobFailed(KIND_NOT_FOR_ROLE) from exc
    with _stored(request.file, f"{request.token}.{request.format}", ContentFile(content)) as name:
        job_finish(
            claim,
            file=name,
            file_size=len(content),
            stage="",
            title=document.title[:300] if not request.title else request.title,
        )


@contextmanager
def _stored(field, name: str, content) -> Iterator[str]:
    """Store a job's file, then run the block (which finishes the job) in a transaction; the file is
    deleted again if the job could not be finished (taken back meanwhile, or the database failed)."""
    field.save(name, content, save=False)
    try:
        with transaction.atomic():
            yield field.name
    except BaseException:
        field.storage.delete(field.name)
        raise


def render_document(document: documents.Document, *, fmt: str = Format.PDF) -> bytes:
    if fmt == Format.XLSX:
        if document.workbook is not None:
            return document.workbook
        if document.sheet is None:
            raise ReportRefused(ONLY_PDF)
        sheet = document.sheet
        return xlsx_bytes(sheet.title, sheet.headers, sheet.rows, widths=sheet.widths)
    return render_pdf(document.template, document.context)


def report_request_get(*, user: User, pk: int) -> ReportRequest:
    """The user's own request (the archive is per user); anybody else's is a 404."""
    return get_object_or_404(ReportRequest.objects.filter(requested_by=user), pk=pk)


# Kinds whose file lists people (an event's participants: names, e-mail addresses, schools):
# their downloads are in the audit log, as the municipal export's are.
PERSONAL_DATA_KINDS = frozenset({Kind.EVENT_PARTICIPANTS})


def report_file_open(*, user: User, report: ReportRequest):
    """The finished report's file, opened for its requester; a download of a file that lists
    people is recorded in the audit log (in the caller's request, with the file already open)."""
    handle = report.file.open("rb")
    if report.kind in PERSONAL_DATA_KINDS:
        audit_record(
            actor=user,
            action="report.personal_downloaded",
            target=report,
            municipality_id=getattr(user, "municipality_id", None),
            details={"kind": report.kind, "title": report.title},
        )
    return handle


# --- Frozen snapshots ------------------------------------------------------------------------------


def snapshot_queue(*, roadmap: Roadmap, report: ProgressReport | None = None) -> Snapshot:
    """Store a snapshot row now (inside the caller's transaction) and render its PDF on commit.

    Called by ``roadmaps.services`` when a roadmap is approved and when a progress report is
    submitted (issue #9, «frozen snapshots»).
    """
    event = Snapshot.Event.REPORT_SUBMITTED if report else Snapshot.Event.ROADMAP_APPROVED
    snapshot = Snapshot.objects.create(event=event, roadmap=roadmap, progress_report=report, frozen_at=timezone.now())
    job_enqueue(snapshot)
    return snapshot


def snapshot_render(*, snapshot_id: int) -> bool:
    """Render a queued snapshot; safe to run twice (core.jobs claims it once)."""
    return job_run(Snapshot, snapshot_id, _snapshot_work) and job_is_done(Snapshot, snapshot_id)


def _snapshot_work(claim: Claim) -> None:
    snapshot = Snapshot.objects.select_related(
        "roadmap__municipality",
        "roadmap__school__organisation",
        "roadmap__start_year",
        "roadmap__end_year",
        "roadmap__approved_by",
        "progress_report__period",
        "progress_report__submitted_by",
    ).get(pk=claim.pk)
    if snapshot.progress_report is not None:
        document = documents.progress_report_snapshot(report=snapshot.progress_report)
    else:
        document = documents.roadmap_snapshot(roadmap=snapshot.roadmap)
    content = render_pdf(document.template, document.context)
    with _stored(snapshot.file, f"{snapshot.token}.pdf", ContentFile(content)) as name:
        job_finish(claim, file=name)


def reports_requeue_stale(*, now: dt.datetime | None = None) -> int:
    """The job layer's sweep (core.jobs) over report requests, snapshots and exports: how many it moved."""
    return sum(len(job_sweep(model, now=now).ids) for model in (ReportRequest, Snapshot, MunicipalExport))


# --- The municipality's data export (issue #10) ------------------------------------------------

EXPORT_FAILED = MunicipalExport.CRASH_MESSAGE
EXPORT_NO_ACCESS = "У заказавшего больше нет доступа к данным этого муниципалитета: выгрузка не сформирована."


class ExportRefused(ApplicationError, ValueError):
    """An export that cannot be ordered now (one of the municipality is still being made)."""


def municipal_export_request(*, user: User, municipality: Municipality) -> MunicipalExport:
    """Order an export of everything ``municipality`` owns; written by the ``reports`` queue.

    One export of a municipality at a time: a second order while one is queued or running is
    refused (a double click must not make the worker read the whole municipality twice).
    """
    selectors.export_municipality_get(user=user, pk=municipality.pk)
    with transaction.atomic():
        # Serialise concurrent orders of one municipality (PostgreSQL; SQLite's writes are serial).
        Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
        if MunicipalExport.objects.filter(municipality=municipality, status__in=(S.QUEUED, S.RUNNING)).exists():
            raise ExportRefused(EXPORT_RUNNING)
        export = MunicipalExport.objects.create(municipality=municipality, requested_by=user)
        audit_record(actor=user, action="municipal_export.requested", target=export, municipality_id=municipality.pk)
        # A broker outage leaves the export «queued»: the sweep (core.jobs) sends it later.
        job_enqueue(export)
    return export


def municipal_export_run(*, export_id: int) -> bool:
    """Write a queued export; safe to run twice (core.jobs claims it once).

    The requester's scope is checked again: access withdrawn while the export waited is honoured.
    """
    ran = job_run(MunicipalExport, export_id, _export_work, stage="Подготовка")
    return ran and job_is_done(MunicipalExport, export_id)


def _export_work(claim: Claim) -> None:
    export = MunicipalExport.objects.select_related("municipality", "requested_by").get(pk=claim.pk)
    user = export.requested_by
    if user is None or not selectors.export_municipalities_for(user=user).filter(pk=export.municipality_id).exists():
        raise JobFailed(EXPORT_NO_ACCESS)

    def progress(percent: int, stage: str) -> None:
        claim.progress(percent, stage=stage[:200])

    with tempfile.TemporaryFile(suffix=".zip") as tmp:
        summary = municipality_export_write(municipality=export.municipality, out=tmp, progress=progress)
        size = tmp.tell()
        with _stored(export.file, f"{export.token}.zip", File(tmp)) as name:
            finished = timezone.now()
            job_finish(
                claim,
                file=name,
                file_size=size,
                rows_count=summary.rows,
                stage="",
                finished_at=finished,
                expires_at=finished + dt.timedelta(days=settings.MUNICIPAL_EXPORT_KEEP_DAYS),
            )


def municipal_export_open(*, user: User, export: MunicipalExport):
    """The export's file, opened for the user; the download is recorded in the audit log."""
    if not export.can_download:
        raise Http404("Файл выгрузки не готов или уже удалён")
    handle = export.file.open("rb")
    audit_record(
        actor=user, action="municipal_export.downloaded", target=export, municipality_id=export.municipality_id
    )
    return handle


def municipal_exports_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files of exports past their keeping date; the rows stay as history."""
    now = now or timezone.now()
    purged = 0
    for export in MunicipalExport.objects.filter(expires_at__lt=now, file_deleted_at=None).exclude(file=""):
        export.file.delete(save=False)
        MunicipalExport.objects.filter(pk=export.pk).update(file="", file_deleted_at=now)
        purged += 1
    return purged
