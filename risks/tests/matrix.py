"""risks: rows of the role × URL permission matrix (tests/permission_matrix.py)."""

from __future__ import annotations

from tests.permission_matrix import FOREIGN, HOME, Case, World, expect, pk_of, signed_in


def _year():
    from tests.factories import AcademicYearFactory

    return AcademicYearFactory(start_year=2025)


def signal_of(school_name: str):
    def kwargs(world: World) -> dict:
        from risks.models import ObjectivitySignal, SignalKind

        signal, _ = ObjectivitySignal.objects.get_or_create(
            school=getattr(world, school_name),
            year=_year(),
            kind=SignalKind.MARK_GAP,
            subject=None,
            grade=0,
            defaults={"value": 12, "participants": 20, "explanation": "Расхождение ВПР и журнала."},
        )
        return {"pk": signal.pk}

    return kwargs


def job_of(owner: str):
    def kwargs(world: World) -> dict:
        from risks.models import RecomputeJob

        user = world.users[owner]
        job, _ = RecomputeJob.objects.get_or_create(
            municipality_id=user.municipality_id, year=_year(), defaults={"requested_by": user, "status": "done"}
        )
        return {"pk": job.pk}

    return kwargs


def current_factor(world: World) -> dict:
    from risks.models import RiskFactor

    return {"pk": RiskFactor.objects.filter(is_current=True).first().pk}


DEPARTMENT_ONLY_HOME = expect(
    anonymous="302 to login",
    department=200,
    region=403,
    methodologist=403,
    curator=403,
    director=403,
    teacher=403,
    outsider=404,
)
DEPARTMENT_ONLY_FOREIGN = expect(
    anonymous="302 to login",
    department=404,
    region=403,
    methodologist=403,
    curator=403,
    director=403,
    teacher=403,
    outsider=200,
)
READERS = expect(
    anonymous="302 to login",
    department=200,
    region=200,
    methodologist=200,
    curator=403,
    director=403,
    teacher=403,
    outsider=200,
)


def school_in_year(name: str):
    """The school's pk, with an academic year to ask about (the pages need one)."""

    def kwargs(world: World) -> dict:
        _year()
        return pk_of(name)(world)

    return kwargs


def _school_cases(*, home: dict, other: dict, foreign: dict) -> list[Case]:
    return [
        Case(home, target="school", kwargs=school_in_year("school"), scope=HOME),
        Case(other, target="other_school", kwargs=school_in_year("other_school"), scope=HOME),
        Case(foreign, target="foreign_school", kwargs=school_in_year("foreign_school"), scope=FOREIGN),
    ]


ROWS = {
    "risks:signals": [
        Case(
            expect(
                anonymous="302 to login",
                department=200,
                region=200,
                methodologist=403,
                curator=403,
                director=403,
                teacher=403,
                outsider=200,
            )
        )
    ],
    "risks:signal_review": [
        Case(DEPARTMENT_ONLY_HOME, target="school_signal", kwargs=signal_of("school"), scope=HOME),
        Case(DEPARTMENT_ONLY_FOREIGN, target="foreign_signal", kwargs=signal_of("foreign_school"), scope=FOREIGN),
    ],
    # POST-only: a GET is refused for everybody signed in.
    "risks:recompute": [Case(signed_in(405))],
    "risks:questionnaire_lock": [Case(signed_in(405), target="school", kwargs=pk_of("school"))],
    "risks:recompute_status": [
        Case(DEPARTMENT_ONLY_HOME, target="department_job", kwargs=job_of("department"), scope=HOME),
        Case(DEPARTMENT_ONLY_FOREIGN, target="outsider_job", kwargs=job_of("outsider"), scope=FOREIGN),
    ],
    "risks:overview": [Case(READERS)],
    "risks:catalogue": [Case(READERS)],
    # The «500+» catalogue is shared by every region: only the operator changes it (schools.catalogues).
    "risks:factor_edit": [
        Case(
            expect(
                anonymous="302 to login",
                department=403,
                region=403,
                methodologist=403,
                curator=403,
                director=403,
                teacher=403,
                outsider=403,
            ),
            target="current_factor",
            kwargs=current_factor,
        )
    ],
    "risks:school": _school_cases(
        home=expect(
            anonymous="302 to login",
            department=200,
            region=200,
            methodologist=200,
            curator=200,
            director=200,
            teacher=403,
            outsider=404,
        ),
        other=expect(
            anonymous="302 to login",
            department=200,
            region=200,
            methodologist=200,
            curator=404,
            director=404,
            teacher=403,
            outsider=404,
        ),
        foreign=expect(
            anonymous="302 to login",
            department=404,
            region=404,
            methodologist=404,
            curator=404,
            director=404,
            teacher=403,
            outsider=200,
        ),
    ),
    # The director fills it in; whoever reads the school's profile reads the answers.
    "risks:questionnaire": _school_cases(
        home=expect(
            anonymous="302 to login",
            department=200,
            region=200,
            methodologist=200,
            curator=200,
            director=200,
            teacher=403,
            outsider=404,
        ),
        other=expect(
            anonymous="302 to login",
            department=200,
            region=200,
            methodologist=200,
            curator=404,
            director=404,
            teacher=403,
            outsider=404,
        ),
        foreign=expect(
            anonymous="302 to login",
            department=404,
            region=404,
            methodologist=404,
            curator=404,
            director=404,
            teacher=403,
            outsider=200,
        ),
    ),
}
