from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core import queue
from core.charts import Series, bar_chart, line_chart
from core.params import id_param, search_param
from identification import isbsh, selectors, services
from identification.catalogue import BY_CODE, INDICATORS
from identification.forms import (
    ApproveForm,
    CriterionFormSet,
    DecisionForm,
    RevokeForm,
    RunCreateForm,
    StatusSetForm,
    VersionForm,
)
from identification.models import IndicatorRecompute, SchoolStatus, TaskStatus
from schools.catalogues import may_edit_catalogue, refusal
from schools.models import AcademicYear, School
from schools.scopes import manageable_municipalities, municipalities_for, schools_for, schools_manageable_by

# Rows of the run page's table of schools not proposed (issue #20: a region's run has thousands).
RUN_PAGE_SIZE = 50

# Indicators drawn as lines on the school's page (the table lists them all).
CHARTED = ("vpr_share_2", "vpr_mean_mark", "oge_share_2", "isbsh", "vpr_raised")


def _require_reader(user) -> None:
    if not services.can_read_identification(user):
        raise PermissionDenied


def _require_manager(user) -> None:
    if not services.can_manage_identification(user):
        raise PermissionDenied


@login_required
@require_GET
def dashboard(request):
    _require_reader(request.user)
    municipalities = municipalities_for(request.user)
    context = selectors.municipal_dashboard(
        municipalities=municipalities, regions=selectors.regions_for_runs(user=request.user)
    )
    years = context["years"]
    context["chart"] = bar_chart(
        title="ШНОР и ШССУ по годам",
        categories=[row["name"] for row in years],
        series=[
            Series("ШНОР", [row["low_results"] for row in years]),
            Series("ШССУ", [row["difficult_conditions"] for row in years]),
            Series("Выход в эффективный режим", [row["effective"] for row in years]),
        ],
        decimals=0,
    )
    year = AcademicYear.current()
    if year is not None:
        recent = selectors.recent_years(year)
        municipal_schools = School.objects.filter(municipality__in=municipalities)
        context.update(
            year=year,
            programme_results=selectors.programme_results(schools=municipal_schools, year=year, years=recent),
            effect=selectors.support_effect_for(municipalities=municipalities, year=year),
            kpis=selectors.programme_kpis(schools=municipal_schools, year=year),
        )
    context.update(
        import_changes=selectors.import_changes(municipalities=municipalities),
        runs=selectors.runs_for(user=request.user)[:15],
        can_manage=services.can_manage_identification(request.user),
        can_run=services.can_start_runs(request.user),
        last_recompute=IndicatorRecompute.objects.filter(municipality__in=municipalities).first(),
        compared=selectors.municipalities_compared(municipalities=municipalities, year=_compared_year()),
    )
    return render(request, "identification/dashboard.html", context)


def _compared_year():
    """The latest year with stored means: the current year's results may not be in yet."""
    from identification.models import IndicatorMean
    from schools.models import AcademicYear

    year_id = IndicatorMean.objects.order_by("-year__start_year").values_list("year_id", flat=True).first()
    return AcademicYear.objects.filter(pk=year_id).first() if year_id else None


# --- Indicators ----------------------------------------------------------------------------


@login_required
@require_POST
def recompute_start(request):
    _require_manager(request.user)
    municipality = manageable_municipalities(request.user).first()
    with queue.watch() as sent:
        recompute = services.indicator_recompute_request(user=request.user, municipality=municipality)
    if sent.delayed:
        messages.warning(request, queue.delayed_message(saved="Запрос на пересчёт сохранён", work="пересчёт"))
    return redirect("identification:recompute_detail", pk=recompute.pk)


@login_required
@require_GET
def recompute_detail(request, pk: int):
    recompute = selectors.recompute_for(user=request.user, pk=pk)
    template = "identification/_recompute_progress.html" if request.htmx else "identification/recompute_detail.html"
    return render(request, template, {"recompute": recompute})


@login_required
@require_GET
def indicator_catalogue(request):
    _require_reader(request.user)
    return render(request, "identification/catalogue.html", {"indicators": INDICATORS})


@login_required
@require_GET
def weights(request):
    """ИСБШ weights are part of each methodology version (edited with it): this page lists them,
    with what share of the index each factor drives in the user's schools."""
    _require_reader(request.user)
    schools = schools_for(request.user)
    rows = [
        (version, selectors.isbsh_shares(schools=schools, scale=isbsh.scale_of(version)))
        for version in selectors.versions(user=request.user).order_by("methodology__name", "-number")
        if any(c.indicator == "isbsh" for c in version.criteria.all())
    ]
    return render(
        request,
        "identification/weights.html",
        {"reference": selectors.isbsh_shares(schools=schools, scale=isbsh.REFERENCE), "rows": rows},
    )


# --- Methodology ----------------------------------------------------------------------------


@login_required
@require_GET
def methodology_list(request):
    _require_reader(request.user)
    return render(
        request,
        "identification/methodology_list.html",
        {
            "versions": selectors.versions(user=request.user).order_by("methodology__name", "-number"),
            "by_code": BY_CODE,
        },
    )


@login_required
@require_GET
def version_detail(request, pk: int):
    _require_reader(request.user)
    version = get_object_or_404(selectors.versions(user=request.user), pk=pk)
    return render(
        request,
        "identification/version_detail.html",
        {
            "version": version,
            "by_code": BY_CODE,
            # What share of the index each factor drives in the user's schools (when the version uses ИСБШ).
            "isbsh": selectors.isbsh_shares(schools=schools_for(request.user), scale=isbsh.scale_of(version))
            if any(c.indicator == "isbsh" for c in version.criteria.all())
            else None,
            "can_manage": may_edit_catalogue(
                request.user, "identification.MethodologyVersion", region_id=version.methodology.region_id
            ),
            "refusal": refusal("identification.MethodologyVersion"),
        },
    )


@login_required
def version_edit(request, pk: int):
    _require_reader(request.user)
    version = get_object_or_404(selectors.versions(user=request.user), pk=pk)
    if not may_edit_catalogue(
        request.user, "identification.MethodologyVersion", region_id=version.methodology.region_id
    ):
        raise PermissionDenied(refusal("identification.MethodologyVersion"))
    initial = VersionForm.initial_of(version)
    criteria_initial = [
        {
            "indicator": c.indicator,
            "subject": c.subject,
            "grade": c.grade,
            "pool": c.pool,
            "operator": c.operator,
            "value": c.value,
            "min_participants": c.min_participants,
            "consecutive_years": c.consecutive_years,
        }
        for c in version.criteria.all()
    ]
    form = VersionForm(request.POST or None, initial=initial)
    formset = CriterionFormSet(request.POST or None, initial=criteria_initial, prefix="criteria")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        criteria = [
            {key: value for key, value in data.items() if key != "DELETE"}
            for data in formset.cleaned_data
            if data and not data.get("DELETE")
        ]
        try:
            saved = services.methodology_version_save(
                version=version, fields=form.version_fields(), criteria=criteria, user=request.user
            )
        except services.IdentificationRefused as exc:
            form.add_error(None, str(exc))
        else:
            if saved.pk != version.pk:
                messages.success(
                    request, f"Версия {version.number} уже использована; сохранено как версия {saved.number}."
                )
            else:
                messages.success(request, "Методика сохранена.")
            return redirect("identification:version_detail", pk=saved.pk)
    return render(
        request,
        "identification/version_form.html",
        {"version": version, "form": form, "formset": formset, "used": version.runs.exists()},
    )


# --- Runs -----------------------------------------------------------------------------------------


@login_required
def run_create(request):
    """A department runs over its municipality; the region role over its whole region."""
    if not services.can_start_runs(request.user):
        raise PermissionDenied
    regional = not services.can_manage_identification(request.user)
    form = RunCreateForm(
        request.POST or None,
        versions=selectors.versions(user=request.user).order_by("methodology__name", "-number"),
        municipalities=manageable_municipalities(request.user),
        regions=selectors.regions_for_runs(user=request.user) if regional else None,
        initial={"year": AcademicYear.current()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with queue.watch() as sent:
                run = services.identification_run_create(user=request.user, **form.cleaned_data)
        except services.IdentificationRefused as exc:
            form.add_error(None, str(exc))
        else:
            if sent.delayed:
                messages.warning(request, queue.delayed_message(saved="Запуск сохранён", work="расчёт"))
            return redirect("identification:run_detail", pk=run.pk)
    return render(request, "identification/run_form.html", {"form": form, "regional": regional})


@login_required
@require_GET
def run_detail(request, pk: int):
    # htmx polling gets the whole page and keeps #run-body (hx-select): one template, no drift.
    run = selectors.run_get(user=request.user, pk=pk)
    # Both lists are paginated tables with a search and a sort kept in their links (issue #20: a
    # region's run proposes hundreds of 2,000 schools); the proposals' ticks outlive the page
    # they were made on (``_unticked``).
    proposed_filter = _list_filter(request.GET, "pq", "psort")
    proposed = Paginator(selectors.run_proposed_results(run=run, **proposed_filter), RUN_PAGE_SIZE).get_page(
        request.GET.get("ppage")
    )
    others_filter = _list_filter(request.GET, "q", "sort")
    others = Paginator(selectors.run_other_results(run=run, **others_filter), RUN_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    earlier = selectors.earlier_run(run=run) if run.status == TaskStatus.DONE else None
    entered, left = services.runs_compare(run=run, earlier=earlier) if earlier else ([], [])
    decision = run.decisions.first()
    can_approve = (
        decision is None
        and run.status == TaskStatus.DONE
        and not run.is_draft
        and selectors.runs_approvable_by(user=request.user).filter(pk=run.pk).exists()
    )
    approved = set(run.statuses.filter(revoked_at__isnull=True).values_list("school_id", flat=True))
    form = ApproveForm(results=proposed.object_list)
    return render(
        request,
        "identification/run_detail.html",
        {
            "run": run,
            "proposed": proposed,
            "proposed_filter": proposed_filter,
            "proposed_filtered": proposed.paginator.count != run.proposed_count,
            "unticked": set(_unticked(request, run)) if can_approve else set(),
            "held": Paginator(
                selectors.run_results(run=run).exclude(held_status="").order_by("school__code"), RUN_PAGE_SIZE
            ).get_page(request.GET.get("hpage")),
            "others": others,
            "others_filter": others_filter,
            "others_open": bool(request.GET.get("page") or request.GET.get("q") or request.GET.get("sort")),
            # Issue #18: looked at, but not one criterion had a value to judge the school by.
            "insufficient": Paginator(
                run.results.filter(insufficient=True).select_related("school__organisation").order_by("school__code"),
                RUN_PAGE_SIZE,
            ).get_page(request.GET.get("ipage")),
            "earlier": earlier,
            "entered": entered,
            "left": left,
            "can_approve": can_approve,
            "approved": approved,
            "decision": decision,
            "form": form,
        },
    )


def _list_filter(params, q: str, sort: str) -> dict[str, str]:
    """A run page table's search and sort from ``params[q]`` and ``params[sort]`` (bad values dropped)."""
    chosen = params.get(sort)
    sort_key = chosen if chosen in selectors.RUN_RESULT_SORTS else "fired"
    return {"q": search_param(params, q).strip()[:100], "sort": sort_key}


# The query of the run page a page button of the proposals leads back to.
RUN_PAGE_PARAMS = ("pq", "psort", "q", "sort", "page", "hpage", "ipage")


def _run_page_url(run, params) -> str:
    query = QueryDict(mutable=True)
    for name in RUN_PAGE_PARAMS:
        if params.get(name):
            query[name] = params[name][:200]
    goto = id_param(params, "goto")
    if goto:
        query["ppage"] = str(goto)
    url = reverse("identification:run_detail", args=[run.pk])
    return f"{url}?{query.urlencode()}" if query else url


def _unticked_key(run) -> str:
    return f"identification-run-{run.pk}-unticked"


def _unticked(request, run) -> list[int]:
    """The proposals this reviewer unticked, on whatever page (the session keeps them until the
    decision: every proposal is ticked by default, so only the changes are kept)."""
    return [pk for pk in request.session.get(_unticked_key(run), []) if isinstance(pk, int)]


def _ids(values) -> set[int]:
    return {int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 18}


def _page_ticks_saved(request, run) -> list[int]:
    """Keep the ticks of the page posted (``shown``: its proposals; ``schools``: those ticked)
    with the unticks made on the other pages; the proposals ticked on every page."""
    proposed = set(run.results.filter(proposed=True).values_list("school_id", flat=True))
    shown = _ids(request.POST.getlist("shown")) & proposed
    ticked = _ids(request.POST.getlist("schools"))
    unticked = ((set(_unticked(request, run)) - shown) | (shown - ticked)) & proposed
    request.session[_unticked_key(run)] = sorted(unticked)
    approved = set(run.statuses.filter(revoked_at__isnull=True).values_list("school_id", flat=True))
    return sorted(proposed - approved - unticked)


@login_required
@require_POST
def run_approve(request, pk: int):
    """Two steps: the run page's ticks give a plan (add / keep / revoke against the statuses in
    force), shown for confirmation with the decision's fields; the confirmation applies it."""
    run = selectors.run_get_for_approval(user=request.user, pk=pk)
    data = request.POST
    if "shown" in request.POST:
        # The run page's form: one page of the proposals. Its ticks join those kept from the
        # other pages; the whole list goes on (to the next page, or to the confirmation).
        school_ids = _page_ticks_saved(request, run)
        if "save" in request.POST:  # a tick changed (htmx): kept, the page stays
            return HttpResponse(status=204)
        if "goto" in request.POST:
            return redirect(_run_page_url(run, request.POST))
        data = request.POST.copy()
        data.setlist("schools", [str(pk) for pk in school_ids])
    proposed = list(selectors.run_results(run=run).filter(proposed=True))
    form = ApproveForm(data, results=proposed)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("identification:run_detail", pk=run.pk)
    school_ids = form.cleaned_data["schools"]
    try:
        plan = services.run_approval_plan(run=run, school_ids=school_ids)
    except services.IdentificationRefused as exc:
        messages.error(request, str(exc))
        return redirect("identification:run_detail", pk=run.pk)
    confirming = "confirm" in request.POST
    decision_form = DecisionForm(
        request.POST if confirming else None,
        request.FILES if confirming else None,
        revocable=plan.revoke,
        initial={
            "decision_number": form.cleaned_data["decision_number"],
            "decision_date": form.cleaned_data["decision_date"],
        },
    )
    if confirming and decision_form.is_valid():
        data = decision_form.cleaned_data
        try:
            decision = services.run_approve(
                run=run,
                school_ids=school_ids,
                keep_ids=data["keep"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                decision_file=data["decision_file"],
                user=request.user,
            )
        except services.IdentificationRefused as exc:
            messages.error(request, str(exc))
            return redirect("identification:run_detail", pk=run.pk)
        request.session.pop(_unticked_key(run), None)
        added, kept, revoked = decision.added.count(), len(decision.kept), decision.revoked.count()
        summary = f"{decision}: добавлено {added}, оставлено {kept}, отменено {revoked}."
        if added or revoked:
            messages.success(request, summary)
        else:
            messages.warning(request, f"{summary} Список не изменился: приказ подтвердил статусы в силе.")
        return redirect("identification:decision_detail", pk=decision.pk)
    return render(
        request,
        "identification/approve_confirm.html",
        {"run": run, "plan": plan, "form": decision_form, "school_ids": school_ids},
    )


# --- Decisions (приказы) -------------------------------------------------------------------------


@login_required
@require_GET
def decision_list(request):
    _require_reader(request.user)
    decisions = selectors.decisions_for(user=request.user)
    return render(request, "identification/decision_list.html", {"decisions": decisions})


@login_required
@require_GET
def decision_detail(request, pk: int):
    _require_reader(request.user)
    decision = get_object_or_404(selectors.decisions_for(user=request.user), pk=pk)
    kept = SchoolStatus.objects.filter(pk__in=decision.kept).select_related("school__organisation")
    return render(
        request,
        "identification/decision_detail.html",
        {
            "decision": decision,
            "added": decision.added.select_related("school__organisation").order_by("school__organisation__name"),
            "kept": kept.order_by("school__organisation__name"),
            "revoked": decision.revoked.select_related("school__organisation").order_by("school__organisation__name"),
        },
    )


@login_required
@require_GET
def decision_file(request, pk: int):
    _require_reader(request.user)
    decision = get_object_or_404(selectors.decisions_for(user=request.user).exclude(file=""), pk=pk)
    return FileResponse(
        decision.file.open("rb"),
        as_attachment=True,
        filename=f"prikaz-{decision.pk}.pdf",
        content_type="application/pdf",
    )


# --- Statuses by hand ------------------------------------------------------------------------------


@login_required
def status_create(request, school_pk: int):
    _require_manager(request.user)
    school = get_object_or_404(schools_manageable_by(request.user), pk=school_pk)
    form = StatusSetForm(request.POST or None, initial={"year": AcademicYear.current()})
    if request.method == "POST" and form.is_valid():
        try:
            services.status_set(school=school, user=request.user, **form.cleaned_data)
        except services.IdentificationRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Статус установлен.")
            return redirect("identification:school", pk=school.pk)
    return render(request, "identification/status_form.html", {"school": school, "form": form})


@login_required
def status_revoke(request, pk: int):
    status = selectors.status_for_revoke(user=request.user, pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.status_revoke(status=status, reason=form.cleaned_data["reason"], user=request.user)
        except services.IdentificationRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Статус отменён; запись осталась в истории.")
            return redirect("identification:school", pk=status.school_id)
    return render(request, "identification/status_revoke.html", {"status": status, "form": form})


# --- The school's monitoring page ----------------------------------------------------------------


@login_required
@require_GET
def school_monitoring(request, pk: int):
    school = selectors.school_for_monitoring(user=request.user, pk=pk)
    can_manage = (
        services.can_manage_identification(request.user)
        and schools_manageable_by(request.user).filter(pk=school.pk).exists()
    )
    indicators = selectors.school_indicator_table(school=school)
    charts = [
        (
            row["spec"].name,
            line_chart(
                title=row["spec"].name,
                categories=[year.name for year in indicators["years"]],
                series=[Series("Школа", row["series"]), Series("Среднее по муниципалитету", row["muni_series"])],
                unit=row["spec"].unit if row["spec"].unit == "%" else "",
                decimals=2 if row["spec"].unit == "балл" else 1,
                width=480,
                height=240,
            ),
        )
        for row in indicators["rows"]
        if row["spec"].code in CHARTED
    ]
    # The risks app's part of the page (signals, the risk profile) comes from its template tag.
    return render(
        request,
        "identification/school.html",
        {
            "school": school,
            "indicators": indicators,
            "result_slices": selectors.school_result_slices(school=school, years=indicators["years"]),
            "charts": charts,
            "statuses": selectors.statuses_of(school=school),
            "can_manage": can_manage,
        },
    )
