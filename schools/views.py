from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from core import queue
from core.tabular import XLSX_CONTENT_TYPE, TabularFileError, xlsx_bytes
from schools import selectors, services
from schools.filters import SchoolFilter
from schools.forms import OrganisationForm, RegistryUploadForm, SchoolForm
from schools.registry_format import COLUMNS, inn_check_digit, school_to_row
from schools.scopes import can_manage_registry, manageable_municipalities, municipalities_for
from schools.tables import SchoolTable

PAGE_SIZE = 50


def _require_registry_manager(user) -> None:
    if not can_manage_registry(user):
        raise PermissionDenied


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def school_list(request):
    municipalities = municipalities_for(request.user)
    school_filter = SchoolFilter(
        request.GET, queryset=selectors.school_list(user=request.user), municipalities=municipalities
    )
    table = SchoolTable(school_filter.qs)
    several_municipalities = municipalities.count() > 1
    if not several_municipalities:
        table.columns.hide("municipality")
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    template = "schools/_table.html" if request.htmx else "schools/list.html"
    return render(
        request,
        template,
        {
            "filter": school_filter,
            "table": table,
            "show_municipality_filter": several_municipalities,
            "can_manage": can_manage_registry(request.user),
        },
    )


@login_required
@require_GET
def school_export(request):
    school_filter = SchoolFilter(
        request.GET,
        queryset=selectors.school_list(user=request.user),
        municipalities=municipalities_for(request.user),
    )
    rows = (school_to_row(school) for school in school_filter.qs.order_by("municipality__name", "code").iterator(2000))
    content = xlsx_bytes("Реестр", [c.title for c in COLUMNS], rows)
    return _xlsx_response(content, f"reestr-shkol-{timezone.localdate():%Y-%m-%d}.xlsx")


@login_required
def school_detail(request, pk: int):
    school = selectors.school_get(user=request.user, pk=pk)
    can_edit = manageable_municipalities(request.user).filter(pk=school.municipality_id).exists()
    return render(request, "schools/detail.html", {"school": school, "can_edit": can_edit})


@login_required
def school_create(request):
    _require_registry_manager(request.user)
    municipalities = manageable_municipalities(request.user)
    school_form = SchoolForm(request.POST or None, municipalities=municipalities)
    org_form = OrganisationForm(request.POST or None)
    if request.method == "POST" and school_form.is_valid() and org_form.is_valid():
        data = dict(school_form.cleaned_data)
        school = services.school_create(
            actor=request.user,
            municipality=data.pop("municipality"),
            code=data.pop("code"),
            organisation_data=org_form.cleaned_data,
            school_data=data,
        )
        messages.success(request, f"Школа «{school.short_name}» добавлена в реестр.")
        return redirect(school)
    return render(request, "schools/form.html", {"school_form": school_form, "org_form": org_form, "school": None})


@login_required
def school_edit(request, pk: int):
    _require_registry_manager(request.user)
    school = selectors.school_get_for_edit(user=request.user, pk=pk)
    municipalities = manageable_municipalities(request.user)
    school_form = SchoolForm(request.POST or None, instance=school, municipalities=municipalities)
    org_form = OrganisationForm(request.POST or None, instance=school.organisation)
    if request.method == "POST" and school_form.is_valid() and org_form.is_valid():
        data = dict(school_form.cleaned_data)
        data.pop("code", None)
        services.school_update(
            school=school,
            actor=request.user,
            municipality=data.pop("municipality"),
            organisation_data=org_form.cleaned_data,
            school_data=data,
        )
        messages.success(request, "Карточка школы сохранена.")
        return redirect(school)
    return render(request, "schools/form.html", {"school_form": school_form, "org_form": org_form, "school": school})


@login_required
def registry_import(request):
    _require_registry_manager(request.user)
    form = RegistryUploadForm(request.POST or None, request.FILES or None, max_bytes=settings.UPLOAD_MAX_BYTES)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with queue.watch() as sent:
                job = services.registry_import_create(
                    user=request.user, uploaded_file=upload, original_name=upload.name
                )
        except TabularFileError as exc:
            form.add_error("file", str(exc))
        else:
            if sent.delayed:
                messages.warning(request, queue.DELAYED_MESSAGE)
            return redirect(job)
    recent = selectors.registry_imports_for(user=request.user)[:10]
    return render(
        request,
        "schools/import.html",
        {"form": form, "recent": recent, "columns": COLUMNS, "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
    )


@login_required
@require_GET
def registry_import_template(request):
    _require_registry_manager(request.user)
    example = [
        "edu203389",
        request.user.municipality.oktmo if request.user.municipality_id else "92620000",
        "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 3»",
        "МБОУ СОШ № 3",
        "СОШ",
        "Городская",
        "НОО, ООО, СОО",
        "Иванова Мария Петровна",
        512,
        "164500123" + inn_check_digit("164500123"),
        "",
        "г. Заречный, ул. Школьная, 3",
        54.7361,
        52.7979,
        "https://school3.example.ru",
        "school3@example.ru",
        "+7 (85594) 1-23-45",
        "да",
    ]
    content = xlsx_bytes(
        "Реестр",
        [c.title for c in COLUMNS],
        [example],
        notes=[("Столбец", "Что указывать")]
        + [(c.title + (" (обязательный)" if c.required else ""), c.description) for c in COLUMNS],
    )
    return _xlsx_response(content, "shablon-reestra-shkol.xlsx")


@login_required
def registry_import_detail(request, pk: int):
    _require_registry_manager(request.user)
    job = selectors.registry_import_get(user=request.user, pk=pk)
    template = "schools/_import_progress.html" if request.htmx else "schools/import_detail.html"
    return render(request, template, {"job": job})
