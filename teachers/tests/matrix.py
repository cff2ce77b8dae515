"""Rows of the role × URL matrix for the teachers app (tests/permission_matrix.py).

Teachers' names are personal data: the department, the methodological centre and the
school's director read them, the teacher reads their own record; the region and the
curator never do (403 — their role may never), an actor of another scope gets 404.
The objects are made lazily by the case's kwargs, as monitoring's rows do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tests.permission_matrix import FOREIGN, HOME, LOGIN, Case, World, expect, signed_in


def _teacher(world: World, name: str):
    from teachers.models import Teacher

    school, last_name, user = {
        "own": (world.school, "Орлова", world.users["teacher"]),
        "colleague": (world.school, "Смирнов", None),
        "other": (world.other_school, "Волкова", None),
        "foreign": (world.foreign_school, "Дальнева", None),
    }[name]
    teacher, _ = Teacher.objects.get_or_create(
        school=school, last_name=last_name, first_name="Анна", middle_name="", defaults={"user": user}
    )
    return teacher


def _route(world: World, name: str):
    from schools.models import AcademicYear
    from teachers.models import Route, RouteStep

    year, _ = AcademicYear.objects.get_or_create(start_year=2025)
    route, _ = Route.objects.get_or_create(teacher=_teacher(world, name), year=year)
    RouteStep.objects.get_or_create(
        route=route, kind=RouteStep.Kind.SELF_STUDY, title="Изучить методику", defaults={"due_on": dt.date(2026, 3, 1)}
    )
    return route


def _mentorship(world: World, name: str):
    from teachers.models import Mentorship

    mentee, mentor = (
        (_teacher(world, "own"), _teacher(world, "colleague"))
        if name == "home"
        else (_teacher(world, "foreign"), _foreign_mentor(world))
    )
    pair, _ = Mentorship.objects.get_or_create(
        mentor=mentor,
        mentee=mentee,
        defaults={"topic": "Подготовка к ОГЭ", "starts_on": dt.date(2025, 9, 1), "ends_on": dt.date(2026, 5, 31)},
    )
    return pair


def _foreign_mentor(world: World):
    from teachers.models import Teacher

    teacher, _ = Teacher.objects.get_or_create(
        school=world.foreign_school, last_name="Дальнев", first_name="Иван", middle_name=""
    )
    return teacher


def teacher_of(name: str) -> Callable[[World], dict]:
    return lambda world: {"pk": _teacher(world, name).pk}


def route_of(name: str) -> Callable[[World], dict]:
    return lambda world: {"pk": _route(world, name).pk}


def step_of(name: str) -> Callable[[World], dict]:
    return lambda world: {"pk": _route(world, name).steps.first().pk}


def pair_of(name: str) -> Callable[[World], dict]:
    return lambda world: {"pk": _mentorship(world, name).pk}


def school_of(name: str) -> Callable[[World], dict]:
    return lambda world: {"school_pk": getattr(world, name).pk}


def _row(*, department, methodologist, director, teacher, outsider) -> dict:
    # The region and the curator read schools but never teachers' names.
    return expect(
        anonymous=LOGIN,
        department=department,
        region=403,
        methodologist=methodologist,
        curator=403,
        director=director,
        teacher=teacher,
        outsider=outsider,
    )


def _foreign(*, methodologist: int = 404, director: int = 404, teacher: int = 403, department: int = 404) -> dict:
    return _row(department=department, methodologist=methodologist, director=director, teacher=teacher, outsider=200)


# Who may do what (teachers.selectors): readers of names, keepers of the list, planners.
NAMES = {"department": 200, "methodologist": 200, "director": 200}
ROSTER = {"department": 200, "methodologist": 403, "director": 200}
PLAN = {"department": 200, "methodologist": 200, "director": 200}


def _school_cases(rights: dict[str, int]) -> list[Case]:
    def rel(other: bool) -> dict:
        return {k: (404 if (other and k == "director" and v == 200) else v) for k, v in rights.items()}

    return [
        Case(_row(**rel(False), teacher=403, outsider=404), target="school", kwargs=school_of("school"), scope=HOME),
        Case(
            _row(**rel(True), teacher=403, outsider=404),
            target="other_school",
            kwargs=school_of("other_school"),
            scope=HOME,
        ),
        Case(
            _foreign(**{k: (404 if v == 200 else v) for k, v in rights.items()}),
            target="foreign_school",
            kwargs=school_of("foreign_school"),
            scope=FOREIGN,
        ),
    ]


def _teacher_cases(rights: dict[str, int], *, own_teacher: int, kwargs=teacher_of) -> list[Case]:
    return [
        Case(_row(**rights, teacher=own_teacher, outsider=404), target="own_teacher", kwargs=kwargs("own"), scope=HOME),
        Case(
            _row(
                **{**rights, "director": 404 if rights["director"] == 200 else rights["director"]},
                teacher=404 if own_teacher == 200 else own_teacher,
                outsider=404,
            ),
            target="other_school_teacher",
            kwargs=kwargs("other"),
            scope=HOME,
        ),
        Case(
            _foreign(
                **{k: (404 if v == 200 else v) for k, v in rights.items()},
                teacher=404 if own_teacher == 200 else own_teacher,
            ),
            target="foreign_teacher",
            kwargs=kwargs("foreign"),
            scope=FOREIGN,
        ),
    ]


NO_OBJECT_PLAN = expect(
    anonymous=LOGIN, department=200, region=403, methodologist=200, curator=403, director=200, teacher=403, outsider=200
)
NO_OBJECT_ROSTER = expect(
    anonymous=LOGIN, department=200, region=403, methodologist=403, curator=403, director=200, teacher=403, outsider=200
)

ROWS: dict[str, list[Case]] = {
    # The director is sent to their school's list, the teacher to their route.
    "teachers:index": [
        Case(
            expect(
                anonymous=LOGIN,
                department=200,
                region=403,
                methodologist=200,
                curator=403,
                director=302,
                teacher=302,
                outsider=200,
            )
        )
    ],
    "teachers:school": _school_cases(NAMES),
    "teachers:create": _school_cases(ROSTER),
    "teachers:roster_import": _school_cases(ROSTER),
    "teachers:diagnostics_import": _school_cases(PLAN),
    "teachers:roster_template": [Case(NO_OBJECT_ROSTER)],
    "teachers:diagnostics_template": [Case(NO_OBJECT_PLAN)],
    # The catalogue holds no personal data.
    "teachers:competences": [Case(signed_in(200))],
    "teachers:detail": _teacher_cases(NAMES, own_teacher=200),
    "teachers:edit": _teacher_cases(ROSTER, own_teacher=403),
    "teachers:diagnosis_add": _teacher_cases(PLAN, own_teacher=403),
    "teachers:route_create": _teacher_cases(PLAN, own_teacher=403),
    "teachers:my_route": [
        Case(
            expect(
                anonymous=LOGIN,
                department=403,
                region=403,
                methodologist=403,
                curator=403,
                director=403,
                teacher=200,
                outsider=403,
            )
        )
    ],
    "teachers:route_detail": _teacher_cases(NAMES, own_teacher=200, kwargs=route_of),
    "teachers:goal_add": _teacher_cases(PLAN, own_teacher=403, kwargs=route_of),
    "teachers:step_add": _teacher_cases(PLAN, own_teacher=403, kwargs=route_of),
    # POST only: a GET changes nothing.
    "teachers:step_status": [Case(signed_in(405), target="own_step", kwargs=step_of("own"))],
    "teachers:mentoring": [
        Case(
            expect(
                anonymous=LOGIN,
                department=200,
                region=403,
                methodologist=200,
                curator=403,
                director=200,
                teacher=200,
                outsider=200,
            )
        )
    ],
    "teachers:mentorship_create": [Case(NO_OBJECT_PLAN)],
    "teachers:mentorship_detail": [
        Case(_row(**NAMES, teacher=200, outsider=404), target="home_pair", kwargs=pair_of("home"), scope=HOME),
        Case(_foreign(teacher=404), target="foreign_pair", kwargs=pair_of("foreign"), scope=FOREIGN),
    ],
    # The mentee (the world's teacher) reads the pair but only the mentor and planners log meetings.
    "teachers:meeting_add": [
        Case(_row(**PLAN, teacher=403, outsider=404), target="home_pair", kwargs=pair_of("home"), scope=HOME),
        Case(_foreign(teacher=404), target="foreign_pair", kwargs=pair_of("foreign"), scope=FOREIGN),
    ],
}
