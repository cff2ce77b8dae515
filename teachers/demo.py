"""The teachers' part of the demo district (core.extensions): teachers of every home school,
diagnostics with the deficits they imply, routes (ИОМ) and mentoring pairs.

Deterministic: each school draws from its own ``random.Random`` seeded with its code, so a
school's teachers do not depend on which other schools were seeded before. Idempotent: a
school that already has teachers is left alone, and the mentoring pairs are looked up before
they are made.

The demo ``teacher`` login is Орлова Наталья Геннадьевна, учитель русского языка at the
director's school (edu990003): her record is linked to that account and has a route with a
self-study step she may mark herself, and a mentor from the gymnasium (a partner school).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Count

from accounts.models import User
from schools.demo import DIRECTOR_SCHOOL_CODE, HOME, person_name
from schools.models import AcademicYear, School
from teachers import services
from teachers.models import Competence, Deficit, Diagnosis, Mentorship, Route, RouteGoal, RouteStep, Teacher

PARTNER_SCHOOL_CODE = "edu990001"  # МАОУ Гимназия № 1: high results, the curator works there

_POSITIONS = (
    ("Учитель русского языка и литературы", "русский язык, литература"),
    ("Учитель математики", "математика"),
    ("Учитель математики и информатики", "математика, информатика"),
    ("Учитель начальных классов", "начальные классы"),
    ("Учитель начальных классов", "начальные классы"),
    ("Учитель истории и обществознания", "история, обществознание"),
    ("Учитель биологии и химии", "биология, химия"),
    ("Учитель физики", "физика"),
    ("Учитель английского языка", "английский язык"),
    ("Учитель географии", "география"),
    ("Учитель физической культуры", "физическая культура"),
    ("Педагог-психолог", ""),
)
_CATEGORIES = ("none", "conformity", "first", "first", "highest")
_SOURCES = ("ЦНППМ, входная диагностика", "ИМЦ, итоговая диагностика")


def _teachers_for_school(school: School, rng: random.Random, *, orlova: User | None) -> list[Teacher]:
    count = rng.randint(7, 12)
    people = []
    if orlova is not None:
        people.append(
            Teacher(
                school=school,
                user=orlova,
                last_name="Орлова",
                first_name="Наталья",
                middle_name="Геннадьевна",
                position="Учитель русского языка и литературы",
                subjects="русский язык, литература",
                experience_years=17,
                category=Teacher.Category.FIRST,
                email="orlova.ng@zarechny-school3.example.ru",
            )
        )
    names = set()
    while len(people) < count:
        female = rng.random() < 0.8
        name = person_name(rng, female=female)
        if name in names or name == ("Орлова", "Наталья", "Геннадьевна"):
            continue
        names.add(name)
        position, subjects = rng.choice(_POSITIONS)
        experience = rng.choice((1, 2, 3, 6, 11, 15, 22, 28, 34))
        people.append(
            Teacher(
                school=school,
                last_name=name[0],
                first_name=name[1],
                middle_name=name[2],
                position=position,
                subjects=subjects,
                experience_years=experience,
                category="none" if experience < 3 else rng.choice(_CATEGORIES[1:]),
                is_young_specialist=experience < 3,
            )
        )
    return Teacher.objects.bulk_create(people)


def _diagnose(
    teachers: list[Teacher], competences: list[Competence], rng: random.Random, year: AcademicYear
) -> dict[int, list[Deficit]]:
    """Entry diagnostics in October, a final one in March for some; deficits derived by the service's rule."""
    entry, final = dt.date(year.start_year, 10, 15), dt.date(year.start_year + 1, 3, 20)
    rows = []
    for teacher in teachers:
        measured = rng.sample(competences, k=min(len(competences), rng.randint(2, 3)))
        if teacher.user_id:  # Орлова: objectivity of marks and a methodological topic, as in the seeds
            measured = [c for c in competences if c.area == "assessment"][:1] + [
                c for c in competences if c.area == "methodological"
            ][:1] or measured
        for competence in measured:
            score = Decimal(rng.randint(30, 90) if not teacher.user_id else rng.randint(38, 52))
            rows.append(Diagnosis(teacher=teacher, competence=competence, score=score, date=entry, source=_SOURCES[0]))
            if score < competence.threshold and rng.random() < 0.5 and not teacher.user_id:
                later = min(Decimal(100), score + rng.randint(10, 35))
                rows.append(
                    Diagnosis(teacher=teacher, competence=competence, score=later, date=final, source=_SOURCES[1])
                )
    for row in rows:
        row.threshold = row.competence.threshold
        row.method = Diagnosis.Method.IMPORT
    Diagnosis.objects.bulk_create(rows)
    # The same rule as services.deficits_sync, computed in memory: the seed writes in bulk.
    by_pair: dict[tuple[int, int], list[Diagnosis]] = {}
    for row in rows:
        by_pair.setdefault((row.teacher_id, row.competence_id), []).append(row)
    deficits = []
    for (teacher_id, competence_id), history in by_pair.items():
        history.sort(key=lambda d: (d.date, d.pk))
        episodes = services.deficit_episodes((d.pk, d.score, d.threshold) for d in history)
        deficits += [
            Deficit(teacher_id=teacher_id, competence_id=competence_id, opened_by_id=o, closed_by_id=c)
            for o, c in episodes.items()
        ]
    Deficit.objects.bulk_create(deficits)
    open_by_teacher: dict[int, list[Deficit]] = {}
    for deficit in deficits:
        if deficit.closed_by_id is None:
            open_by_teacher.setdefault(deficit.teacher_id, []).append(deficit)
    return open_by_teacher


_STEPS = (
    (RouteStep.Kind.COURSE, "КПК «Формирование функциональной грамотности обучающихся», 36 ч", 30),
    (RouteStep.Kind.EVENT, "Семинар ИМЦ «Объективность оценивания: критерии и практика»", 60),
    (RouteStep.Kind.SELF_STUDY, "Изучить демоверсии и кодификаторы ВПР, разобрать типичные ошибки", 90),
    (RouteStep.Kind.OPEN_LESSON, "Открытый урок для ММО с анализом коллег", 150),
)


def _plan_routes(
    teachers: list[Teacher], open_deficits: dict[int, list[Deficit]], names: dict[int, str], rng, year
) -> None:
    """A route with a goal per open deficit and four steps, for most teachers who have a deficit."""
    planned = [t for t in teachers if open_deficits.get(t.pk) and (t.user_id or rng.random() >= 0.3)]
    routes = Route.objects.bulk_create(Route(teacher=t, year=year) for t in planned)
    goals, links = [], []
    for route in routes:
        for deficit in open_deficits[route.teacher_id]:
            goals.append(RouteGoal(route=route, title=f"Преодолеть дефицит: {names[deficit.competence_id]}"))
            links.append(deficit)
    RouteGoal.objects.bulk_create(goals)
    RouteGoal.deficits.through.objects.bulk_create(
        RouteGoal.deficits.through(routegoal_id=goal.pk, deficit_id=deficit.pk)
        for goal, deficit in zip(goals, links, strict=True)
    )
    first_goal = {}
    for goal in goals:
        first_goal.setdefault(goal.route_id, goal)
    start = dt.date(year.start_year, 11, 1)
    steps = []
    for route in routes:
        for kind, title, offset in _STEPS:
            due = start + dt.timedelta(days=offset)
            done = rng.random() < 0.6 and kind != RouteStep.Kind.SELF_STUDY
            steps.append(
                RouteStep(
                    route=route,
                    goal=first_goal.get(route.pk),
                    kind=kind,
                    title=title,
                    due_on=due,
                    status=RouteStep.Status.DONE if done else RouteStep.Status.PLANNED,
                    done_on=due if done else None,
                    completed_via=RouteStep.Completion.MANUAL if done else "",
                )
            )
    RouteStep.objects.bulk_create(steps)


def _mentoring(school: School, teachers: list[Teacher], year: AcademicYear) -> None:
    young = [t for t in teachers if t.is_young_specialist]
    seniors = [t for t in teachers if (t.experience_years or 0) >= 15 and t.category in ("first", "highest")]
    Mentorship.objects.bulk_create(
        Mentorship(
            mentor=mentor,
            mentee=mentee,
            topic="Адаптация молодого специалиста",
            starts_on=dt.date(year.start_year, 9, 1),
            ends_on=dt.date(year.start_year + 1, 5, 31),
            plan="Посещение уроков наставника и наставляемого, совместная подготовка к урокам, разбор ВПР.",
        )
        for mentee, mentor in zip(young, seniors, strict=False)
    )


def _partner_pair(year: AcademicYear) -> int:
    """Орлова's mentor from the gymnasium: a pair across partner schools, with a few meetings."""
    orlova = Teacher.objects.filter(school__code=DIRECTOR_SCHOOL_CODE, last_name="Орлова").first()
    mentor = (
        Teacher.objects.filter(school__code=PARTNER_SCHOOL_CODE, category=Teacher.Category.HIGHEST)
        .order_by("pk")
        .first()
    )
    if orlova is None or mentor is None or Mentorship.objects.filter(mentor=mentor, mentee=orlova).exists():
        return 0
    pair = Mentorship.objects.create(
        mentor=mentor,
        mentee=orlova,
        topic="Объективное оценивание в 5–9 классах",
        starts_on=dt.date(year.start_year, 10, 1),
        ends_on=dt.date(year.start_year + 1, 4, 30),
        plan="1. Разбор критериев оценивания ВПР по русскому языку.\n2. Взаимопосещение уроков.\n"
        "3. Совместная проверка работ и сравнение отметок.",
    )
    for day, topic in ((dt.date(year.start_year, 10, 14), "Критерии оценивания ВПР"),
                       (dt.date(year.start_year, 11, 18), "Взаимопосещение уроков в 6 классе")):  # fmt: skip
        pair.meetings.create(date=day, topic=topic, notes="Проведено, итоги обсуждены.")
    route = Route.objects.filter(teacher=orlova, year=year).first()
    if route:
        RouteStep.objects.create(
            route=route,
            kind=RouteStep.Kind.MENTORING,
            title="Работа с наставником из МАОУ Гимназия № 1",
            due_on=pair.ends_on,
            mentorship=pair,
            status=RouteStep.Status.IN_PROGRESS,
        )
    return 1


def _link_orlova_to_the_centre() -> None:
    """Орлова's event step points at a past event of the centre she registered for (events' demo runs
    first): if her attendance was marked there, the step shows as done «по отметке о посещении»."""
    from events.models import Registration

    step = (
        RouteStep.objects.filter(route__teacher__user__username="teacher", kind=RouteStep.Kind.EVENT, event=None)
        .select_related("route__teacher")
        .first()
    )
    registration = (
        Registration.objects.filter(user__username="teacher", status=Registration.Status.CONFIRMED)
        .select_related("event")
        .order_by("-attended", "event__starts_at")
        .first()
    )
    if step is None or registration is None:
        return
    step.event = registration.event
    step.title = registration.event.title[:500]
    step.status, step.done_on, step.completed_via = RouteStep.Status.PLANNED, None, ""
    step.save(update_fields=["event", "title", "status", "done_on", "completed_via"])
    services.route_step_sync_from_events(step=step)


def demo_seed() -> str:
    year = AcademicYear.current()
    competences = list(Competence.objects.filter(is_active=True).order_by("pk"))
    if year is None or not competences:
        return "Педагоги: нет текущего учебного года или каталога дефицитов — пропущено."
    schools = list(
        School.objects.filter(municipality__oktmo=HOME.oktmo).annotate(teacher_count=Count("teachers")).order_by("code")
    )
    names = {c.pk: c.name for c in competences}
    orlova_user = User.objects.filter(username="teacher").first()
    seeded = 0
    for school in schools:
        if school.teacher_count:
            continue
        rng = random.Random(f"teachers-{school.code}")  # noqa: S311 - demo data, not secrets  # nosec B311 # seeded generator for demo/bench data, not for secrets
        orlova = orlova_user if school.code == DIRECTOR_SCHOOL_CODE and orlova_user else None
        if orlova is not None and Teacher.objects.filter(user=orlova).exists():
            orlova = None
        teachers = _teachers_for_school(school, rng, orlova=orlova)
        open_deficits = _diagnose(teachers, competences, rng, year)
        _plan_routes(teachers, open_deficits, names, rng, year)
        _mentoring(school, teachers, year)
        seeded += 1
    pairs = _partner_pair(year)
    _link_orlova_to_the_centre()
    total = Teacher.objects.filter(school__municipality__oktmo=HOME.oktmo).count()
    return (
        f"Педагоги: {total} в школах района (новых школ со списком — {seeded}), "
        f"ИОМ — {Route.objects.filter(year=year).count()}, пар наставничества — {Mentorship.objects.count()}"
        f"{' (добавлена пара со школой-партнёром)' if pairs else ''}; вход учителя «teacher» — Орлова Н. Г."
    )
