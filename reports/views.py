"""Report pages: thin views — the archive of the user's own requests, the request form, the
progress page polled by htmx, and permission-checked downloads (files are never served from
MEDIA_URL)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from core import queue
from reports import services
from reports.forms import ReportRequestForm
from reports.models import Format, ReportRequest, Snapshot
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
        report.file.open("rb"),
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
