"""Pages of the partnerships app: thin views over selectors and services.

Reads go through ``selectors.agreements_for`` (404 outside the scope); changes are the
department's (403 for any other role, 404 for another municipality's agreement).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.idempotency import submit_claim, submit_done, submit_token_new
from core.tables import paginate, school_search, table_options
from identification.selectors import supported_schools
from partnerships import selectors, services
from partnerships.forms import (
    AgreementForm,
    AssessmentForm,
    CandidateForm,
    ScanForm,
    SettingsForm,
    TerminateForm,
    agreement_filter,
)
from partnerships.models import Agreement, PartnerCandidate, PartnershipSettings
from schools.models import AcademicYear, Organisation
from schools.scopes import schools_for

PAGE_SIZE = 50


def _require_manager(user) -> None:
    if not selectors.can_manage_agreements(user):
        raise PermissionDenied


def _managed_agreement(request, pk: int) -> Agreement:
    _require_manager(request.user)
    return get_object_or_404(selectors.agreement_list(user=request.user), pk=pk)


def _supported_in_scope(user):
    return supported_schools(schools=schools_for(user))


def _partner_organisations(user):
    """Organisations the department may name as partners: its municipality's, not departments."""
    return (
        Organisation.objects.filter(municipality_id=user.municipality_id)
        .exclude(kind=Organisation.Kind.DEPARTMENT)
        .order_by("name")
    )


# --- Register ------------------------------------------------------------------------------


def _filtered(request):
    return agreement_filter(request.GET, user=request.user)


@login_required
@require_GET
def agreement_list(request):
    register_filter = _filtered(request)
    page = Paginator(register_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partnerships/agreement_list.html",
        {
            "filter": register_filter,
            "page": page,
            "query": query.urlencode(),
            "can_manage": selectors.can_manage_agreements(request.user),
        },
    )


# --- One agreement -------------------------------------------------------------------------------


@login_required
@require_GET
def agreement_detail(request, pk: int):
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    can_manage = selectors.can_manage_agreements(request.user)
    moves = [
        (status, services.TRANSITION_LABELS[status], Agreement.Status(status).label)
        for status in services.TRANSITIONS[agreement.status]
    ]
    return render(
        request,
        "partnerships/agreement_detail.html",
        {
            "agreement": agreement,
            "partners": list(agreement.partners.all()),
            "subjects": list(agreement.subjects.all()),
            "history": selectors.agreement_history(agreement=agreement),
            "indicators": selectors.agreement_indicators(agreement=agreement),
            "can_manage": can_manage,
            "moves": moves if can_manage else [],
            "terminate_form": TerminateForm(),
            "scan_form": ScanForm(),
            "assessment_form": AssessmentForm(
                initial={"results": agreement.assessment_results, "rating": agreement.assessment_rating}
            ),
        },
    )


@login_required
def agreement_create(request):
    _require_manager(request.user)
    schools = _supported_in_scope(request.user)
    organisations = _partner_organisations(request.user)
    form = AgreementForm(
        request.POST or None,
        schools=schools,
        organisations=organisations,
        initial={"submit_token": submit_token_new()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token = data["submit_token"]
        try:
            with transaction.atomic():
                earlier = submit_claim(token=token, user=request.user)
                if earlier is not None:
                    # The same form sent twice (a double click): the first one's agreement.
                    messages.info(request, "Проект договора уже создан по этой форме.")
                    return redirect(earlier.url or "partnerships:agreement_list")
                agreement = services.agreement_create(
                    by=request.user,
                    supported_school=data["supported_school"],
                    partners=list(data["partners"]),
                    number=data["number"],
                    signed_on=data["signed_on"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    support_forms=data["support_forms"],
                    subjects=list(data["subjects"]),
                    activities=data["activities"],
                )
                submit_done(token=token, user=request.user, url=agreement.get_absolute_url())
        except services.AgreementError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Проект договора создан.")
            return redirect(agreement)
    return render(request, "partnerships/agreement_form.html", {"form": form, "agreement": None})


@login_required
def agreement_edit(request, pk: int):
    agreement = _managed_agreement(request, pk)
    if agreement.status != Agreement.Status.DRAFT:
        messages.error(request, "Сведения меняются только в проекте договора.")
        return redirect(agreement)
    initial = {
        "supported_school": agreement.supported_school,
        "partners": agreement.partners.all(),
        "number": agreement.number,
        "signed_on": agreement.signed_on,
        "starts_on": agreement.starts_on,
        "ends_on": agreement.ends_on,
        "support_forms": agreement.support_forms,
        "subjects": agreement.subjects.all(),
        "activities": agreement.activities,
    }
    form = AgreementForm(
        request.POST or None,
        initial=initial,
        schools=schools_for(request.user).filter(pk=agreement.supported_school_id),
        organisations=_partner_organisations(request.user),
        fixed_school=True,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_update(
                agreement=agreement,
                by=request.user,
                partners=list(data["partners"]),
                subjects=list(data["subjects"]),
                number=data["number"],
                signed_on=data["signed_on"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                support_forms=data["support_forms"],
                activities=data["activities"],
            )
        except services.AgreementError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Сведения договора сохранены.")
            return redirect(agreement)
    return render(request, "partnerships/agreement_form.html", {"form": form, "agreement": agreement})


@login_required
@require_POST
def agreement_transition(request, pk: int):
    agreement = _managed_agreement(request, pk)
    to, reason = request.POST.get("to", ""), request.POST.get("reason", "")
    try:
        services.agreement_transition(agreement=agreement, to=to, by=request.user, reason=reason)
    except services.AgreementError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Статус договора: «{Agreement.Status(to).label}».")
    return redirect(agreement)


@login_required
@require_POST
def agreement_scan_upload(request, pk: int):
    agreement = _managed_agreement(request, pk)
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Выберите файл скана.")
        return redirect(agreement)
    try:
        services.agreement_scan_attach(agreement=agreement, upload=form.cleaned_data["scan"], by=request.user)
    except services.AgreementError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Скан договора загружен.")
    return redirect(agreement)


@login_required
@require_GET
def agreement_scan(request, pk: int):
    """The scan, only to those who may read the agreement; never from a public media URL."""
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    if not agreement.scan:
        raise Http404("Скан не загружен")
    number = "".join(ch for ch in agreement.number if ch.isalnum() or ch in "-_") or str(agreement.pk)
    response = FileResponse(
        agreement.scan.open("rb"),
        as_attachment=True,
        filename=f"dogovor-{number}.{agreement.scan_kind}",
        content_type=services.SCAN_CONTENT_TYPES.get(agreement.scan_kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def agreement_assess(request, pk: int):
    agreement = _managed_agreement(request, pk)
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Заполните итоги и выберите оценку от 1 до 5.")
        return redirect(agreement)
    try:
        services.agreement_assess(
            agreement=agreement,
            results=form.cleaned_data["results"],
            rating=form.cleaned_data["rating"],
            by=request.user,
        )
    except services.AgreementError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Оценка по итогам срока сохранена.")
    return redirect(agreement)


# --- Supported schools and matching ----------------------------------------------------------


@login_required
@require_GET
def supported_list(request):
    _require_manager(request.user)
    options = table_options(request, selectors.SUPPORTED_SORTS)
    schools = selectors.supported_schools_with_partners(user=request.user, sort=options.sort)
    page = paginate(request, school_search(schools, options.q))
    return render(
        request,
        "partnerships/supported_list.html",
        {"schools": page.object_list, "page": page, "options": options, "year": AcademicYear.current()},
    )


@login_required
@require_GET
def matching(request, school_pk: int):
    _require_manager(request.user)
    school = get_object_or_404(_supported_in_scope(request.user).select_related("organisation"), pk=school_pk)
    return render(
        request,
        "partnerships/matching.html",
        {
            "school": school,
            "weak": selectors.weak_subjects(school=school),
            "suggestions": selectors.match_candidates(school=school),
            "agreements": selectors.agreement_list(user=request.user).filter(supported_school=school),
        },
    )


@login_required
@require_POST
def suggestion_accept(request, school_pk: int, organisation_pk: int):
    _require_manager(request.user)
    school = get_object_or_404(_supported_in_scope(request.user).select_related("organisation"), pk=school_pk)
    organisation = get_object_or_404(Organisation, pk=organisation_pk)
    try:
        agreement = services.agreement_from_suggestion(by=request.user, school=school, organisation=organisation)
    except services.AgreementError as error:
        messages.error(request, error.message)
        return redirect("partnerships:matching", school_pk=school.pk)
    messages.success(request, f"Начат проект договора с «{organisation}». Заполните номер, дату и формы поддержки.")
    return redirect("partnerships:agreement_edit", pk=agreement.pk)


# --- Candidates and settings ---------------------------------------------------------------------


@login_required
def candidate_list(request):
    _require_manager(request.user)
    municipality_id = request.user.municipality_id
    taken = PartnerCandidate.objects.filter(municipality_id=municipality_id).values("organisation_id")
    form = CandidateForm(
        request.POST or None,
        organisations=_partner_organisations(request.user).exclude(kind=Organisation.Kind.SCHOOL).exclude(pk__in=taken),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_add(
                municipality=request.user.municipality,
                organisation=form.cleaned_data["organisation"],
                strengths=form.cleaned_data["strengths"],
                by=request.user,
            )
        except services.AgreementError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Организация добавлена в кандидаты.")
            return redirect("partnerships:candidates")
    candidates = selectors.candidates_for(municipality_id=municipality_id, year=AcademicYear.current())
    loads = selectors.partner_loads(c.organisation.pk for c in candidates)
    added = {c.organisation_id: c for c in selectors.added_candidates(municipality_id=municipality_id)}
    rows = [(c, loads.get(c.organisation.pk, 0), added.get(c.organisation.pk)) for c in candidates]
    return render(
        request,
        "partnerships/candidates.html",
        {"rows": rows, "form": form, "numbers": selectors.settings_of(municipality_id)},
    )


@login_required
@require_POST
def candidate_remove(request, pk: int):
    _require_manager(request.user)
    candidate = get_object_or_404(PartnerCandidate, pk=pk, municipality_id=request.user.municipality_id)
    services.candidate_remove(candidate=candidate)
    messages.success(request, f"«{candidate.organisation}» исключена из кандидатов.")
    return redirect("partnerships:candidates")


@login_required
def settings_edit(request):
    _require_manager(request.user)
    municipality = request.user.municipality
    instance = PartnershipSettings.objects.filter(municipality=municipality).first() or PartnershipSettings(
        municipality=municipality
    )
    form = SettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.partnership_settings_update(
            municipality=municipality,
            agreement_cap=form.cleaned_data["agreement_cap"],
            yearly_target=form.cleaned_data["yearly_target"],
        )
        messages.success(request, "Настройки партнёрства сохранены.")
        return redirect("partnerships:candidates")
    return render(request, "partnerships/settings.html", {"form": form})
