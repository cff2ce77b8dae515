"""Rows of the role × URL permission matrix for the identification pages (tests/permission_matrix.py).

Reading identification (dashboard, runs, methodology) is for the department, the region and
the methodological centre; running, editing, recomputing and approving are the department's.
The outsider is a department elsewhere: served on pages without an object, 404 on home objects.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.permission_matrix import FOREIGN, HOME, LOGIN, Case, World, expect, pk_of

READER = expect(
    anonymous=LOGIN,
    department=200,
    region=200,
    methodologist=200,
    curator=403,
    director=403,
    teacher=403,
    outsider=200,
)
# A run is started by the department (its municipality) or the region (the whole region).
RUNNER = expect(
    anonymous=LOGIN,
    department=200,
    region=200,
    methodologist=403,
    curator=403,
    director=403,
    teacher=403,
    outsider=200,
)
# A regional run and the region's decision: the region role of that region only (they hold
# every municipality's schools; a department reads its own municipality's runs).
REGIONAL = expect(
    anonymous=LOGIN,
    department=404,
    region=200,
    methodologist=404,
    curator=403,
    director=403,
    teacher=403,
    outsider=404,
)
REGION_EDITOR = expect(
    anonymous=LOGIN,
    department=403,
    region=200,
    methodologist=403,
    curator=403,
    director=403,
    teacher=403,
    outsider=403,
)
POST_ONLY = expect(
    anonymous=LOGIN,
    department=405,
    region=405,
    methodologist=405,
    curator=405,
    director=405,
    teacher=405,
    outsider=405,
)


def _year():
    from schools.models import AcademicYear

    return AcademicYear.objects.get_or_create(start_year=2025)[0]


HOME_READERS = expect(
    anonymous=LOGIN,
    department=200,
    region=200,
    methodologist=200,
    curator=403,
    director=403,
    teacher=403,
    outsider=404,
)
FOREIGN_READERS = expect(
    anonymous=LOGIN,
    department=404,
    region=404,
    methodologist=404,
    curator=403,
    director=403,
    teacher=403,
    outsider=200,
)


def decision_of(owner: str) -> Callable[[World], dict]:
    """A decision (with its PDF) of the owner's municipality."""

    def kwargs(world: World) -> dict:
        import datetime

        from django.core.files.base import ContentFile

        from identification.models import Decision, StatusKind

        user = world.users[owner]
        decision = Decision.objects.create(
            municipality=user.municipality,
            year=_year(),
            kind=StatusKind.LOW_RESULTS,
            number=f"{owner}-1",
            date=datetime.date(2025, 9, 1),
            created_by=user,
        )
        decision.file.save("order.pdf", ContentFile(b"%PDF-1.4 order"), save=True)
        return {"pk": decision.pk}

    return kwargs


def regional_decision(world: World) -> dict:
    import datetime

    from django.core.files.base import ContentFile

    from identification.models import Decision, StatusKind

    user = world.users["region"]
    decision = Decision.objects.create(
        region=user.region,
        year=_year(),
        kind=StatusKind.LOW_RESULTS,
        number="region-1",
        date=datetime.date(2025, 9, 1),
        created_by=user,
    )
    decision.file.save("order.pdf", ContentFile(b"%PDF-1.4 order"), save=True)
    return {"pk": decision.pk}


def regional_run(world: World) -> dict:
    from identification.models import IdentificationRun, MethodologyVersion, TaskStatus

    user = world.users["region"]
    run = IdentificationRun.objects.filter(region=user.region).first() or IdentificationRun.objects.create(
        version=MethodologyVersion.objects.order_by("pk").first(),
        year=_year(),
        region=user.region,
        status=TaskStatus.DONE,
        created_by=user,
    )
    return {"pk": run.pk}


def run_of(owner: str) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from identification.models import IdentificationRun, MethodologyVersion, TaskStatus

        municipality = world.users[owner].municipality
        run = IdentificationRun.objects.filter(municipality=municipality).first() or IdentificationRun.objects.create(
            version=MethodologyVersion.objects.order_by("pk").first(),
            year=_year(),
            municipality=municipality,
            status=TaskStatus.DONE,
            created_by=world.users[owner],
        )
        return {"pk": run.pk}

    return kwargs


def recompute_of(owner: str) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from identification.models import IndicatorRecompute

        municipality = world.users[owner].municipality
        recompute, _ = IndicatorRecompute.objects.get_or_create(municipality=municipality)
        return {"pk": recompute.pk}

    return kwargs


def status_of(school: str) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from identification.models import SchoolStatus, StatusKind

        status, _ = SchoolStatus.objects.get_or_create(
            school=getattr(world, school), year=_year(), kind=StatusKind.LOW_RESULTS
        )
        return {"pk": status.pk}

    return kwargs


def _version(world: World) -> dict:
    from identification.models import MethodologyVersion

    return {"pk": MethodologyVersion.objects.order_by("pk").first().pk}


def _home_and_foreign(home: dict, foreign: dict, kwargs_home, kwargs_foreign, names=("home", "foreign")) -> list[Case]:
    return [
        Case(home, target=names[0], kwargs=kwargs_home, scope=HOME),
        Case(foreign, target=names[1], kwargs=kwargs_foreign, scope=FOREIGN),
    ]


ROWS: dict[str, list[Case]] = {
    "identification:dashboard": [Case(READER)],
    "identification:catalogue": [Case(READER)],
    "identification:recompute_start": [Case(POST_ONLY)],
    "identification:recompute_detail": _home_and_foreign(
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
        recompute_of("department"),
        recompute_of("outsider"),
        names=("department_recompute", "outsider_recompute"),
    ),
    # Read by every reader; the shared weights are changed by the operator only (schools.catalogues).
    "identification:weights": [Case(READER)],
    "identification:methodology_list": [Case(READER)],
    "identification:version_detail": [Case(READER, target="preset", kwargs=_version)],
    # Methodologies are the region's (schools.catalogues): its staff edit, departments read.
    "identification:version_edit": [Case(REGION_EDITOR, target="preset", kwargs=_version)],
    "identification:run_create": [Case(RUNNER)],
    "identification:run_detail": [
        *_home_and_foreign(
            expect(
                anonymous=LOGIN,
                department=200,
                region=200,
                methodologist=200,
                curator=403,
                director=403,
                teacher=403,
                outsider=404,
            ),
            expect(
                anonymous=LOGIN,
                department=404,
                region=404,
                methodologist=404,
                curator=403,
                director=403,
                teacher=403,
                outsider=200,
            ),
            run_of("department"),
            run_of("outsider"),
            names=("department_run", "outsider_run"),
        ),
        Case(REGIONAL, target="regional_run", kwargs=regional_run, scope=HOME),
    ],
    # Approval is POST-only; who may approve is tested in identification/tests/test_views.py.
    "identification:run_approve": [Case(POST_ONLY, target="department_run", kwargs=run_of("department"))],
    "identification:decisions": [Case(READER)],
    "identification:decision_detail": [
        Case(HOME_READERS, target="department_decision", kwargs=decision_of("department"), scope=HOME),
        Case(FOREIGN_READERS, target="outsider_decision", kwargs=decision_of("outsider"), scope=FOREIGN),
        Case(REGIONAL, target="regional_decision", kwargs=regional_decision, scope=HOME),
    ],
    "identification:decision_file": [
        Case(HOME_READERS, target="department_decision", kwargs=decision_of("department"), scope=HOME),
        Case(FOREIGN_READERS, target="outsider_decision", kwargs=decision_of("outsider"), scope=FOREIGN),
        Case(REGIONAL, target="regional_decision", kwargs=regional_decision, scope=HOME),
    ],
    "identification:school": [
        Case(
            expect(
                anonymous=LOGIN,
                department=200,
                region=200,
                methodologist=200,
                curator=200,
                director=200,
                teacher=200,
                outsider=404,
            ),
            target="school",
            kwargs=pk_of("school"),
            scope=HOME,
        ),
        Case(
            expect(
                anonymous=LOGIN,
                department=200,
                region=200,
                methodologist=200,
                curator=404,
                director=404,
                teacher=404,
                outsider=404,
            ),
            target="other_school",
            kwargs=pk_of("other_school"),
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
                outsider=200,
            ),
            target="foreign_school",
            kwargs=pk_of("foreign_school"),
            scope=FOREIGN,
        ),
    ],
    "identification:status_create": _home_and_foreign(
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
        lambda world: {"school_pk": world.school.pk},
        lambda world: {"school_pk": world.foreign_school.pk},
        names=("school", "foreign_school"),
    ),
    "identification:status_revoke": _home_and_foreign(
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
        status_of("school"),
        status_of("foreign_school"),
        names=("school_status", "foreign_school_status"),
    ),
}
