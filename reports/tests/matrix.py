"""Rows of the role × URL permission matrix for reports (tests/permission_matrix.py).

The archive is per user: a request (its page and its file) is its requester's only, so
everybody else gets 404 whatever their role. A frozen snapshot is read by whoever reads its
roadmap (the same scope as the roadmap's page).
"""

from __future__ import annotations

from collections.abc import Callable

from tests.permission_matrix import FOREIGN, HOME, LOGIN, Case, World, expect, signed_in

OWNER_DEPARTMENT = expect(
    anonymous=LOGIN, department=200, region=404, methodologist=404, curator=404, director=404, teacher=404, outsider=404
)
OWNER_OUTSIDER = expect(
    anonymous=LOGIN, department=404, region=404, methodologist=404, curator=404, director=404, teacher=404, outsider=200
)
READ_HOME = expect(
    anonymous=LOGIN, department=200, region=200, methodologist=200, curator=200, director=200, teacher=200, outsider=404
)
READ_OTHER_SCHOOL = expect(
    anonymous=LOGIN, department=200, region=200, methodologist=200, curator=404, director=404, teacher=404, outsider=404
)
READ_FOREIGN = expect(
    anonymous=LOGIN, department=404, region=404, methodologist=404, curator=404, director=404, teacher=404, outsider=200
)


def request_of(actor: str) -> Callable[[World], dict]:
    """A finished register of agreements requested by ``actor``, with its file."""

    def kwargs(world: World) -> dict:
        from django.core.files.base import ContentFile

        from reports.models import ReportRequest

        user = world.users[actor]
        request, created = ReportRequest.objects.get_or_create(
            requested_by=user,
            kind="agreements",
            defaults={"title": f"Реестр договоров ({actor})", "status": ReportRequest.Status.DONE, "progress": 100},
        )
        if created:
            request.file.save(f"{request.token}.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
        return {"pk": request.pk}

    return kwargs


def snapshot_of(school_name: str) -> Callable[[World], dict]:
    """A rendered snapshot of the approved programme of ``school_name``."""

    def kwargs(world: World) -> dict:
        from django.core.files.base import ContentFile
        from django.utils import timezone

        from reports.models import Snapshot
        from roadmaps.tests.builders import roadmap_of

        author = world.users["outsider"] if school_name == "foreign_school" else world.users["department"]
        roadmap = roadmap_of(school=getattr(world, school_name), created_by=author)
        snapshot, created = Snapshot.objects.get_or_create(
            roadmap=roadmap, progress_report=None, defaults={"frozen_at": timezone.now(), "status": "done"}
        )
        if created:
            snapshot.file.save(f"{snapshot.token}.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
        return {"pk": snapshot.pk}

    return kwargs


def _owner_cases() -> list[Case]:
    return [
        Case(OWNER_DEPARTMENT, target="department_request", kwargs=request_of("department"), scope=HOME),
        Case(OWNER_OUTSIDER, target="outsider_request", kwargs=request_of("outsider"), scope=FOREIGN),
    ]


POST_ONLY = expect(
    anonymous=LOGIN, department=405, region=405, methodologist=405, curator=405, director=405, teacher=405, outsider=405
)


def _municipality_pk(where: str) -> Callable[[World], dict]:
    owner = "department" if where == "home" else "outsider"
    return lambda world: {"pk": world.users[owner].municipality_id}


def _event_pk(where: str) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from events.tests.matrix import event_of

        return event_of(where)(world)

    return kwargs


def _post_only_cases(make: Callable[[str], Callable[[World], dict]]) -> list[Case]:
    # A GET is refused before any scope check (405), so no case claims a scope (as partnerships' POSTs).
    return [Case(POST_ONLY, target="get", kwargs=make("home"))]


ROWS: dict[str, list[Case]] = {
    "reports:archive": [Case(signed_in(200))],
    "reports:new": [Case(signed_in(200))],
    # The registry page's export button: POST only (a report job with the page's filters).
    "reports:registry_export": [
        Case(
            expect(
                anonymous=LOGIN,
                department=405,
                region=405,
                methodologist=405,
                curator=405,
                director=405,
                teacher=405,
                outsider=405,
            )
        )
    ],
    # The agreements page's export button: POST only, like the registry's (a report job with its filters).
    "reports:agreement_export": [Case(POST_ONLY)],
    # The municipality analysis page's and the staff event page's export buttons: POST only; who may
    # order them, and for which object, is tested with the POSTs (reports/tests/test_page_exports.py).
    "reports:municipality_analytics_export": _post_only_cases(_municipality_pk),
    "reports:event_participants_export": _post_only_cases(_event_pk),
    "reports:detail": _owner_cases(),
    "reports:download": _owner_cases(),
    "reports:snapshot_download": [
        Case(READ_HOME, target="school_programme", kwargs=snapshot_of("school"), scope=HOME),
        Case(READ_OTHER_SCHOOL, target="other_programme", kwargs=snapshot_of("other_school"), scope=HOME),
        Case(READ_FOREIGN, target="foreign_programme", kwargs=snapshot_of("foreign_school"), scope=FOREIGN),
    ],
}


# --- The municipality's data export: its department and its region; other roles 403. -------------

EXPORT_HOME = expect(
    anonymous=LOGIN, department=200, region=200, methodologist=403, curator=403, director=403, teacher=403, outsider=404
)
EXPORT_FOREIGN = expect(
    anonymous=LOGIN, department=404, region=404, methodologist=403, curator=403, director=403, teacher=403, outsider=200
)


def municipality_of(school_name: str) -> Callable[[World], dict]:
    return lambda world: {"municipality_pk": getattr(world, school_name).municipality_id}


def export_of(school_name: str) -> Callable[[World], dict]:
    """A finished export of the municipality of ``school_name``, with its file."""

    def kwargs(world: World) -> dict:
        import datetime as dt

        from django.core.files.base import ContentFile
        from django.utils import timezone

        from reports.models import MunicipalExport

        municipality = getattr(world, school_name).municipality
        export, created = MunicipalExport.objects.get_or_create(
            municipality=municipality,
            defaults={
                "status": MunicipalExport.Status.DONE,
                "progress": 100,
                "expires_at": timezone.now() + dt.timedelta(days=7),
            },
        )
        if created:
            export.file.save(f"{export.token}.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
        return {"pk": export.pk}

    return kwargs


ROWS.update(
    {
        # The department is sent on to its own municipality (302); the region picks one of its own.
        "reports:municipal_export_index": [
            Case(
                expect(
                    anonymous=LOGIN,
                    department=302,
                    region=200,
                    methodologist=403,
                    curator=403,
                    director=403,
                    teacher=403,
                    outsider=302,
                )
            )
        ],
        # The page and its htmx fragment (the list with the progress, polled on the same URL).
        "reports:municipal_export": [
            Case(EXPORT_HOME, target="home_municipality", kwargs=municipality_of("school"), scope=HOME),
            Case(
                EXPORT_FOREIGN, target="foreign_municipality", kwargs=municipality_of("foreign_school"), scope=FOREIGN
            ),
        ],
        "reports:municipal_export_download": [
            Case(EXPORT_HOME, target="home_export", kwargs=export_of("school"), scope=HOME),
            Case(EXPORT_FOREIGN, target="foreign_export", kwargs=export_of("foreign_school"), scope=FOREIGN),
        ],
    }
)
