from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from core import queue
from core.params import id_param, search_param
from risks import selectors, services
from risks.forms import RiskFactorForm, SelfDiagnosisForm, SignalReviewForm
from risks.models import ObjectivitySignal, RecomputeJob, RiskFactor, SelfDiagnosis, SignalKind
from schools.catalogues import may_edit_catalogue, refusal
from schools.models import AcademicYear
from schools.scopes import municipalities_for

PAGE_SIZE = 100
# Schools × factors: fifty rows keep the page light at region scale (issue #20).
OVERVIEW_PAGE_SIZE = 50


def _require(user, roles) -> None:
    if not selectors.has_role(user, roles):
        raise PermissionDenied


def _years():
    return AcademicYear.objects.order_by("-start_year")


@login_required
@require_GET
def signals(request):
    _require(request.user, selectors.SIGNAL_LIST_ROLES)
    year = selectors.year_from(request.GET.get("year"))
    filters = {"kind": request.GET.get("kind", ""), "review": request.GET.get("review", "")}
    qs = selectors.municipal_signals(user=request.user, year=year, **filters) if year else []
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    can_review = services.can_review_signals(request.user)
    last_job = None
    if can_review and year and request.user.municipality_id:
        last_job = RecomputeJob.objects.filter(year=year, municipality_id=request.user.municipality_id).first()
    return render(
        request,
        "risks/signals.html",
        {
            "year": year,
            "years": _years(),
            "page": page,
            "can_review": can_review,
            "job": last_job,
            "filters": filters,
            "kinds": SignalKind.choices,
            "reviews": ObjectivitySignal.Review.choices,
        },
    )


@login_required
def signal_review(request, pk: int):
    if not services.can_review_signals(request.user):
        raise PermissionDenied
    signal = selectors.signal_get_for_review(user=request.user, pk=pk)
    form = SignalReviewForm(request.POST or None, initial={"review": signal.review, "comment": signal.review_comment})
    if request.method == "POST" and form.is_valid():
        try:
            services.signal_review(
                signal=signal,
                user=request.user,
                review=form.cleaned_data["review"],
                comment=form.cleaned_data["comment"],
            )
        except services.RiskActionRefused as exc:
            form.add_error("comment", str(exc))
        else:
            messages.success(request, "Проверка сигнала сохранена.")
            return redirect(f"{reverse('risks:signals')}?year={signal.year.start_year}")
    return render(request, "risks/signal_review.html", {"signal": signal, "form": form})


@login_required
@require_POST
def recompute(request):
    if not services.can_review_signals(request.user):
        raise PermissionDenied
    year = selectors.year_from(request.POST.get("year"))
    if year is None:
        raise Http404
    try:
        with queue.watch() as sent:
            job = services.recompute_job_create(user=request.user, year=year)
    except services.RiskActionRefused as exc:
        messages.error(request, str(exc))
        return redirect("risks:signals")
    if sent.delayed:
        messages.warning(request, queue.delayed_message(saved="Запрос на пересчёт сохранён", work="пересчёт"))
    return redirect(f"{reverse('risks:signals')}?year={year.start_year}#recompute-{job.pk}")


@login_required
@require_GET
def recompute_status(request, pk: int):
    if not services.can_review_signals(request.user):
        raise PermissionDenied
    job = get_object_or_404(RecomputeJob, pk=pk, municipality__in=municipalities_for(request.user))
    return render(request, "risks/_recompute_progress.html", {"job": job})


@login_required
@require_GET
def school(request, pk: int):
    _require(request.user, selectors.PROFILE_ROLES)
    school = selectors.school_get(user=request.user, pk=pk)
    year = selectors.year_from(request.GET.get("year"))
    return render(
        request,
        "risks/school.html",
        {
            "school": school,
            "year": year,
            "years": _years(),
            "risk_profile": selectors.risk_profile_for(school=school, year=year),
            "signals": selectors.signals_for(school=school, year=year),
            "can_review": services.can_review_signals(request.user),
            "can_lock": services.can_review_signals(request.user),
            "is_director": request.user.role == Role.DIRECTOR,
        },
    )


@login_required
def questionnaire(request, pk: int):
    # The director fills it in; those who read the school's profile read the answers.
    _require(request.user, selectors.PROFILE_ROLES)
    can_edit = request.user.role == Role.DIRECTOR
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    school = selectors.school_get(user=request.user, pk=pk)
    year = selectors.year_from(request.GET.get("year"))
    if year is None:
        raise Http404
    diagnosis = SelfDiagnosis.objects.filter(school=school, year=year).first()
    answers = dict(diagnosis.answers.values_list("question_id", "value")) if diagnosis else {}
    locked = diagnosis is not None and diagnosis.status == SelfDiagnosis.Status.LOCKED
    form = SelfDiagnosisForm(
        request.POST or None,
        factors=selectors.diagnosis_questions(),
        answers=answers,
        disabled=locked or not can_edit,
    )
    if request.method == "POST" and not locked and form.is_valid():
        try:
            services.self_diagnosis_save(
                school=school,
                year=year,
                user=request.user,
                answers=form.answers(),
                submit="submit" in request.POST,
            )
        except services.RiskActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "Самодиагностика отправлена." if "submit" in request.POST else "Черновик сохранён."
            )
            return redirect(f"{reverse('risks:questionnaire', args=[school.pk])}?year={year.start_year}")
    return render(
        request,
        "risks/questionnaire.html",
        {"school": school, "year": year, "form": form, "diagnosis": diagnosis, "locked": locked, "can_edit": can_edit},
    )


@login_required
@require_POST
def questionnaire_lock(request, pk: int):
    if not services.can_review_signals(request.user):
        raise PermissionDenied
    school = selectors.school_get(user=request.user, pk=pk)
    year = selectors.year_from(request.POST.get("year"))
    diagnosis = get_object_or_404(SelfDiagnosis, school=school, year=year)
    try:
        services.self_diagnosis_set_locked(
            diagnosis=diagnosis, user=request.user, locked=request.POST.get("lock") == "1"
        )
    except services.RiskActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Самодиагностика: {diagnosis.get_status_display().lower()}.")
    return redirect(f"{reverse('risks:school', args=[school.pk])}?year={year.start_year}")


@login_required
@require_GET
def overview(request):
    _require(request.user, selectors.OVERVIEW_ROLES)
    year = selectors.year_from(request.GET.get("year"))
    municipalities = municipalities_for(request.user).order_by("name")
    filters = {
        "q": search_param(request.GET).strip()[:100],
        "municipality_id": id_param(request.GET, "municipality"),
        "only_high": request.GET.get("only_high") == "1",
        "sort": request.GET.get("sort") if request.GET.get("sort") in selectors.OVERVIEW_SORTS else "name",
    }
    factors, page, rows = [], None, []
    if year:
        factors = selectors.current_risk_factors()
        schools = selectors.risk_overview_schools(user=request.user, year=year, **filters)
        page = Paginator(schools, OVERVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = selectors.risk_overview_rows(schools=page.object_list, factors=factors, year=year)
    return render(
        request,
        "risks/overview.html",
        {
            "year": year,
            "years": _years(),
            "factors": factors,
            "rows": rows,
            "page": page,
            "filters": filters,
            "municipalities": municipalities if len(municipalities) > 1 else [],
        },
    )


@login_required
@require_GET
def catalogue(request):
    _require(request.user, selectors.OVERVIEW_ROLES)
    factors = RiskFactor.objects.prefetch_related("questions").order_by("order", "code", "-version")
    return render(
        request,
        "risks/catalogue.html",
        {
            "factors": factors,
            "can_edit": may_edit_catalogue(request.user, "risks.RiskFactor"),
            "refusal": refusal("risks.RiskFactor"),
        },
    )


@login_required
def factor_edit(request, pk: int):
    if not may_edit_catalogue(request.user, "risks.RiskFactor"):
        raise PermissionDenied(refusal("risks.RiskFactor"))
    factor = get_object_or_404(RiskFactor.objects.prefetch_related("questions"), pk=pk, is_current=True)
    form = RiskFactorForm(request.POST or None, initial=RiskFactorForm.initial_for(factor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.risk_factor_update(
                factor=factor,
                user=request.user,
                name=data["name"],
                description=data["description"],
                data_source=data["data_source"] or "",
                medium_from=data["medium_from"],
                high_from=data["high_from"],
                questions=data["questions"],
            )
        except services.RiskActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            if new.pk != factor.pk:
                messages.success(request, f"Фактор уже использовался: создана версия {new.version}.")
            else:
                messages.success(request, "Фактор изменён.")
            return redirect("risks:catalogue")
    return render(
        request,
        "risks/factor_form.html",
        {"factor": factor, "form": form, "is_used": services.risk_factor_is_used(factor)},
    )
