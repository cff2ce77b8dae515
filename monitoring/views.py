from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.models import Role
from core import queue
from core.tabular import TabularFileError, xlsx_bytes, xlsx_response
from monitoring import imports, selectors
from monitoring.formats.layouts import LAYOUTS, TEMPLATES
from monitoring.forms import ImportJobFilterForm, ResultsUploadForm
from monitoring.imports import settle
from monitoring.models import ImportJob
from schools.scopes import can_manage_registry

PAGE_SIZE = 50


@login_required
def import_upload(request):
    if not imports.can_upload_results(request.user):
        raise PermissionDenied
    # A department may load its own rows of a region-wide file (the others skipped, counted).
    department = not request.user.is_superuser and request.user.role == Role.DEPARTMENT
    form = ResultsUploadForm(
        request.POST or None,
        request.FILES or None,
        max_bytes=settings.UPLOAD_MAX_BYTES,
        user=request.user,
        with_own_municipality_choice=department,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with queue.watch() as sent:
                job = imports.results_import_create(
                    user=request.user,
                    uploaded_file=upload,
                    original_name=upload.name,
                    form_school=form.cleaned_data["form_school"],
                    form_subject=form.cleaned_data["form_subject"],
                    form_grade=form.cleaned_data["form_grade"],
                    own_municipality_only=bool(form.cleaned_data.get("own_municipality_only")),
                )
        except (TabularFileError, imports.ImportRefused) as exc:
            form.add_error("file", str(exc))
        else:
            if sent.delayed:
                messages.warning(request, queue.DELAYED_MESSAGE)
            return redirect(job)
    return render(
        request,
        "monitoring/import.html",
        {
            "form": form,
            "layouts": LAYOUTS,
            "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
            "recent": selectors.import_jobs_for(user=request.user)[:5],
        },
    )


@login_required
@require_GET
def import_template(request, kind: str = "context"):
    """The template of a canonical layout (monitoring.formats.layouts.TEMPLATES), with a description sheet."""
    if not imports.can_upload_results(request.user):
        raise PermissionDenied
    template = TEMPLATES.get(kind)
    if template is None:
        raise Http404
    school_code = request.user.school.code if request.user.school_id else None
    content = xlsx_bytes(
        template.sheet,
        [column.title for column in template.columns],
        template.rows_for(school_code),
        notes=[("Столбец", "Что указывать")]
        + [(c.title + (" (обязательный)" if c.required else ""), c.description) for c in template.columns],
    )
    return xlsx_response(content, template.filename)


@login_required
@require_GET
def import_list(request):
    jobs = selectors.import_jobs_for(user=request.user)
    filter_form = ImportJobFilterForm(request.GET or None)
    page = Paginator(filter_form.filter(jobs), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/import_list.html",
        {"page": page, "filter_form": filter_form, "can_upload": imports.can_upload_results(request.user)},
    )


@login_required
@require_GET
def import_detail(request, pk: int):
    job = selectors.import_job_get(user=request.user, pk=pk)
    template = "monitoring/_import_progress.html" if request.htmx else "monitoring/import_detail.html"
    context = {
        "job": job,
        "can_roll_back": imports.can_roll_back_results(request.user),
        "can_manage_registry": can_manage_registry(request.user),
        "matching": _matching_rows(job) if job.status == ImportJob.Status.MATCHING else None,
        "can_settle": settle.can_settle_names(request.user, job),
    }
    return render(request, template, context)


def _matching_rows(job: ImportJob) -> list[dict]:
    """Each pending name with what a person may choose: the candidates first (with scores), then the rest."""
    schools = settle.pending_school_choices(job)
    municipalities = settle.pending_municipality_choices(job)
    rows = []
    for index, entry in enumerate(job.pending_names):
        everything = schools.get(entry.get("municipality_id"), []) if entry["kind"] == "school" else municipalities
        offered = {candidate["pk"] for candidate in entry["candidates"]}
        rows.append(
            {
                "index": index,
                "entry": entry,
                "others": [(pk, label) for pk, label in everything if pk not in offered],
                "initial": entry["candidates"][0]["pk"] if entry["candidates"] else "",
            }
        )
    return rows


@login_required
def import_matching(request, pk: int):
    """The matching step of a parked import: a school (or municipality) for each name, or skip it."""
    job = selectors.import_job_get(user=request.user, pk=pk)
    if not settle.can_settle_names(request.user, job):
        raise PermissionDenied
    if request.method == "POST":
        choices = []
        for index in range(len(job.pending_names)):
            value = request.POST.get(f"name_{index}", "")
            if value == settle.SKIP:
                choices.append(settle.Choice(index, None))
            elif value.isdigit():
                choices.append(settle.Choice(index, int(value)))
        try:
            with queue.watch() as sent:
                settle.import_names_settle(job=job, user=request.user, choices=choices)
        except imports.ImportRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Выбор сохранён: названия запомнены, загрузка продолжается.")
            if sent.delayed:
                messages.warning(request, queue.DELAYED_MESSAGE)
        return redirect(job)
    return render(
        request,
        "monitoring/import_detail.html",
        {"job": job, "matching": _matching_rows(job) if job.status == ImportJob.Status.MATCHING else None,
         "can_settle": True, "can_manage_registry": can_manage_registry(request.user)},
    )  # fmt: skip


@login_required
@require_GET
def import_errors(request, pk: int):
    job = selectors.import_job_get(user=request.user, pk=pk)
    rows = ([e["sheet"], e["row"] or None, e["column"], e["message"]] for e in job.errors)
    content = xlsx_bytes("Ошибки", ["Лист", "Строка", "Столбец", "Ошибка"], rows, widths=[30, 10, 30, 100])
    return xlsx_response(content, f"oshibki-zagruzki-{job.pk}.xlsx")


@login_required
def import_rollback(request, pk: int):
    job = selectors.import_job_get_for_rollback(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            with queue.watch() as sent:
                imports.import_job_rollback(job=job, user=request.user)
        except imports.ImportRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Загрузка №{job.pk} отменена: данные возвращены к состоянию до неё.")
            if sent.delayed:  # the indicators' recompute that follows (monitoring.imports.follow_ups)
                messages.warning(
                    request, queue.delayed_message(saved="Отмена загрузки сохранена", work="пересчёт показателей")
                )
        return redirect(job)
    return render(
        request,
        "monitoring/import_rollback.html",
        {"job": job, "can_roll_back": job.status == ImportJob.Status.DONE},
    )
