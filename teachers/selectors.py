"""Reads of teachers, deficits, routes and mentoring, already scoped to the user.

Who sees a teacher's name (personal data, issue 8): the school (its director; a teacher
sees their own record only), the department and the methodological centre of the
municipality. Curators and the region read the school but see figures only — they never
get a teacher's name, so their queryset here is empty. Everything that shows a name goes
through ``teachers_for``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from events.models import Event, Programme
from schools.models import AcademicYear, School
from schools.scopes import municipalities_for, schools_for
from teachers.models import Deficit, Diagnosis, MentoringMeeting, Mentorship, Route, RouteGoal, RouteStep, Teacher

# Roles that see the names of every teacher of the schools they read.
_NAME_READERS = (Role.DEPARTMENT, Role.METHODOLOGIST, Role.DIRECTOR)
# Roles that keep a school's list of teachers (create, edit, import).
_ROSTER_KEEPERS = (Role.DEPARTMENT, Role.DIRECTOR)
# Roles that record diagnostics, plan routes and pair mentors: the school and the
# methodological centre that "follow" the route, and the department.
_PLANNERS = (Role.DEPARTMENT, Role.METHODOLOGIST, Role.DIRECTOR)


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def may_read_names(user: User) -> bool:
    """Cheap role check (no query): whether the user may ever see teachers' names of a school."""
    return _active(user) and (user.is_superuser or user.role in _NAME_READERS)


def may_keep_roster(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.role in _ROSTER_KEEPERS)


def may_plan(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.role in _PLANNERS)


def name_schools_for(user: User) -> QuerySet[School]:
    """Schools whose teachers (by name) the user may read."""
    if not may_read_names(user):
        return School.objects.none()
    return schools_for(user)


def roster_schools_for(user: User) -> QuerySet[School]:
    """Schools whose list of teachers the user may change."""
    if not may_keep_roster(user):
        return School.objects.none()
    return schools_for(user)


def teachers_for(user: User) -> QuerySet[Teacher]:
    """Teachers whose names the user may see: the one place that decides it."""
    qs = Teacher.objects.select_related("school__organisation")
    if not _active(user):
        return qs.none()
    if user.role == Role.TEACHER and not user.is_superuser:
        return qs.filter(user=user, school=user.school)
    return qs.filter(school__in=name_schools_for(user))


def teacher_get(*, user: User, pk: int) -> Teacher:
    return get_object_or_404(teachers_for(user), pk=pk)


def teacher_get_for_planning(*, user: User, pk: int) -> Teacher:
    if not may_plan(user):
        return get_object_or_404(Teacher.objects.none(), pk=pk)
    return teacher_get(user=user, pk=pk)


def teacher_get_for_edit(*, user: User, pk: int) -> Teacher:
    return get_object_or_404(
        Teacher.objects.select_related("school__organisation").filter(school__in=roster_schools_for(user)), pk=pk
    )


def school_get_for_names(*, user: User, pk: int) -> School:
    return get_object_or_404(name_schools_for(user).select_related("organisation", "municipality"), pk=pk)


def school_get_for_roster(*, user: User, pk: int) -> School:
    return get_object_or_404(roster_schools_for(user).select_related("organisation", "municipality"), pk=pk)


def school_teachers(*, school: School, year: AcademicYear | None) -> QuerySet[Teacher]:
    """A school's list with the counts the list shows, in one query."""
    route_this_year = Route.objects.filter(teacher=OuterRef("pk"), year=year)
    return (
        Teacher.objects.filter(school=school)
        .annotate(
            open_deficits=Count("deficits", filter=Q(deficits__closed_by__isnull=True), distinct=True),
            has_route=Exists(route_this_year),
        )
        .order_by("-is_active", "last_name", "first_name", "middle_name")
    )


def teacher_profile(*, teacher: Teacher) -> dict:
    """Everything the teacher card shows, in a fixed number of queries."""
    return {
        "deficits": list(
            Deficit.objects.filter(teacher=teacher)
            .select_related("competence", "opened_by", "closed_by")
            .order_by("closed_by", "competence__area", "competence__name")
        ),
        "diagnoses": list(
            Diagnosis.objects.filter(teacher=teacher).select_related("competence").order_by("-date", "-pk")[:100]
        ),
        "routes": list(
            Route.objects.filter(teacher=teacher)
            .select_related("year")
            .annotate(
                steps_total=Count("steps", filter=~Q(steps__status=RouteStep.Status.CANCELLED)),
                steps_done=Count("steps", filter=Q(steps__status=RouteStep.Status.DONE)),
            )
        ),
        "mentorships": list(
            Mentorship.objects.filter(Q(mentor=teacher) | Q(mentee=teacher)).select_related(
                "mentor__school__organisation", "mentee__school__organisation"
            )
        ),
    }


def routes_for(user: User) -> QuerySet[Route]:
    return Route.objects.filter(teacher__in=teachers_for(user)).select_related("teacher__school__organisation", "year")


def route_get(*, user: User, pk: int) -> Route:
    return get_object_or_404(routes_for(user), pk=pk)


def route_get_for_planning(*, user: User, pk: int) -> Route:
    if not may_plan(user):
        return get_object_or_404(Route.objects.none(), pk=pk)
    return route_get(user=user, pk=pk)


def route_detail(*, route: Route) -> dict:
    goals = list(
        RouteGoal.objects.filter(route=route).prefetch_related(
            Prefetch("deficits", queryset=Deficit.objects.select_related("competence"))
        )
    )
    steps = list(RouteStep.objects.filter(route=route).select_related("goal", "mentorship", "event", "programme"))
    counted = [s for s in steps if s.status != RouteStep.Status.CANCELLED]
    done = sum(1 for s in counted if s.status == RouteStep.Status.DONE)
    return {
        "goals": goals,
        "steps": steps,
        "steps_done": done,
        "steps_total": len(counted),
        "open_deficits": list(
            Deficit.objects.filter(teacher_id=route.teacher_id, closed_by__isnull=True).select_related("competence")
        ),
    }


def linkable_events(*, user: User) -> QuerySet[Event]:
    """Events of the user's municipalities a step may point at: announced ones (not drafts, not cancelled)."""
    return (
        Event.objects.filter(municipality__in=municipalities_for(user))
        .exclude(status__in=[Event.Status.DRAFT, Event.Status.CANCELLED])
        .order_by("-starts_at")
    )


def linkable_programmes(*, user: User) -> QuerySet[Programme]:
    return Programme.objects.filter(municipality__in=municipalities_for(user)).order_by("title")


def step_get_for_status(*, user: User, pk: int) -> RouteStep:
    """A step whose status the user may change: planners of the school, or the teacher for self-study."""
    qs = RouteStep.objects.select_related("route__teacher")
    if user.is_authenticated and user.role == Role.TEACHER and not user.is_superuser:
        qs = qs.filter(route__teacher__user=user, kind=RouteStep.Kind.SELF_STUDY)
    elif may_plan(user):
        qs = qs.filter(route__teacher__in=teachers_for(user))
    else:
        qs = qs.none()
    return get_object_or_404(qs, pk=pk)


def mentorships_for(user: User) -> QuerySet[Mentorship]:
    """Pairs where the mentor or the mentee is a teacher the user may see.

    A pair across partner schools is seen by both schools: each needs the other's name to work together.
    """
    visible = teachers_for(user)
    return (
        Mentorship.objects.filter(Q(mentor__in=visible) | Q(mentee__in=visible))
        .select_related("mentor__school__organisation", "mentee__school__organisation")
        .annotate(meeting_count=Count("meetings"))
    )


def mentorship_get(*, user: User, pk: int) -> Mentorship:
    return get_object_or_404(mentorships_for(user), pk=pk)


def mentorship_meetings(*, mentorship: Mentorship) -> QuerySet[MentoringMeeting]:
    return MentoringMeeting.objects.filter(mentorship=mentorship)


# --- Figures (no names: every reader of the school sees them) ----------------------------------


@dataclass(frozen=True)
class TeacherFigures:
    teachers: int
    with_deficits: int
    with_deficits_and_route: int
    steps_total: int
    steps_done: int
    deficits_total: int
    deficits_closed: int

    @staticmethod
    def _share(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def route_share(self) -> int | None:
        """Share of teachers with an open deficit who have a route this year, %."""
        return self._share(self.with_deficits_and_route, self.with_deficits)

    @property
    def steps_share(self) -> int | None:
        return self._share(self.steps_done, self.steps_total)

    @property
    def closed_share(self) -> int | None:
        return self._share(self.deficits_closed, self.deficits_total)


def teacher_figures(*, schools: QuerySet[School], year: AcademicYear | None) -> TeacherFigures:
    """The three figures of issue 8 for a set of schools, in three queries whatever their size.

    * teachers with an open deficit who have a route for the year;
    * route steps of the year done (cancelled steps are not counted);
    * deficits ever found that a later diagnosis closed.
    """
    teachers = Teacher.objects.filter(school__in=schools, is_active=True)
    has_open = Exists(Deficit.objects.filter(teacher=OuterRef("pk"), closed_by__isnull=True))
    has_route = Exists(Route.objects.filter(teacher=OuterRef("pk"), year=year))
    counts = teachers.aggregate(
        total=Count("pk"),
        with_deficits=Count("pk", filter=Q(has_open)),
        with_route=Count("pk", filter=Q(has_open) & Q(has_route)),
    )
    steps = RouteStep.objects.filter(route__teacher__school__in=schools, route__year=year).exclude(
        status=RouteStep.Status.CANCELLED
    )
    step_counts = steps.aggregate(total=Count("pk"), done=Count("pk", filter=Q(status=RouteStep.Status.DONE)))
    deficit_counts = Deficit.objects.filter(teacher__school__in=schools).aggregate(
        total=Count("pk"), closed=Count("pk", filter=Q(closed_by__isnull=False))
    )
    return TeacherFigures(
        teachers=counts["total"],
        with_deficits=counts["with_deficits"],
        with_deficits_and_route=counts["with_route"],
        steps_total=step_counts["total"],
        steps_done=step_counts["done"],
        deficits_total=deficit_counts["total"],
        deficits_closed=deficit_counts["closed"],
    )


SCHOOL_OVERVIEW_SORTS = {
    "name": "по названию",
    "deficits": "больше педагогов с дефицитами",
    "teachers": "больше педагогов",
}
_OVERVIEW_ORDER = {
    "name": ("organisation__name", "pk"),
    "deficits": ("-deficit_teacher_count", "organisation__name", "pk"),
    "teachers": ("-teacher_count", "organisation__name", "pk"),
}


def school_overview(*, user: User, year: AcademicYear | None, sort: str = "name") -> QuerySet[School]:
    """Schools whose teachers the user reads, with per-school counts for the index page (one query)."""
    return (
        name_schools_for(user)
        .select_related("organisation")
        .annotate(
            teacher_count=Count("teachers", filter=Q(teachers__is_active=True), distinct=True),
            deficit_teacher_count=Count(
                "teachers",
                filter=Q(teachers__deficits__closed_by__isnull=True, teachers__is_active=True),
                distinct=True,
            ),
            route_count=Count("teachers__routes", filter=Q(teachers__routes__year=year), distinct=True),
        )
        .order_by(*_OVERVIEW_ORDER.get(sort, _OVERVIEW_ORDER["name"]))
    )


def schools_with_course_done(*, school_ids, year: AcademicYear) -> set[int]:
    """Of ``school_ids``, the schools with a teacher whose route of ``year`` has a course (КПК) done.

    The programme's KPI «педагоги прошли КПК» (identification.selectors.programme_kpis).
    """
    return set(
        RouteStep.objects.filter(
            route__teacher__school_id__in=school_ids,
            route__year=year,
            kind=RouteStep.Kind.COURSE,
            status=RouteStep.Status.DONE,
        ).values_list("route__teacher__school_id", flat=True)
    )
