from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from accounts.models import Role
from core import queue
from core.tables import paginate
from core.tabular import TabularFileError, xlsx_bytes, xlsx_response
from schools import selectors, services
from schools.filters import SchoolFilter
from schools.forms import MunicipalityForm, OrganisationForm, RegistryMappingForm, RegistryUploadForm, SchoolForm
from schools.registry_format import COLUMNS, inn_check_digit
from schools.scopes import can_manage_registry, manageable_municipalities, municipalities_for
from schools.tables import SchoolTable

PAGE_SIZE = 50


def _require_registry_manager(user) -> None:
    if not can_manage_registry(user):
        raise PermissionDenied


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
    # The sort from the query string; the page through Paginator.get_page (a bad or negative number is
    # the first or last page), never django-tables2's own reading (``?page=-1`` or ``?per_page=0`` → 500).
    RequestConfig(request, paginate=False).configure(table)
    # The page number from the sorted queryset itself: its COUNT, not ``len(table.data)``, which
    # loads every school of a 2,000-school municipality before the table is paginated (issue #20).
    table.paginate(page=paginate(request, table.data.data, PAGE_SIZE).number, per_page=PAGE_SIZE)
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
def school_detail(request, pk: int):
    school = selectors.school_get(user=request.user, pk=pk)
    can_edit = manageable_municipalities(request.user).filter(pk=school.municipality_id).exists()
    curators = school.curators.filter(is_active=True, role=Role.CURATOR).order_by("last_name", "first_name")
    # «закрепить» (assign curators) comes from people's template tag: people sits above the registry.
    return render(request, "schools/detail.html", {"school": school, "can_edit": can_edit, "curators": curators})


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
                    user=request.user,
                    uploaded_file=upload,
                    original_name=upload.name,
                    import_valid_only=form.cleaned_data["import_valid_only"],
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
        "9306",
    ]
    content = xlsx_bytes(
        "Реестр",
        [c.title for c in COLUMNS],
        [example],
        notes=[("Столбец", "Что указывать")]
        + [(c.title + (" (обязательный)" if c.required else ""), c.description) for c in COLUMNS],
    )
    return xlsx_response(content, "shablon-reestra-shkol.xlsx")


@login_required
def registry_import_detail(request, pk: int):
    _require_registry_manager(request.user)
    job = selectors.registry_import_get(user=request.user, pk=pk)
    if job.is_waiting_for_mapping and not request.htmx:
        return redirect("schools:import_mapping", pk=job.pk)
    template = "schools/_import_progress.html" if request.htmx else "schools/import_detail.html"
    return render(request, template, {"job": job})


@login_required
def registry_import_mapping(request, pk: int):
    """The mapping step of a foreign register: its columns → registry fields, its words → values."""
    _require_registry_manager(request.user)
    job = selectors.registry_import_get(user=request.user, pk=pk)
    if not job.is_waiting_for_mapping:
        return redirect(job)
    posted_mapping = None
    if request.method == "POST" and "preview" in request.POST:
        # «Обновить»: the type/settlement values of the columns the user just chose.
        posted_mapping = {
            request.POST[name]: int(name.removeprefix("col_"))
            for name in request.POST
            if name.startswith("col_") and name.removeprefix("col_").isdigit() and request.POST[name]
        }
    try:
        proposal = services.registry_mapping_proposal(job=job, mapping=posted_mapping)
    except TabularFileError as exc:
        messages.error(request, str(exc))
        return redirect("schools:import")
    form_kwargs = {
        "header": proposal.header,
        "samples": proposal.samples,
        "suggested": proposal.suggested,
        "unknown_values": proposal.unknown_values,
        "import_valid_only": job.import_valid_only,
    }
    bound = request.method == "POST" and "preview" not in request.POST
    form = RegistryMappingForm(request.POST if bound else None, **form_kwargs)
    if bound and form.is_valid():
        services.registry_import_map(
            job=job,
            header_index=proposal.header_index,
            header=proposal.header,
            columns=form.cleaned_data["columns"],
            values=form.cleaned_data["values"],
            import_valid_only=form.cleaned_data["import_valid_only"],
            actor=request.user,
        )
        return redirect(job)
    return render(request, "schools/import_mapping.html", {"job": job, "form": form, "proposal": proposal})


def _require_region(user):
    if not (user.is_superuser or (user.role == Role.REGION and user.region_id)):
        raise PermissionDenied
    return user.region if user.region_id else None


@login_required
def municipality_list(request):
    """The region role keeps its municipalities (and the «региональное подчинение» group)."""
    region = _require_region(request.user)
    municipalities = selectors.municipality_overview(user=request.user)
    form = None
    if region is not None:
        form = MunicipalityForm(request.POST if request.method == "POST" and "name" in request.POST else None,
                                region=region)  # fmt: skip
        if request.method == "POST" and "regional_group" in request.POST:
            group = services.regional_group_ensure(region=region, actor=request.user)
            messages.success(request, f"Группа «{group.name}» есть в списке муниципалитетов.")
            return redirect("schools:municipalities")
        if request.method == "POST" and form.is_valid():
            try:
                municipality = services.municipality_create(
                    region=region,
                    name=form.cleaned_data["name"],
                    oktmo=form.cleaned_data["oktmo"],
                    fis_oko_code=form.cleaned_data["fis_oko_code"],
                    actor=request.user,
                )
            except services.MunicipalityRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Муниципалитет «{municipality.name}» добавлен.")
                return redirect("schools:municipalities")
    return render(request, "schools/municipalities.html", {"municipalities": municipalities, "form": form})
