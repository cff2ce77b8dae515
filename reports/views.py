"""Report pages: thin views — the archive of the user's own requests, the request form, the
progress page polled by htmx, and permission-checked downloads (files are never served from
MEDIA_URL)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from core import queue
from reports import documents, selectors, services
from reports.forms import ReportRequestForm
from reports.models import Format, Kind, ReportRequest, Snapshot
from roadmaps.selectors import roadmaps_for

CONTENT_TYPES = {
    Format.PDF: "application/pdf",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def archive(request):
    qs = ReportRequest.objects.filter(requested_by=request.user).order_by("-created_at", "-pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "reports/archive.html", {"page": page})


@login_required
def request_new(request):
    if request.method == "POST":
        form = ReportRequestForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                with queue.watch() as sent:
                    report = services.report_request_create(
                        user=request.user,
                        kind=form.cleaned_data["kind"],
                        fmt=form.cleaned_data["format"],
                        params=form.params(),
                        title=form.title(),
                    )
            except services.ReportRefused as exc:
                form.add_error(None, str(exc))
            else:
                if sent.delayed:
                    messages.warning(request, queue.delayed_message(saved="Заказ отчёта сохранён", work="формирование"))
                else:
                    messages.success(request, "Отчёт поставлен в очередь: страница покажет, когда он будет готов.")
                return redirect(report)
    else:
        form = ReportRequestForm(initial=request.GET.dict(), user=request.user)
    return render(request, "reports/new.html", {"form": form})


def _order_export(request, *, kind: str, params: dict, title: str, queued: str):
    """Order an XLSX of a page as a report job and open the report's page (progress, download).
    Large exports are never built in the request (issue #20); a broker outage keeps the order
    (the sweep sends it) and says so."""
    with queue.watch() as sent:
        report = services.report_request_create(
            user=request.user, kind=kind, fmt=Format.XLSX, params=params, title=title
        )
    if sent.delayed:
        messages.warning(request, queue.delayed_message(saved="Заказ выгрузки сохранён", work="формирование"))
    else:
        messages.success(request, queued)
    return redirect(report)


def _filters(request) -> str:
    return request.POST.get("filters", "")[:2000]


@login_required
@require_POST
def registry_export(request):
    """The registry page's «Выгрузить в XLSX»: a report job with the page's filters; the
    report's page shows its progress and the download (issue #20: never built in the request)."""
    return _order_export(
        request,
        kind=Kind.REGISTRY,
        params={"filters": _filters(request)},
        title=f"Реестр школ на {timezone.localdate():%d.%m.%Y}",
        queued="Выгрузка реестра поставлена в очередь: страница покажет, когда файл будет готов.",
    )


@login_required
@require_POST
def agreement_export(request):
    """The agreements page's «Выгрузить в XLSX», with the page's filters (the user's own agreements)."""
    return _order_export(
        request,
        kind=Kind.AGREEMENT_LIST,
        params={"filters": _filters(request)},
        title=f"Договоры о сотрудничестве на {timezone.localdate():%d.%m.%Y}",
        queued="Выгрузка договоров поставлена в очередь: страница покажет, когда файл будет готов.",
    )


@login_required
@require_POST
def municipality_analytics_export(request, pk: int):
    """The municipality analysis page's «Все таблицы (XLSX)» for the slice the page shows
    (404 outside the user's reading scope or for a slice without figures, before anything is queued)."""
    params = {"municipality": pk, "filters": _filters(request)}
    municipality, key = documents.municipality_analytics_of(request.user, params)
    return _order_export(
        request,
        kind=Kind.MUNICIPALITY_ANALYTICS,
        params=params,
        title=f"{municipality.name}: анализ результатов" + (f", {key.title}" if key else ""),
        queued="Выгрузка таблиц анализа поставлена в очередь: страница покажет, когда файл будет готов.",
    )


@login_required
@require_POST
def event_participants_export(request, pk: int):
    """The staff event page's participants XLSX (the centre's staff: 403 for other roles, 404 for
    another municipality's event, before anything is queued)."""
    params = {"event": pk}
    event = documents.event_of(request.user, params)
    return _order_export(
        request,
        kind=Kind.EVENT_PARTICIPANTS,
        params=params,
        title=f"Участники: {event.title}",
        queued="Выгрузка участников поставлена в очередь: страница покажет, когда файл будет готов.",
    )


@login_required
def detail(request, pk: int):
    report = services.report_request_get(user=request.user, pk=pk)
    if request.htmx:
        return render(request, "reports/_progress.html", {"report": report})
    return render(request, "reports/detail.html", {"report": report})


@login_required
def download(request, pk: int):
    report = services.report_request_get(user=request.user, pk=pk)
    if report.status != ReportRequest.Status.DONE or not report.file:
        raise Http404("Отчёт ещё не готов")
    return FileResponse(
        services.report_file_open(user=request.user, report=report),
        as_attachment=True,
        filename=report.download_name,
        content_type=CONTENT_TYPES.get(report.format, "application/octet-stream"),
    )


@login_required
def snapshot_download(request, pk: int):
    """A frozen PDF, to whoever reads its roadmap (the same scope as the roadmap's page)."""
    snapshot = get_object_or_404(
        Snapshot.objects.filter(roadmap__in=roadmaps_for(user=request.user).values("pk"), status="done"), pk=pk
    )
    if not snapshot.file:
        raise Http404("Снимок ещё не готов")
    return FileResponse(
        snapshot.file.open("rb"), as_attachment=True, filename=snapshot.download_name, content_type="application/pdf"
    )


# --- The municipality's data export ------------------------------------------------------------


@login_required
@require_GET
def municipal_export_index(request):
    """The department goes straight to its municipality; the region chooses one of its own."""
    if not selectors.can_export_municipal_data(request.user):
        raise PermissionDenied
    municipalities = list(selectors.export_municipalities_for(user=request.user))
    if request.user.role == Role.DEPARTMENT and len(municipalities) == 1:
        return redirect("reports:municipal_export", municipality_pk=municipalities[0].pk)
    return render(request, "reports/municipal_export_choose.html", {"municipalities": municipalities})


@login_required
@require_http_methods(["GET", "POST"])
def municipal_export_page(request, municipality_pk: int):
    """«Выгрузка данных муниципалитета»: order an export, watch it (htmx polls this URL), download."""
    municipality = selectors.export_municipality_get(user=request.user, pk=municipality_pk)
    if request.method == "POST":
        try:
            services.municipal_export_request(user=request.user, municipality=municipality)
        except services.ExportRefused as exc:
            messages.warning(request, str(exc))
        else:
            messages.success(request, "Выгрузка поставлена в очередь: страница покажет ход работы и ссылку на файл.")
        return redirect("reports:municipal_export", municipality_pk=municipality.pk)
    exports = list(selectors.municipal_exports_of(municipality=municipality)[: selectors.LIST_LIMIT])
    context = {
        "municipality": municipality,
        "exports": exports,
        "busy": any(not export.is_finished for export in exports),
        "keep_days": settings.MUNICIPAL_EXPORT_KEEP_DAYS,
    }
    if request.htmx:
        return render(request, "reports/_municipal_exports.html", context)
    return render(request, "reports/municipal_export.html", context)


@login_required
@require_GET
def municipal_export_download(request, pk: int):
    export = selectors.municipal_export_get(user=request.user, pk=pk)
    return FileResponse(
        services.municipal_export_open(user=request.user, export=export),
        as_attachment=True,
        filename=export.download_name,
        content_type="application/zip",
    )
