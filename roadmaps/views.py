"""Roadmap pages: thin views — fetch through a scoped selector, validate a form, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.models import Role
from core import queue
from core.idempotency import submit_claim, submit_token_new
from roadmaps import escalation, selectors, services, visits, yearly
from roadmaps.evidence import CONTENT_TYPES, EvidenceRefused, download_name
from roadmaps.forms import (
    CommentForm,
    EscalationSettingsForm,
    MeasureForm,
    ObjectiveForm,
    PeriodForm,
    ProgressForm,
    ReviewForm,
    RoadmapCreateForm,
    RoadmapEditForm,
    TransitionForm,
    VisitForm,
    YearOpenForm,
)
from roadmaps.models import Level, ObjectiveRating, Roadmap
from schools.scopes import schools_for

READER_ROLES = (Role.DEPARTMENT, Role.REGION, Role.METHODOLOGIST, Role.CURATOR)


def _post_only(request):
    """For POST-only URLs: answered after the scoped fetch, so a foreign id is still a 404."""
    return HttpResponseNotAllowed(["POST"])


# --- Roadmaps -----------------------------------------------------------------------------------


@login_required
@require_GET
def roadmap_list(request):
    roadmaps = selectors.roadmaps_for(user=request.user).exclude(status=Roadmap.Status.ARCHIVED)
    level = request.GET.get("level")
    if level in Level.values:
        roadmaps = roadmaps.filter(level=level)
    return render(
        request,
        "roadmaps/list.html",
        {
            "roadmaps": roadmaps.order_by("level", "school__organisation__name", "title")[:500],
            "level": level,
            "levels": Level.choices[:2],
            "can_create": services.can_create_roadmap(request.user),
            "can_manage_periods": services.can_manage_periods(request.user),
        },
    )


@login_required
def roadmap_create(request):
    user = request.user
    if not services.can_create_roadmap(user):
        raise PermissionDenied
    school = user.school if user.role == Role.DIRECTOR else None
    templates = selectors.templates_for(user=user, school=school).order_by("-start_year__start_year", "title")
    form = RoadmapCreateForm(request.POST or None, templates=templates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            roadmap = services.roadmap_create(
                user=user,
                title=data["title"],
                start_year=data["start_year"],
                end_year=data["end_year"],
                school=school,
                based_on=data["based_on"],
            )
        except services.TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Карта создана: добавьте задачи и мероприятия.")
            return redirect("roadmaps:builder", roadmap.pk)
    return render(request, "roadmaps/create.html", {"form": form, "school": school})


@login_required
@require_GET
def roadmap_detail(request, pk: int):
    roadmap = selectors.roadmap_get(user=request.user, pk=pk)
    user = request.user
    periods = []
    if roadmap.level == Level.SCHOOL and roadmap.status == Roadmap.Status.APPROVED:
        reports = {r.period_id: r for r in roadmap.reports.all()}
        periods = [
            (p, reports.get(p.pk)) for p in selectors.periods_for(user=user).filter(municipality=roadmap.municipality)
        ]
    return render(
        request,
        "roadmaps/detail.html",
        {
            "roadmap": roadmap,
            "directions": selectors.objectives_by_direction(roadmap=roadmap),
            "timeline": selectors.timeline_rows(roadmap=roadmap),
            "history": selectors.history_entries(roadmap=roadmap, limit=30),
            "actions": services.allowed_actions(user, roadmap),
            "can_edit": roadmap.is_editable and services.can_write(user, roadmap),
            "can_fill": services.can_fill_report(user, roadmap),
            "periods": periods,
            "today": selectors.today(),
            "measure_escalation": selectors.escalated_measures(roadmap=roadmap),
        },
    )


@login_required
def roadmap_builder(request, pk: int):
    """The builder: the roadmap's title and years (POST here), objectives and measures inline (htmx)."""
    roadmap = selectors.roadmap_get(user=request.user, pk=pk)
    if not services.can_write(request.user, roadmap):
        raise PermissionDenied
    edit_form = RoadmapEditForm(request.POST or None, instance=roadmap)
    if request.method == "POST" and edit_form.is_valid():
        try:
            services.roadmap_update(roadmap=roadmap, user=request.user, **edit_form.cleaned_data)
        except services.TransitionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Сохранено.")
        return redirect("roadmaps:builder", roadmap.pk)
    return render(
        request,
        "roadmaps/builder.html",
        {
            "roadmap": roadmap,
            "objectives": selectors.roadmap_objectives(roadmap=roadmap),
            "objective_form": ObjectiveForm(),
            "edit_form": edit_form,
            "editable": roadmap.is_editable,
        },
    )


@login_required
def objective_add(request, pk: int):
    """htmx: GET gives the empty form, POST adds the objective and answers with its card."""
    roadmap = selectors.roadmap_get(user=request.user, pk=pk)
    if not services.can_write(request.user, roadmap):
        raise PermissionDenied
    form = ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_add(roadmap=roadmap, user=request.user, **form.cleaned_data)
        except services.TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            form = ObjectiveForm()
    if request.method != "POST":
        return render(request, "roadmaps/_objective_form.html", {"objective_form": form, "roadmap": roadmap})
    context = {
        "roadmap": roadmap,
        "objectives": selectors.roadmap_objectives(roadmap=roadmap),
        "objective_form": form,
        "editable": roadmap.is_editable,
    }
    # 200 even with errors: htmx swaps only successful responses, and the errors must show.
    return render(request, "roadmaps/_builder_body.html", context)


@login_required
def measure_add(request, pk: int):
    objective = selectors.objective_get(user=request.user, pk=pk)
    roadmap = objective.roadmap
    if not services.can_write(request.user, roadmap):
        raise PermissionDenied
    form = MeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_add(objective=objective, user=request.user, **form.cleaned_data)
        except services.TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "roadmaps/_objective.html", {"objective": objective, "editable": True})
    if request.method == "POST":
        # The card comes back with the form and its errors in place (what was typed is kept).
        context = {"objective": objective, "editable": True, "measure_form": form}
        return render(request, "roadmaps/_objective.html", context)
    return render(request, "roadmaps/_measure_form.html", {"measure_form": form, "objective": objective})


@login_required
def objective_delete(request, pk: int):
    objective = selectors.objective_get(user=request.user, pk=pk)
    if not services.can_write(request.user, objective.roadmap):
        raise PermissionDenied
    if request.method != "POST":
        return _post_only(request)
    try:
        services.objective_delete(objective=objective, user=request.user)
    except services.TransitionRefused as exc:
        messages.error(request, str(exc))
    return redirect("roadmaps:builder", objective.roadmap_id)


@login_required
def measure_delete(request, pk: int):
    measure = selectors.measure_get(user=request.user, pk=pk)
    if not services.can_write(request.user, measure.roadmap):
        raise PermissionDenied
    if request.method != "POST":
        return _post_only(request)
    try:
        services.measure_delete(measure=measure, user=request.user)
    except services.TransitionRefused as exc:
        messages.error(request, str(exc))
    return redirect("roadmaps:builder", measure.roadmap_id)


@login_required
@queue.warn_when_delayed(queue.LETTERS_DELAYED_MESSAGE)
def roadmap_transition(request, pk: int):
    roadmap = selectors.roadmap_get(user=request.user, pk=pk)
    if request.user.role in (Role.REGION, Role.METHODOLOGIST, Role.TEACHER):
        raise PermissionDenied
    if request.method != "POST":
        return _post_only(request)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.roadmap_transition(
                roadmap=roadmap,
                user=request.user,
                action=form.cleaned_data["action"],
                comment=form.cleaned_data["comment"],
            )
        except services.TransitionRefused as exc:
            messages.error(request, str(exc))
        else:
            roadmap.refresh_from_db()
            messages.success(request, f"Готово: «{roadmap.title}» — {roadmap.get_status_display().lower()}.")
    return redirect(roadmap)


# --- Progress reports ---------------------------------------------------------------------------------


@login_required
@queue.warn_when_delayed(queue.LETTERS_DELAYED_MESSAGE)
def progress(request, pk: int, period_pk: int):
    """The director's one-screen form for a period. A second saver of the same report is refused
    (optimistic lock) and gets the form back with what they typed."""
    roadmap = selectors.roadmap_get(user=request.user, pk=pk)
    period = selectors.period_get(user=request.user, pk=period_pk)
    if not services.can_fill_report(request.user, roadmap):
        raise PermissionDenied
    try:
        report = services.report_open(roadmap=roadmap, period=period, user=request.user)
    except services.TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect(roadmap)
    if not report.is_editable:
        return redirect("roadmaps:review", report.pk)
    items = selectors.report_items(report=report)
    initial = {"version": report.version, "self_assessment": report.self_assessment}
    form = ProgressForm(request.POST or None, request.FILES or None, items=items, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.report_save(
                report=report,
                user=request.user,
                version=form.cleaned_data["version"],
                self_assessment=form.cleaned_data["self_assessment"],
                items=form.item_inputs(),
                submit=submit,
            )
        except services.EditConflict as exc:
            form.add_error(None, exc.message)
            status = 409
        except (services.TransitionRefused, EvidenceRefused) as exc:
            form.add_error(None, str(exc))
            status = 400
        else:
            if submit:
                messages.success(request, "Отчёт отправлен на проверку.")
                return redirect("roadmaps:review", report.pk)
            # Not a session message: a second tab of the same director would show it beside its own
            # «уже изменил другой пользователь». The page says «saved» only while its version is ours.
            report.refresh_from_db(fields=["version"])
            url = reverse("roadmaps:progress", args=[roadmap.pk, period.pk])
            return redirect(f"{url}?saved={report.version}")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "roadmaps/progress.html",
        {
            "roadmap": roadmap,
            "period": period,
            "report": report,
            "form": form,
            "threads": selectors.report_threads(report=report),
            "saved": request.method == "GET" and request.GET.get("saved") == str(report.version),
        },
        status=status,
    )


@login_required
@queue.warn_when_delayed(queue.LETTERS_DELAYED_MESSAGE)
def review(request, pk: int):
    """The report as the reviewer sees it, with accept/return and comments threaded per measure."""
    report = selectors.report_get(user=request.user, pk=pk)
    user = request.user
    items = selectors.report_items(report=report)
    can_review = services.can_review_report(user, report)
    form = ReviewForm(request.POST or None, items=items) if can_review else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.report_review(
                    report=report,
                    user=user,
                    accept=form.cleaned_data["decision"] == "accept",
                    comment=form.cleaned_data["comment"],
                    measure_comments=form.measure_comments(),
                )
            except services.TransitionRefused as exc:
                messages.error(request, str(exc))
            else:
                report.refresh_from_db()
                messages.success(request, f"Отчёт: {report.get_status_display().lower()}.")
            return redirect("roadmaps:review", report.pk)
    return render(
        request,
        "roadmaps/review.html",
        {
            "report": report,
            "roadmap": report.roadmap,
            "items": items,
            "threads": selectors.report_threads(report=report),
            "objective_progress": selectors.report_objective_progress(report=report),
            "can_rate": can_review,
            "rating_choices": ObjectiveRating.Rating.choices,
            "form": form,
            "can_review": can_review and report.status == report.Status.SUBMITTED,
            "can_fill": services.can_fill_report(user, report.roadmap) and report.is_editable,
            "can_comment": can_review or services.can_fill_report(user, report.roadmap),
            "comment_form": CommentForm(),
            "comment_token": submit_token_new(),
        },
    )


@login_required
def objective_rating(request, pk: int):
    """The curator confirms (or changes, with a reason) an objective's rating in the report."""
    report = selectors.report_get(user=request.user, pk=pk)
    if not services.can_review_report(request.user, report):
        raise PermissionDenied
    if request.method != "POST":
        return _post_only(request)
    try:
        objective_id = int(request.POST.get("objective", ""))
    except ValueError:
        objective_id = 0
    try:
        confirmed = services.objective_rating_confirm(
            report=report,
            objective_id=objective_id,
            rating=request.POST.get("rating", ""),
            comment=request.POST.get("comment", ""),
            user=request.user,
        )
    except services.TransitionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Оценка «{confirmed.get_rating_display()}» подтверждена.")
    return redirect(reverse("roadmaps:review", args=[report.pk]) + "#objective-progress")


@login_required
def report_comment(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    if not (services.can_review_report(request.user, report) or services.can_fill_report(request.user, report.roadmap)):
        raise PermissionDenied
    if request.method != "POST":
        return _post_only(request)
    form = CommentForm(request.POST)
    if form.is_valid():
        token = form.cleaned_data["submit_token"]
        try:
            with transaction.atomic():
                # The same form sent twice (a double click) posts one comment.
                if submit_claim(token=token, user=request.user) is None:
                    services.report_comment(
                        report=report,
                        user=request.user,
                        text=form.cleaned_data["text"],
                        measure_id=form.cleaned_data["measure"],
                    )
        except services.TransitionRefused as exc:
            messages.error(request, str(exc))
    return redirect("roadmaps:review", report.pk)


@login_required
@require_GET
def evidence_download(request, pk: int):
    """Evidence is never served from media: only here, after the scoped fetch."""
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=download_name(evidence.original_name, evidence.kind),
        content_type=CONTENT_TYPES[evidence.kind],
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Periods, lists, summary ----------------------------------------------------------------------


@login_required
def period_list(request):
    user = request.user
    can_manage = services.can_manage_periods(user)
    form = PeriodForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                period = services.period_create(user=user, **form.cleaned_data)
            except services.TransitionRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Период «{period.name}» добавлен.")
                return redirect("roadmaps:period_list")
    return render(
        request,
        "roadmaps/period_list.html",
        {"periods": selectors.periods_for(user=user), "form": form, "can_manage": can_manage},
    )


@login_required
def period_edit(request, pk: int):
    """The department corrects its period's name or dates."""
    if not services.can_manage_periods(request.user):
        raise PermissionDenied
    period = selectors.period_get(user=request.user, pk=pk)
    form = PeriodForm(request.POST or None, instance=period)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in ("name", "opens_on", "due_on")}
        period.refresh_from_db()  # the form wrote its values onto the instance
        try:
            services.period_update(period=period, user=request.user, **data)
        except services.TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Период «{period.name}» сохранён.")
            return redirect(period)
    return render(request, "roadmaps/period_edit.html", {"form": form, "period": period})


@login_required
def year_open(request):
    """The department opens the next school year: a preview of what it does, then one POST."""
    user = request.user
    if not services.can_manage_periods(user) or user.municipality is None:
        raise PermissionDenied
    try:
        plan = yearly.year_opening_plan(municipality=user.municipality)
    except services.TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect("roadmaps:period_list")
    form = YearOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = yearly.school_year_open(
            user=user, municipality=user.municipality, programmes=form.cleaned_data["programmes"]
        )
        messages.success(
            request,
            f"Учебный год {done.next_name} открыт: отчётных периодов — {len(done.periods)}, "
            f"программ — {len(done.programmes)}, статусов сохранено до нового решения — {len(done.statuses)}.",
        )
        return redirect("roadmaps:period_list")
    return render(request, "roadmaps/year_open.html", {"plan": plan, "form": form})


def _visit_school(request, pk: int):
    school = get_object_or_404(schools_for(request.user).select_related("organisation"), pk=pk)
    if not visits.can_log_visits(request.user, school):
        raise PermissionDenied
    return school


@login_required
def visit_log(request, pk: int):
    """A school's visit log: the curator (or the department) records a visit and its agreements."""
    school = _visit_school(request, pk)
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = visits.visit_record(
                user=request.user,
                school=school,
                visited_on=data["visited_on"],
                format=data["format"],
                findings=data["findings"],
                actions=data["actions"],
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            made = visit.measures.count()
            messages.success(request, f"Посещение записано; договорённостей в программе школы: {made}.")
            return redirect("roadmaps:visit_log", pk=school.pk)
    log = school.curator_visits.select_related("curator").prefetch_related("measures")
    return render(request, "roadmaps/visit_log.html", {"school": school, "form": form, "visits": log})


@login_required
@require_GET
def visit_brief(request, pk: int):
    school = _visit_school(request, pk)
    return render(request, "roadmaps/visit_brief.html", {"brief": visits.visit_brief(school=school)})


@login_required
def escalation_settings(request):
    user = request.user
    if not services.can_manage_periods(user) or user.municipality is None:
        raise PermissionDenied
    current = escalation.settings_for(user.municipality_id)
    form = EscalationSettingsForm(
        request.POST or None,
        initial={
            "curator_after_days": current.curator_after_days,
            "department_after_days": current.department_after_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        escalation.settings_save(user=user, **form.cleaned_data)
        messages.success(request, "Сроки эскалации сохранены.")
        return redirect("roadmaps:period_list")
    return render(request, "roadmaps/escalation_settings.html", {"form": form})


@login_required
def period_detail(request, pk: int):
    """Who has (not) filed for the period, and the summary by school and direction."""
    period = selectors.period_get(user=request.user, pk=pk)
    user = request.user
    if request.method == "POST":
        if not services.can_manage_periods(user):
            raise PermissionDenied
        services.period_publish(period=period, user=user, publish="publish" in request.POST)
        messages.success(request, "Сводка опубликована." if period.summary_published_at else "Сводка снята с сайта.")
        return redirect(period)
    rows = selectors.period_reporting_schools(user=user, period=period)
    steps = escalation.escalation_for_period(period)
    for row in rows:
        row["escalation"] = steps.get(row["school"].pk, [])
    return render(
        request,
        "roadmaps/period_detail.html",
        {
            "period": period,
            "rows": rows,
            "missing": [r for r in rows if not r["filed"]],
            "summary": selectors.municipal_summary(period=period, schools=schools_for(user)),
            "escalation_rules": escalation.settings_for(period.municipality_id),
            "can_manage": services.can_manage_periods(user),
            "today": selectors.today(),
        },
    )


@login_required
@require_GET
def overdue(request):
    measures = list(selectors.overdue_measures(user=request.user)[:500])
    steps = selectors.measure_escalation_steps([m.pk for m in measures])
    rows = [(measure, steps.get(measure.pk, [])) for measure in measures]
    return render(
        request,
        "roadmaps/overdue.html",
        {"rows": rows, "total": selectors.overdue_measures(user=request.user).count(), "today": selectors.today()},
    )


# --- Public site ----------------------------------------------------------------------------------------


@require_GET
def public_index(request):
    return render(
        request,
        "roadmaps/public_index.html",
        {"roadmaps": selectors.public_roadmaps()[:200], "periods": selectors.public_periods()[:50]},
    )


@require_GET
def public_roadmap(request, pk: int):
    roadmap = selectors.public_roadmap_get(pk=pk)
    return render(
        request,
        "roadmaps/public_roadmap.html",
        {"roadmap": roadmap, "directions": selectors.objectives_by_direction(roadmap=roadmap)},
    )


@require_GET
def public_period(request, pk: int):
    period = selectors.public_period_get(pk=pk)
    return render(
        request,
        "roadmaps/public_period.html",
        {"period": period, "summary": selectors.municipal_summary(period=period)},
    )
