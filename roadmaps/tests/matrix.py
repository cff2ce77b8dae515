"""Rows of the role × URL permission matrix for roadmaps (tests/permission_matrix.py).

Objects are made lazily by each case: the home municipal roadmap, the programme of
``school`` (curated, with the director and teacher), the programme of ``other_school``,
the programme of ``foreign_school`` (the outsider's), reporting periods and a submitted
report with one evidence file. Public pages are asked about a roadmap of a third,
«open» municipality, so their content carries neither side's markers.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.permission_matrix import FOREIGN, HOME, LOGIN, Case, World, everyone, expect, signed_in


def _home_municipal(world: World):
    from roadmaps.tests.builders import roadmap_of

    department = world.users["department"]
    return roadmap_of(municipality=department.municipality, created_by=department)


def _programme(name: str) -> Callable[[World], object]:
    def make(world: World):
        from roadmaps.tests.builders import roadmap_of

        school = getattr(world, name)
        author = world.users["outsider"] if name == "foreign_school" else world.users["department"]
        return roadmap_of(school=school, created_by=author)

    return make


def _period(world: World, *, foreign: bool = False, name: str = "I квартал"):
    from roadmaps.tests.builders import period_of

    user = world.users["outsider" if foreign else "department"]
    return period_of(user.municipality, created_by=user, name=name)


def _report(name: str) -> Callable[[World], object]:
    def make(world: World):
        from roadmaps.tests.builders import report_of

        roadmap = _programme(name)(world)
        return report_of(roadmap, _period(world, foreign=name == "foreign_school", name="Проверка"))

    return make


def _pk(make) -> Callable[[World], dict]:
    return lambda world: {"pk": make(world).pk}


def _objective_pk(make) -> Callable[[World], dict]:
    return lambda world: {"pk": make(world).objectives.first().pk}


def _measure_pk(make) -> Callable[[World], dict]:
    return lambda world: {"pk": make(world).measures.first().pk}


def _evidence_pk(name: str) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from roadmaps.tests.builders import evidence_of

        return {"pk": evidence_of(_report(name)(world), user=world.users["director"]).pk}

    return kwargs


def _public_roadmap(*, published: bool) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from roadmaps.tests.builders import neutral_author, neutral_municipality, roadmap_of

        title = "Открытая дорожная карта" if published else "Неопубликованная дорожная карта"
        roadmap = roadmap_of(
            municipality=neutral_municipality(), created_by=neutral_author(), title=title, published=published
        )
        return {"pk": roadmap.pk}

    return kwargs


def _public_period(*, published: bool) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from django.utils import timezone

        from roadmaps.tests.builders import neutral_author, neutral_municipality, period_of

        period = period_of(neutral_municipality(), created_by=neutral_author(), name=f"Период {published}")
        if published:
            period.summary_published_at = timezone.now()
            period.save()
        return {"pk": period.pk}

    return kwargs


# Who reads a home object: everybody at home (the curator, director and teacher only
# their school's), never the outsider.
DEPARTMENT_ONLY = expect(
    anonymous=LOGIN,
    department=200,
    region=403,
    methodologist=403,
    curator=403,
    director=403,
    teacher=403,
    outsider=200,
)


def _visit_cases() -> list[Case]:
    return [
        Case(
            expect(
                anonymous=LOGIN, department=200, region=403, methodologist=403,
                curator=200, director=403, teacher=403, outsider=404,
            ),
            target="school", kwargs=lambda world: {"pk": world.school.pk}, scope=HOME,
        ),
        Case(
            expect(
                anonymous=LOGIN, department=200, region=403, methodologist=403,
                curator=404, director=404, teacher=404, outsider=404,
            ),
            target="other_school", kwargs=lambda world: {"pk": world.other_school.pk}, scope=HOME,
        ),
        Case(
            expect(
                anonymous=LOGIN, department=404, region=404, methodologist=404,
                curator=404, director=404, teacher=404, outsider=200,
            ),
            target="foreign_school", kwargs=lambda world: {"pk": world.foreign_school.pk}, scope=FOREIGN,
        ),
    ]  # fmt: skip


def _with_current_year(world: World) -> dict:
    from schools.models import AcademicYear

    AcademicYear.objects.get_or_create(start_year=2025)
    return {}


READ_HOME = expect(
    anonymous=LOGIN, department=200, region=200, methodologist=200, curator=200, director=200, teacher=200, outsider=404
)
READ_OTHER_SCHOOL = expect(
    anonymous=LOGIN, department=200, region=200, methodologist=200, curator=404, director=404, teacher=404, outsider=404
)
READ_FOREIGN = expect(
    anonymous=LOGIN, department=404, region=404, methodologist=404, curator=404, director=404, teacher=404, outsider=200
)
# Writing a school programme is its director's; readers of it get 403.
WRITE_PROGRAMME = expect(
    anonymous=LOGIN, department=403, region=403, methodologist=403, curator=403, director=200, teacher=403, outsider=404
)
WRITE_OTHER_PROGRAMME = expect(
    anonymous=LOGIN, department=403, region=403, methodologist=403, curator=404, director=404, teacher=404, outsider=404
)
WRITE_MUNICIPAL = expect(
    anonymous=LOGIN, department=200, region=403, methodologist=403, curator=403, director=403, teacher=403, outsider=404
)
# POST-only URLs answer a GET with 405, but only after the scoped fetch and the role check.
POST_PROGRAMME = {**WRITE_PROGRAMME, "director": 405}


def _programme_cases(kwargs_of, expected_home, expected_other=WRITE_OTHER_PROGRAMME) -> list[Case]:
    return [
        Case(expected_home, target="school_programme", kwargs=kwargs_of(_programme("school")), scope=HOME),
        Case(expected_other, target="other_programme", kwargs=kwargs_of(_programme("other_school")), scope=HOME),
        Case(
            expect(
                anonymous=LOGIN, department=404, region=404, methodologist=404, curator=404, director=404,
                teacher=404, outsider=403,
            ),
            target="foreign_programme",
            kwargs=kwargs_of(_programme("foreign_school")),
            scope=FOREIGN,
        ),
    ]  # fmt: skip


def _progress_kwargs(name: str) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        foreign = name == "foreign_school"
        return {"pk": _programme(name)(world).pk, "period_pk": _period(world, foreign=foreign).pk}

    return kwargs


ROWS: dict[str, list[Case]] = {
    "roadmaps:list": [Case(signed_in(200))],
    # The department (the outsider is one elsewhere) makes municipal roadmaps, a director their programme.
    "roadmaps:create": [
        Case(
            expect(
                anonymous=LOGIN,
                department=200,
                region=403,
                methodologist=403,
                curator=403,
                director=200,
                teacher=403,
                outsider=200,
            )
        )
    ],
    "roadmaps:detail": [
        Case(READ_HOME, target="municipal", kwargs=_pk(_home_municipal), scope=HOME),
        Case(READ_HOME, target="school_programme", kwargs=_pk(_programme("school")), scope=HOME),
        Case(READ_OTHER_SCHOOL, target="other_programme", kwargs=_pk(_programme("other_school")), scope=HOME),
        Case(READ_FOREIGN, target="foreign_programme", kwargs=_pk(_programme("foreign_school")), scope=FOREIGN),
    ],
    "roadmaps:builder": [
        Case(WRITE_MUNICIPAL, target="municipal", kwargs=_pk(_home_municipal), scope=HOME),
        *_programme_cases(_pk, WRITE_PROGRAMME),
    ],
    "roadmaps:objective_add": [
        Case(WRITE_MUNICIPAL, target="municipal", kwargs=_pk(_home_municipal), scope=HOME),
        *_programme_cases(_pk, WRITE_PROGRAMME),
    ],
    "roadmaps:measure_add": _programme_cases(_objective_pk, WRITE_PROGRAMME),
    "roadmaps:objective_delete": _programme_cases(_objective_pk, POST_PROGRAMME),
    "roadmaps:measure_delete": _programme_cases(_measure_pk, POST_PROGRAMME),
    # Region, methodologist and teacher never move a roadmap (403); the others get 405 for a GET.
    "roadmaps:transition": [
        Case(
            expect(
                anonymous=LOGIN,
                department=405,
                region=403,
                methodologist=403,
                curator=405,
                director=405,
                teacher=403,
                outsider=404,
            ),
            target="school_programme",
            kwargs=_pk(_programme("school")),
            scope=HOME,
        ),
        Case(
            expect(
                anonymous=LOGIN,
                department=404,
                region=404,
                methodologist=404,
                curator=404,
                director=404,
                teacher=404,
                outsider=405,
            ),
            target="foreign_programme",
            kwargs=_pk(_programme("foreign_school")),
            scope=FOREIGN,
        ),
    ],
    # The director's form for an open period of an approved programme.
    "roadmaps:progress": [
        Case(WRITE_PROGRAMME, target="school_programme", kwargs=_progress_kwargs("school"), scope=HOME),
        Case(WRITE_OTHER_PROGRAMME, target="other_programme", kwargs=_progress_kwargs("other_school"), scope=HOME),
        Case(
            expect(
                anonymous=LOGIN,
                department=404,
                region=404,
                methodologist=404,
                curator=404,
                director=404,
                teacher=404,
                outsider=403,
            ),
            target="foreign_programme",
            kwargs=_progress_kwargs("foreign_school"),
            scope=FOREIGN,
        ),
    ],
    "roadmaps:review": [
        Case(READ_HOME, target="school_report", kwargs=_pk(_report("school")), scope=HOME),
        Case(READ_OTHER_SCHOOL, target="other_report", kwargs=_pk(_report("other_school")), scope=HOME),
        Case(READ_FOREIGN, target="foreign_report", kwargs=_pk(_report("foreign_school")), scope=FOREIGN),
    ],
    "roadmaps:report_comment": [
        Case(
            expect(
                anonymous=LOGIN,
                department=405,
                region=403,
                methodologist=403,
                curator=405,
                director=405,
                teacher=403,
                outsider=404,
            ),
            target="school_report",
            kwargs=_pk(_report("school")),
            scope=HOME,
        ),
        Case(
            expect(
                anonymous=LOGIN,
                department=404,
                region=404,
                methodologist=404,
                curator=404,
                director=404,
                teacher=404,
                outsider=405,
            ),
            target="foreign_report",
            kwargs=_pk(_report("foreign_school")),
            scope=FOREIGN,
        ),
    ],
    # The curator (and the department) confirm an objective's rating; the director who filed the
    # report may not. POST only: a GET is answered 405 after the scoped fetch and the role check.
    "roadmaps:objective_rating": [
        Case(
            expect(
                anonymous=LOGIN,
                department=405,
                region=403,
                methodologist=403,
                curator=405,
                director=403,
                teacher=403,
                outsider=404,
            ),
            target="school_report",
            kwargs=_pk(_report("school")),
            scope=HOME,
        ),
        Case(
            expect(
                anonymous=LOGIN,
                department=404,
                region=404,
                methodologist=404,
                curator=404,
                director=404,
                teacher=404,
                outsider=405,
            ),
            target="foreign_report",
            kwargs=_pk(_report("foreign_school")),
            scope=FOREIGN,
        ),
    ],
    # Evidence is served only to those who read the report.
    "roadmaps:evidence": [
        Case(READ_HOME, target="school_evidence", kwargs=_evidence_pk("school"), scope=HOME),
        Case(READ_OTHER_SCHOOL, target="other_evidence", kwargs=_evidence_pk("other_school"), scope=HOME),
        Case(READ_FOREIGN, target="foreign_evidence", kwargs=_evidence_pk("foreign_school"), scope=FOREIGN),
    ],
    "roadmaps:period_list": [Case(signed_in(200))],
    # The department opens the next year and sets its escalation; nobody else.
    "roadmaps:year_open": [Case(DEPARTMENT_ONLY, kwargs=_with_current_year)],
    "roadmaps:escalation_settings": [Case(DEPARTMENT_ONLY)],
    # The visit log and the brief: the school's curator and the department.
    "roadmaps:visit_log": _visit_cases(),
    "roadmaps:visit_brief": _visit_cases(),
    "roadmaps:period_detail": [
        Case(READ_HOME, target="home_period", kwargs=lambda world: {"pk": _period(world).pk}, scope=HOME),
        Case(
            READ_FOREIGN,
            target="foreign_period",
            kwargs=lambda world: {"pk": _period(world, foreign=True).pk},
            scope=FOREIGN,
        ),
    ],
    # Correcting a period: its own municipality's department (another one's period is not found).
    "roadmaps:period_edit": [
        Case(
            expect(
                anonymous=LOGIN,
                department=200,
                region=403,
                methodologist=403,
                curator=403,
                director=403,
                teacher=403,
                outsider=404,
            ),
            target="home_period",
            kwargs=lambda world: {"pk": _period(world).pk},
            scope=HOME,
        ),
        Case(
            expect(
                anonymous=LOGIN,
                department=404,
                region=403,
                methodologist=403,
                curator=403,
                director=403,
                teacher=403,
                outsider=200,
            ),
            target="foreign_period",
            kwargs=lambda world: {"pk": _period(world, foreign=True).pk},
            scope=FOREIGN,
        ),
    ],
    "roadmaps:overdue": [Case(signed_in(200))],
    # The public site: published → 200 for anybody, anything else → 404.
    "roadmaps:public_index": [Case(everyone(200))],
    "roadmaps:public_roadmap": [
        Case(everyone(200), target="published", kwargs=_public_roadmap(published=True)),
        Case(everyone(404), target="unpublished", kwargs=_public_roadmap(published=False)),
        Case(everyone(404), target="home_programme_unpublished", kwargs=_pk(_programme("school"))),
    ],
    "roadmaps:public_period": [
        Case(everyone(200), target="published", kwargs=_public_period(published=True)),
        Case(everyone(404), target="unpublished", kwargs=_public_period(published=False)),
    ],
}
