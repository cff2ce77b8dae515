from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from core.tables import paginate, school_search, table_options
from core.tabular import TabularFileError, describe_error, xlsx_bytes, xlsx_response
from schools.models import AcademicYear
from teachers import formats, selectors, services
from teachers.forms import (
    DiagnosisForm,
    DiagnosticsUploadForm,
    GoalForm,
    MeetingForm,
    MentorshipForm,
    RosterUploadForm,
    RouteCreateForm,
    StepForm,
    StepStatusForm,
    TeacherForm,
)
from teachers.models import Competence, Deficit, RouteStep


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _is_teacher(user) -> bool:
    return user.role == Role.TEACHER and not user.is_superuser


def _may_read_own_or_names(user) -> bool:
    return selectors.may_read_names(user) or _is_teacher(user)


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


def _form_page(request, *, title: str, form, back_url: str, back_label: str, submit: str = "Сохранить"):
    return render(
        request,
        "teachers/form.html",
        {"title": title, "form": form, "back_url": back_url, "back_label": back_label, "submit": submit},
    )


# --- Lists and cards -----------------------------------------------------------------------------


@login_required
def index(request):
    user = request.user
    if _is_teacher(user):
        return redirect("teachers:my_route")
    _require(selectors.may_read_names(user))
    if user.role == Role.DIRECTOR and user.school_id:
        return redirect("teachers:school", school_pk=user.school_id)
    year = AcademicYear.current()
    options = table_options(request, selectors.SCHOOL_OVERVIEW_SORTS)
    schools = school_search(selectors.school_overview(user=user, year=year, sort=options.sort), options.q)
    page = paginate(request, schools)
    figures = selectors.teacher_figures(schools=selectors.name_schools_for(user), year=year)
    return render(
        request,
        "teachers/index.html",
        {"schools": page.object_list, "page": page, "options": options, "figures": figures, "year": year},
    )


@login_required
def school_teachers(request, school_pk: int):
    _require(selectors.may_read_names(request.user))
    school = selectors.school_get_for_names(user=request.user, pk=school_pk)
    year = AcademicYear.current()
    return render(
        request,
        "teachers/school.html",
        {
            "school": school,
            "year": year,
            "teachers": selectors.school_teachers(school=school, year=year),
            "figures": selectors.teacher_figures(
                schools=selectors.name_schools_for(request.user).filter(pk=school.pk), year=year
            ),
            "can_keep_roster": selectors.may_keep_roster(request.user),
            "can_plan": selectors.may_plan(request.user),
        },
    )


@login_required
def teacher_detail(request, pk: int):
    _require(_may_read_own_or_names(request.user))
    teacher = selectors.teacher_get(user=request.user, pk=pk)
    return render(
        request,
        "teachers/detail.html",
        {
            "teacher": teacher,
            **selectors.teacher_profile(teacher=teacher),
            "can_keep_roster": selectors.may_keep_roster(request.user),
            "can_plan": selectors.may_plan(request.user),
        },
    )


@login_required
def teacher_create(request, school_pk: int):
    _require(selectors.may_keep_roster(request.user))
    school = selectors.school_get_for_roster(user=request.user, pk=school_pk)
    form = TeacherForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        teacher = services.teacher_save(teacher=form.save(commit=False))
        messages.success(request, f"Педагог {teacher.full_name} добавлен.")
        return redirect(teacher)
    return _form_page(
        request,
        title=f"Новый педагог — {school.short_name}",
        form=form,
        back_url=_url("teachers:school", school.pk),
        back_label="Педагоги школы",
    )


@login_required
def teacher_edit(request, pk: int):
    _require(selectors.may_keep_roster(request.user))
    teacher = selectors.teacher_get_for_edit(user=request.user, pk=pk)
    form = TeacherForm(request.POST or None, instance=teacher, school=teacher.school)
    if request.method == "POST" and form.is_valid():
        services.teacher_save(teacher=form.save(commit=False))
        messages.success(request, "Карточка педагога сохранена.")
        return redirect(teacher)
    return _form_page(
        request,
        title=f"{teacher.full_name}: редактирование",
        form=form,
        back_url=teacher.get_absolute_url(),
        back_label="Карточка",
    )


# --- Imports ----------------------------------------------------------------------------------


def _import_page(request, *, school, form, kind: str, result=None, errors=None):
    columns = formats.ROSTER_COLUMNS if kind == "roster" else formats.DIAGNOSTIC_COLUMNS
    return render(
        request,
        "teachers/import.html",
        {
            "school": school,
            "form": form,
            "kind": kind,
            "columns": columns,
            "result": result,
            "errors": [describe_error(e.as_dict()) for e in errors or []][:200],
            "error_count": len(errors or []),
            "template_url": _url("teachers:roster_template" if kind == "roster" else "teachers:diagnostics_template"),
            "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        },
    )


def _run_import(request, *, school, form_class, kind: str, run):
    form = form_class(request.POST or None, request.FILES or None, max_bytes=settings.UPLOAD_MAX_BYTES)
    result, errors = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = run(upload)
        except TabularFileError as exc:
            form.add_error("file", str(exc))
        except services.ImportRejected as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                f"Файл загружен: добавлено {result.created}, обновлено {result.updated}, "
                f"без изменений {result.unchanged}.",
            )
    return _import_page(request, school=school, form=form, kind=kind, result=result, errors=errors)


@login_required
def roster_import(request, school_pk: int):
    _require(selectors.may_keep_roster(request.user))
    school = selectors.school_get_for_roster(user=request.user, pk=school_pk)
    return _run_import(
        request,
        school=school,
        form_class=RosterUploadForm,
        kind="roster",
        run=lambda upload: services.teachers_import(school=school, fileobj=upload, name=upload.name, user=request.user),
    )


@login_required
@require_GET
def roster_template(request):
    _require(selectors.may_keep_roster(request.user))
    content = xlsx_bytes(
        "Педагоги",
        [c.title for c in formats.ROSTER_COLUMNS],
        [formats.ROSTER_EXAMPLE],
        notes=[("Столбец", "Что указывать")]
        + [(c.title + (" (обязательный)" if c.required else ""), c.description) for c in formats.ROSTER_COLUMNS],
    )
    return xlsx_response(content, "shablon-pedagogi.xlsx")


@login_required
def diagnostics_import(request, school_pk: int):
    _require(selectors.may_plan(request.user))
    school = selectors.school_get_for_names(user=request.user, pk=school_pk)
    return _run_import(
        request,
        school=school,
        form_class=DiagnosticsUploadForm,
        kind="diagnostics",
        run=lambda upload: services.diagnostics_import(
            school=school, fileobj=upload, name=upload.name, user=request.user
        ),
    )


@login_required
@require_GET
def diagnostics_template(request):
    _require(selectors.may_plan(request.user))
    competences = list(Competence.objects.filter(is_active=True).values_list("name", "area", "threshold"))
    areas = dict(Competence.Area.choices)
    content = xlsx_bytes(
        "Диагностика",
        [c.title for c in formats.DIAGNOSTIC_COLUMNS],
        [formats.DIAGNOSTIC_EXAMPLE],
        notes=[("Столбец", "Что указывать")]
        + [(c.title + (" (обязательный)" if c.required else ""), c.description) for c in formats.DIAGNOSTIC_COLUMNS]
        + [("", ""), ("Каталог дефицитов", "Компетенция — направление, порог")]
        + [(name, f"{areas.get(area, area)}, порог {threshold:g}%") for name, area, threshold in competences],
    )
    return xlsx_response(content, "shablon-diagnostika.xlsx")


# --- Diagnostics and the catalogue --------------------------------------------------------------


@login_required
def diagnosis_add(request, pk: int):
    _require(selectors.may_plan(request.user))
    teacher = selectors.teacher_get(user=request.user, pk=pk)
    form = DiagnosisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        diagnosis = services.diagnosis_record(teacher=teacher, user=request.user, **form.cleaned_data)
        verdict = "ниже порога — дефицит" if diagnosis.is_deficit else "не ниже порога"
        messages.success(request, f"Результат записан: {diagnosis.score:g}% ({verdict}).")
        return redirect(teacher)
    return _form_page(
        request,
        title=f"Результат диагностики — {teacher.full_name}",
        form=form,
        back_url=teacher.get_absolute_url(),
        back_label="Карточка",
    )


@login_required
@require_GET
def competence_list(request):
    competences = Competence.objects.filter(is_active=True).select_related("subject")
    return render(request, "teachers/competences.html", {"competences": competences})


# --- Routes --------------------------------------------------------------------------------------


@login_required
def my_route(request):
    _require(_is_teacher(request.user))
    teacher = selectors.teachers_for(request.user).first()
    routes = list(teacher.routes.select_related("year")) if teacher else []
    if len(routes) == 1:
        return redirect(routes[0])
    return render(request, "teachers/my_route.html", {"teacher": teacher, "routes": routes})


@login_required
def route_create(request, pk: int):
    _require(selectors.may_plan(request.user))
    teacher = selectors.teacher_get(user=request.user, pk=pk)
    form = RouteCreateForm(request.POST or None, teacher=teacher)
    if request.method == "POST" and form.is_valid():
        route = services.route_create(teacher=teacher, year=form.cleaned_data["year"], user=request.user)
        messages.success(request, "Маршрут создан; цели по открытым дефицитам добавлены.")
        return redirect(route)
    return _form_page(
        request,
        title=f"Индивидуальный маршрут — {teacher.full_name}",
        form=form,
        back_url=teacher.get_absolute_url(),
        back_label="Карточка",
        submit="Создать маршрут",
    )


@login_required
def route_detail(request, pk: int):
    _require(_may_read_own_or_names(request.user))
    route = selectors.route_get(user=request.user, pk=pk)
    return render(
        request,
        "teachers/route_detail.html",
        {
            "route": route,
            **selectors.route_detail(route=route),
            "can_plan": selectors.may_plan(request.user),
            "is_own": route.teacher.user_id == request.user.pk,
            "statuses": RouteStep.Status.choices,
        },
    )


@login_required
def goal_add(request, pk: int):
    _require(selectors.may_plan(request.user))
    route = selectors.route_get(user=request.user, pk=pk)
    form = GoalForm(
        request.POST or None, deficits=Deficit.objects.filter(teacher=route.teacher).select_related("competence")
    )
    if request.method == "POST" and form.is_valid():
        services.route_goal_add(route=route, title=form.cleaned_data["title"], deficits=form.cleaned_data["deficits"])
        messages.success(request, "Цель добавлена.")
        return redirect(route)
    return _form_page(
        request, title="Новая цель маршрута", form=form, back_url=route.get_absolute_url(), back_label="Маршрут"
    )


@login_required
def step_add(request, pk: int):
    _require(selectors.may_plan(request.user))
    route = selectors.route_get(user=request.user, pk=pk)
    mentorships = selectors.mentorships_for(request.user).filter(mentee=route.teacher)
    form = StepForm(
        request.POST or None,
        route=route,
        events=selectors.linkable_events(user=request.user),
        programmes=selectors.linkable_programmes(user=request.user),
        mentorships=mentorships,
    )
    if request.method == "POST" and form.is_valid():
        services.route_step_add(route=route, step=form.save(commit=False))
        messages.success(request, "Шаг добавлен.")
        return redirect(route)
    return _form_page(
        request, title="Новый шаг маршрута", form=form, back_url=route.get_absolute_url(), back_label="Маршрут"
    )


@login_required
@require_POST
def step_status(request, pk: int):
    user = request.user
    _require(selectors.may_plan(user) or _is_teacher(user))
    step = selectors.step_get_for_status(user=user, pk=pk)
    form = StepStatusForm(request.POST)
    if form.is_valid():
        services.route_step_set_status(step=step, status=form.cleaned_data["status"], by_teacher=_is_teacher(user))
        messages.success(request, f"Шаг «{step.title}»: {step.get_status_display().lower()}.")
    else:
        messages.error(request, "Неизвестный статус шага.")
    return redirect(step.route)


# --- Mentoring -----------------------------------------------------------------------------------


@login_required
def mentoring_list(request):
    _require(_may_read_own_or_names(request.user))
    return render(
        request,
        "teachers/mentoring_list.html",
        {"mentorships": selectors.mentorships_for(request.user), "can_plan": selectors.may_plan(request.user)},
    )


@login_required
def mentorship_create(request):
    user = request.user
    _require(selectors.may_plan(user))
    visible = selectors.teachers_for(user).filter(is_active=True)
    # A director pairs teachers of their own school; pairs across partner schools are made
    # by the department or the centre, who see every school of the municipality.
    form = MentorshipForm(request.POST or None, mentors=visible, mentees=visible)
    if request.method == "POST" and form.is_valid():
        mentorship = services.mentorship_create(mentorship=form.save(commit=False), user=user)
        messages.success(request, "Пара наставничества создана.")
        return redirect(mentorship)
    return _form_page(
        request,
        title="Новая пара наставничества",
        form=form,
        back_url=_url("teachers:mentoring"),
        back_label="Наставничество",
    )


@login_required
def mentorship_detail(request, pk: int):
    _require(_may_read_own_or_names(request.user))
    mentorship = selectors.mentorship_get(user=request.user, pk=pk)
    return render(
        request,
        "teachers/mentorship_detail.html",
        {
            "mentorship": mentorship,
            "meetings": selectors.mentorship_meetings(mentorship=mentorship),
            "can_log": _may_log_meetings(request.user, mentorship),
        },
    )


def _may_log_meetings(user, mentorship) -> bool:
    return selectors.may_plan(user) or (_is_teacher(user) and mentorship.mentor.user_id == user.pk)


@login_required
def meeting_add(request, pk: int):
    _require(_may_read_own_or_names(request.user))
    mentorship = selectors.mentorship_get(user=request.user, pk=pk)
    _require(_may_log_meetings(request.user, mentorship))
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.meeting_add(mentorship=mentorship, meeting=form.save(commit=False), user=request.user)
        messages.success(request, "Встреча записана в журнал.")
        return redirect(mentorship)
    return _form_page(
        request,
        title="Встреча наставника",
        form=form,
        back_url=mentorship.get_absolute_url(),
        back_label="Пара наставничества",
    )
