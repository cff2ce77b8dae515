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

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from core.audit import audit_record
from core.pdf import render_pdf
from core.queue import RESEND_QUEUED_AFTER, STALE_RUNNING_AFTER, enqueue_on_commit, requeue_stale
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
}


def _check_identification(user: User, params: dict) -> None:
    from identification.selectors import run_get

    run_get(user=user, pk=documents._int(params, "run"))


class ReportRefused(ValueError):
    """A request that cannot be made (a kind not available yet, a format the kind has not)."""


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
        raise ReportRefused("Начало периода позже его окончания.")
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
        raise ReportRefused("Этот вид отчёта пока недоступен.")
    if fmt == Format.XLSX and kind not in documents.TABULAR:
        raise ReportRefused("Этот отчёт формируется только в PDF.")
    _CHECKS[Kind(kind)](user, params)
    request = ReportRequest.objects.create(kind=kind, format=fmt, params=params, title=title[:300], requested_by=user)
    from reports.tasks import render_report

    # A broker outage leaves the request «queued»: the sweep (reports_requeue_stale) sends it later.
    enqueue_on_commit(render_report, request.pk)
    return request


def _set_progress(request_id: int):
    def progress(percent: int, stage: str) -> None:
        ReportRequest.objects.filter(pk=request_id, status=S.RUNNING).update(progress=percent, stage=stage[:200])

    return progress


def report_render(*, request_id: int) -> bool:
    """Render a queued request; safe to run twice (the conditional UPDATE claims it once)."""
    claimed = ReportRequest.objects.filter(pk=request_id, status=S.QUEUED).update(
        status=S.RUNNING, started_at=timezone.now(), progress=5, stage="Сбор данных"
    )
    if not claimed:
        return False
    request = ReportRequest.objects.select_related("requested_by").get(pk=request_id)
    progress = _set_progress(request_id)
    try:
        document = documents.BUILDERS[request.kind](user=request.requested_by, params=request.params, progress=progress)
        progress(85, "Вёрстка документа" if request.format == Format.PDF else "Запись таблицы")
        content = render_document(document, fmt=request.format)
    except Http404:
        _fail(request_id, "Нет доступа к выбранному объекту или он удалён: отчёт не сформирован.")
        return False
    except PermissionDenied:
        _fail(request_id, "Этот вид отчёта недоступен для вашей роли.")
        return False
    except Exception:
        logger.exception("report %s failed", request_id)
        _fail(
            request_id,
            "Не удалось сформировать отчёт из-за внутренней ошибки. Попробуйте ещё раз или сообщите администратору.",
        )
        return False
    request.file.save(f"{request.token}.{request.format}", ContentFile(content), save=False)
    ReportRequest.objects.filter(pk=request_id, status=S.RUNNING).update(
        status=S.DONE,
        file=request.file.name,
        file_size=len(content),
        progress=100,
        stage="",
        finished_at=timezone.now(),
        title=document.title[:300] if not request.title else request.title,
    )
    return True


def _fail(request_id: int, message: str) -> None:
    ReportRequest.objects.filter(pk=request_id).update(
        status=S.FAILED, error=message, stage="", finished_at=timezone.now()
    )


def render_document(document: documents.Document, *, fmt: str = Format.PDF) -> bytes:
    if fmt == Format.XLSX:
        if document.sheet is None:
            raise ReportRefused("Этот отчёт формируется только в PDF.")
        sheet = document.sheet
        return xlsx_bytes(sheet.title, sheet.headers, sheet.rows, widths=sheet.widths)
    return render_pdf(document.template, document.context)


def report_request_get(*, user: User, pk: int) -> ReportRequest:
    """The user's own request (the archive is per user); anybody else's is a 404."""
    return get_object_or_404(ReportRequest.objects.filter(requested_by=user), pk=pk)


# --- Frozen snapshots ------------------------------------------------------------------------------


def snapshot_queue(*, roadmap: Roadmap, report: ProgressReport | None = None) -> Snapshot:
    """Store a snapshot row now (inside the caller's transaction) and render its PDF on commit.

    Called by ``roadmaps.services`` when a roadmap is approved and when a progress report is
    submitted (issue #9, «frozen snapshots»).
    """
    event = Snapshot.Event.REPORT_SUBMITTED if report else Snapshot.Event.ROADMAP_APPROVED
    snapshot = Snapshot.objects.create(event=event, roadmap=roadmap, progress_report=report, frozen_at=timezone.now())
    from reports.tasks import render_snapshot

    enqueue_on_commit(render_snapshot, snapshot.pk)
    return snapshot


def snapshot_render(*, snapshot_id: int) -> bool:
    claimed = Snapshot.objects.filter(pk=snapshot_id, status=S.QUEUED).update(status=S.RUNNING)
    if not claimed:
        return False
    snapshot = Snapshot.objects.select_related(
        "roadmap__municipality",
        "roadmap__school__organisation",
        "roadmap__start_year",
        "roadmap__end_year",
        "roadmap__approved_by",
        "progress_report__period",
        "progress_report__submitted_by",
    ).get(pk=snapshot_id)
    try:
        if snapshot.progress_report is not None:
            document = documents.progress_report_snapshot(report=snapshot.progress_report)
        else:
            document = documents.roadmap_snapshot(roadmap=snapshot.roadmap)
        content = render_pdf(document.template, document.context)
    except Exception:
        logger.exception("snapshot %s failed", snapshot_id)
        Snapshot.objects.filter(pk=snapshot_id).update(status=S.FAILED, error="Не удалось сформировать снимок.")
        return False
    snapshot.file.save(f"{snapshot.token}.pdf", ContentFile(content), save=False)
    Snapshot.objects.filter(pk=snapshot_id, status=S.RUNNING).update(status=S.DONE, file=snapshot.file.name)
    return True


def reports_requeue_stale(*, now: dt.datetime | None = None) -> int:
    """Send again the requests, snapshots and exports left «queued» (broker outage) or stuck «running»."""
    from reports.tasks import render_municipal_export, render_report, render_snapshot

    now = now or timezone.now()
    lost = Q(status=S.QUEUED, created_at__lt=now - RESEND_QUEUED_AFTER)
    requests = requeue_stale(
        jobs=ReportRequest.objects.all(),
        task=render_report,
        lost=lost,
        stuck=Q(status=S.RUNNING, started_at__lt=now - STALE_RUNNING_AFTER),
        unstick={"status": S.QUEUED, "progress": 0, "stage": ""},
    )
    snapshots = requeue_stale(
        jobs=Snapshot.objects.all(),
        task=render_snapshot,
        lost=lost,
        stuck=Q(status=S.RUNNING, created_at__lt=now - STALE_RUNNING_AFTER),
        unstick={"status": S.QUEUED},
    )
    exports = requeue_stale(
        jobs=MunicipalExport.objects.all(),
        task=render_municipal_export,
        lost=lost,
        stuck=Q(status=S.RUNNING, heartbeat_at__lt=now - EXPORT_SILENT_AFTER),
        unstick={"status": S.QUEUED, "progress": 0, "stage": ""},
    )
    return len(requests) + len(snapshots) + len(exports)


# --- The municipality's data export (issue #10) ------------------------------------------------

# An export reports progress every few thousand rows; one silent this long lost its worker.
EXPORT_SILENT_AFTER = dt.timedelta(minutes=10)
EXPORT_FAILED = (
    "Не удалось сформировать выгрузку из-за внутренней ошибки. Попробуйте ещё раз или сообщите администратору."
)
EXPORT_NO_ACCESS = "У заказавшего больше нет доступа к данным этого муниципалитета: выгрузка не сформирована."


class ExportRefused(ValueError):
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
            raise ExportRefused("Выгрузка этого муниципалитета уже формируется: дождитесь её окончания.")
        export = MunicipalExport.objects.create(municipality=municipality, requested_by=user)
        audit_record(actor=user, action="municipal_export.requested", target=export, municipality_id=municipality.pk)
        from reports.tasks import render_municipal_export

        # A broker outage leaves the export «queued»: the sweep (reports_requeue_stale) sends it later.
        enqueue_on_commit(render_municipal_export, export.pk)
    return export


def _export_progress(export_id: int):
    def progress(percent: int, stage: str) -> None:
        MunicipalExport.objects.filter(pk=export_id, status=S.RUNNING).update(
            progress=percent, stage=stage[:200], heartbeat_at=timezone.now()
        )

    return progress


def _export_fail(export_id: int, message: str) -> None:
    MunicipalExport.objects.filter(pk=export_id).update(
        status=S.FAILED, error=message, stage="", finished_at=timezone.now()
    )


def municipal_export_run(*, export_id: int) -> bool:
    """Write a queued export; safe to run twice (the conditional UPDATE claims it once).

    The requester's scope is checked again: access withdrawn while the export waited is honoured.
    """
    now = timezone.now()
    claimed = MunicipalExport.objects.filter(pk=export_id, status=S.QUEUED).update(
        status=S.RUNNING, started_at=now, heartbeat_at=now, progress=0, stage="Подготовка", error=""
    )
    if not claimed:
        return False
    export = MunicipalExport.objects.select_related("municipality", "requested_by").get(pk=export_id)
    user = export.requested_by
    if user is None or not selectors.export_municipalities_for(user=user).filter(pk=export.municipality_id).exists():
        _export_fail(export_id, EXPORT_NO_ACCESS)
        return False
    try:
        with tempfile.TemporaryFile(suffix=".zip") as tmp:
            summary = municipality_export_write(
                municipality=export.municipality, out=tmp, progress=_export_progress(export_id)
            )
            size = tmp.tell()
            export.file.save(f"{export.token}.zip", File(tmp), save=False)
    except Exception:
        logger.exception("municipal export %s failed", export_id)
        _export_fail(export_id, EXPORT_FAILED)
        return False
    finished = timezone.now()
    updated = MunicipalExport.objects.filter(pk=export_id, status=S.RUNNING).update(
        status=S.DONE,
        file=export.file.name,
        file_size=size,
        rows_count=summary.rows,
        progress=100,
        stage="",
        finished_at=finished,
        expires_at=finished + dt.timedelta(days=settings.MUNICIPAL_EXPORT_KEEP_DAYS),
    )
    if not updated:  # taken back by the sweep meanwhile: the other run stores its own file
        export.file.delete(save=False)
    return bool(updated)


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
