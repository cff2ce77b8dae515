"""Analytics pages of a school, a class and a municipality (issue #18), and their workbooks.

Each page reads one slice (procedure, year, subject, grade) chosen in the query string; the
options are the slices the school or municipality has figures for. Access is the reading
scope of the school or municipality (accounts.scopes): 404 outside it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from analytics import catalogue, selectors
from analytics import presentation as p
from analytics.forms import CatalogueItemForm, CatalogueUploadForm
from analytics.models import MarkResult, TaskCatalogueItem
from analytics.selectors import FAR_BELOW_PP, WEAK_BELOW
from core.tabular import TabularFileError, describe_error
from schools.scopes import municipalities_for, schools_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _slug(key) -> str:
    return f"-{key.procedure}-{key.year.start_year}-{key.subject.code}-{key.grade}" if key else ""


def _school_context(request, pk: int, class_name: str = ""):
    school = selectors.school_get(user=request.user, pk=pk)
    options = selectors.slices_of(school=school)
    key = selectors.slice_from(request.GET, options)
    analysis = selectors.school_analysis(school=school, key=key, class_name=class_name) if key else None
    return school, options, key, analysis


def _school_tables(analysis, own_label: str):
    tables = [
        ("Отметки", *p.marks_table(analysis)),
        ("Задания", *p.tasks_table(analysis, own_label)),
        ("Умения", *p.skills_table(analysis.skills, "Проверяемое умение")),
        ("КЭС", *p.skills_table(analysis.elements, "Элемент содержания (КЭС)")),
        ("Баллы", *p.histogram_table(analysis)),
    ]
    if analysis.classes:
        tables.append(("Классы", *p.classes_table(analysis)))
    if analysis.cohort:
        tables.append(("Когорта", *p.cohort_table(analysis)))
    return tables


@login_required
@require_GET
def school_analytics(request, pk: int, class_name: str = ""):
    school, options, key, analysis = _school_context(request, pk, class_name)
    context = {"school": school, "options": options, "key": key, "analysis": analysis, "class_name": class_name,
               "far_below_pp": FAR_BELOW_PP, "weak_below": WEAK_BELOW}  # fmt: skip
    if analysis is not None:
        own_label = f"Класс {class_name}" if class_name else "Школа"
        context.update(
            marks_chart=p.marks_chart(analysis, "Распределение отметок, % участников"),
            task_chart=p.task_chart(analysis, own_label),
            histogram_chart=p.histogram(analysis),
            tables={name: (head, rows) for name, head, rows in _school_tables(analysis, own_label)},
        )
        if not class_name:
            from analytics.actions import suggestions_for

            context["suggestions"] = suggestions_for(school=school, analysis=analysis)
    return render(request, "analytics/school.html", context)


@login_required
@require_GET
def school_analytics_xlsx(request, pk: int, class_name: str = ""):
    school, _, key, analysis = _school_context(request, pk, class_name)
    tables = _school_tables(analysis, f"Класс {class_name}" if class_name else "Школа") if analysis else []
    name = f"analiz-{school.code}{'-' + slugify(class_name) if class_name else ''}{_slug(key)}"
    return _xlsx(p.workbook(tables), name)


def _municipality_context(request, pk: int):
    municipality = selectors.municipality_get(user=request.user, pk=pk)
    options = selectors.slices_of(municipality=municipality)
    key = selectors.slice_from(request.GET, options)
    if key is None:
        return municipality, options, None, None, []
    analysis, lines = selectors.municipality_analysis(user=request.user, municipality=municipality, key=key)
    return municipality, options, key, analysis, lines


@login_required
@require_GET
def municipality_analytics(request, pk: int):
    municipality, options, key, analysis, lines = _municipality_context(request, pk)
    context = {"municipality": municipality, "options": options, "key": key, "analysis": analysis, "lines": lines}
    if analysis is not None:
        context.update(
            marks_chart=p.marks_chart(analysis, "Распределение отметок, % участников"),
            task_chart=p.task_chart(analysis, "Муниципалитет", against_region=True),
            tables={name: (head, rows) for name, head, rows in p.municipality_tables(analysis, lines)},
        )
    return render(request, "analytics/municipality.html", context)


# --- Task catalogue (кодификаторы работ) -----------------------------------------------------------


def _require_catalogue_editor(user) -> None:
    if not catalogue.can_edit_catalogue(user):
        raise PermissionDenied


@login_required
@require_GET
def catalogue_list(request):
    catalogues = (
        catalogue.visible_catalogues(request.user)
        .select_related("year", "subject", "updated_by", "municipality")
        .annotate(n=Count("items"))
    )
    return render(
        request,
        "analytics/catalogue_list.html",
        {"catalogues": catalogues, "can_edit": catalogue.can_edit_catalogue(request.user)},
    )


@login_required
@require_GET
def catalogue_detail(request, pk: int):
    found = get_object_or_404(
        catalogue.visible_catalogues(request.user).select_related("year", "subject", "updated_by", "municipality"),
        pk=pk,
    )
    return render(
        request,
        "analytics/catalogue_detail.html",
        {
            "catalogue": found,
            "items": found.items.all(),
            "can_edit": catalogue.can_edit_catalogue(request.user, found),
            "copies_on_edit": found.municipality_id is None and catalogue.owner_municipality(request.user) is not None,
        },
    )


@login_required
def catalogue_upload(request):
    _require_catalogue_editor(request.user)
    form = CatalogueUploadForm(request.POST or None, request.FILES or None, max_bytes=settings.UPLOAD_MAX_BYTES)
    errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = catalogue.task_catalogue_import(
                user=request.user,
                year=data["year"],
                procedure=data["procedure"],
                subject=data["subject"],
                grade=data["grade"],
                fileobj=data["file"],
                name=data["file"].name,
                source_document=data["source_document"],
                municipality_id=catalogue.owner_municipality(request.user),
            )
        except catalogue.CatalogueError as exc:
            errors = [describe_error(error.as_dict()) for error in exc.errors]
        except TabularFileError as exc:
            errors = [str(exc)]
        else:
            messages.success(request, f"Кодификатор загружен: заданий — {saved.items.count()}.")
            return redirect("analytics:catalogue_detail", pk=saved.pk)
    return render(request, "analytics/catalogue_upload.html", {"form": form, "errors": errors})


@login_required
@require_GET
def catalogue_template(request):
    _require_catalogue_editor(request.user)
    return _xlsx(catalogue.template_xlsx(), "shablon-kodifikatora")


@login_required
def catalogue_item_edit(request, pk: int):
    _require_catalogue_editor(request.user)
    item = get_object_or_404(
        TaskCatalogueItem.objects.select_related("catalogue").filter(
            catalogue__in=catalogue.visible_catalogues(request.user)
        ),
        pk=pk,
    )
    if not catalogue.can_edit_catalogue(request.user, item.catalogue):
        raise PermissionDenied
    form = CatalogueItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        saved = catalogue.catalogue_item_save(item=item, user=request.user, **form.cleaned_data)
        if saved.catalogue_id != item.catalogue_id:
            messages.success(request, f"Задание {saved.task_label} сохранено в копии кодификатора муниципалитета.")
        else:
            messages.success(request, f"Задание {saved.task_label} сохранено.")
        return redirect("analytics:catalogue_detail", pk=saved.catalogue_id)
    return render(request, "analytics/catalogue_item_form.html", {"form": form, "item": item})


@login_required
@require_GET
def index(request):
    """Where the analytics start: the user's municipalities and the schools they may read."""
    municipalities = municipalities_for(request.user).order_by("name")
    schools = (
        schools_for(request.user).select_related("organisation", "municipality").order_by("municipality__name", "code")
    )
    with_results = set(
        MarkResult.objects.filter(level="school", school__in=schools).values_list("school_id", flat=True).distinct()
    )
    return render(
        request,
        "analytics/index.html",
        {"municipalities": municipalities, "schools": schools, "with_results": with_results},
    )
