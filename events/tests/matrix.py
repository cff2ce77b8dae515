"""Rows of the role × URL permission matrix for the methodological centre (tests/permission_matrix.py).

Public objects are made in a third, neutral municipality: their pages (the registration form
lists that municipality's schools) are for everyone and must not trip the leak check. Staff
objects are made at home and in the outsider's municipality. The staff are the methodologist
and the department of the municipality (the outsider is a department elsewhere).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from tests.permission_matrix import FOREIGN, HOME, LOGIN, Case, World, everyone, expect, signed_in

# Pages without an object: the centre's staff get their own municipality's, others 403.
STAFF = expect(
    anonymous=LOGIN, department=200, region=403, methodologist=200, curator=403, director=403, teacher=403, outsider=200
)


def _staff_of_home(status: int = 200) -> dict:
    return expect(
        anonymous=LOGIN,
        department=status,
        region=403,
        methodologist=status,
        curator=403,
        director=403,
        teacher=403,
        outsider=404,
    )


def _staff_of_foreign(status: int = 200) -> dict:
    return expect(
        anonymous=LOGIN,
        department=404,
        region=403,
        methodologist=404,
        curator=403,
        director=403,
        teacher=403,
        outsider=status,
    )


# Files of unpublished things: staff of the municipality only; nobody else learns they exist.
def _private_file_of_home() -> dict:
    return expect(
        anonymous=404,
        department=200,
        region=404,
        methodologist=200,
        curator=404,
        director=404,
        teacher=404,
        outsider=404,
    )


# The same file of another municipality: its own department (the outsider) reads it; at home nobody does.
def _private_file_of_foreign() -> dict:
    return expect(
        anonymous=404,
        department=404,
        region=404,
        methodologist=404,
        curator=404,
        director=404,
        teacher=404,
        outsider=200,
    )


def _municipality(world: World, where: str):
    if where == "home":
        return world.school.municipality
    if where == "foreign":
        return world.foreign_school.municipality
    from tests.factories import MunicipalityFactory

    return MunicipalityFactory(name="Нейтральный район")


def _event(world: World, where: str, **fields):
    from events.tests.factories import EventFactory

    return EventFactory(municipality=_municipality(world, where), **fields)


def event_of(where: str, **fields) -> Callable[[World], dict]:
    return lambda world: {"pk": _event(world, where, **fields).pk}


def _held(**extra) -> dict:
    start = timezone.now() - dt.timedelta(days=3)
    return {"starts_at": start, "ends_at": start + dt.timedelta(hours=2), "status": "held", **extra}


def registration_token_of(*, attended: bool) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from events.selectors import registration_token
        from events.tests.factories import RegistrationFactory

        registration = RegistrationFactory(event=_event(world, "neutral", **_held()), attended=attended)
        return {"token": registration_token(registration)}

    return kwargs


def staff_registration_of(where: str) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from events.tests.factories import RegistrationFactory

        return {"pk": RegistrationFactory(event=_event(world, where, **_held()), attended=True).pk}

    return kwargs


def material_of(where: str, *, reported: bool) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from events.tests.factories import MaterialFactory

        fields = (
            _held(status="reported", report_summary="Итоги", report_published_at=timezone.now()) if reported else {}
        )
        return {"pk": MaterialFactory(event=_event(world, where, **fields)).pk}

    return kwargs


def _object_of(factory_name: str, where: str, **fields) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from events.tests import factories

        return {"pk": getattr(factories, factory_name)(municipality=_municipality(world, where), **fields).pk}

    return kwargs


def enrolment_of(where: str) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from events.tests.factories import EnrolmentFactory, ProgrammeFactory

        programme = ProgrammeFactory(municipality=_municipality(world, where))
        return {"pk": EnrolmentFactory(programme=programme).pk}

    return kwargs


def _file_of(model: str, parent_factory: str, where: str, **parent_fields) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from django.core.files.base import ContentFile

        from events import models
        from events.tests import factories

        parent = getattr(factories, parent_factory)(municipality=_municipality(world, where), **parent_fields)
        model_class = getattr(models, model)
        parent_field = "practice" if model == "PracticeFile" else "page"
        item = model_class(
            title="Документ", original_name="doc.pdf", content_type="application/pdf", extension="pdf",
            size=len(factories.PDF_BYTES), token=f"{model_class.objects.count() + 1:032x}", **{parent_field: parent},
        )  # fmt: skip
        item.file.save(f"{item.token}.pdf", ContentFile(factories.PDF_BYTES), save=False)
        item.save()
        return {"pk": item.pk}

    return kwargs


def page_slug(**fields) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from events.tests.factories import PageFactory

        return {"slug": PageFactory(municipality=_municipality(world, "neutral"), **fields).slug}

    return kwargs


def _staff_object_cases(make: Callable[[str], Callable[[World], dict]], status: int = 200) -> list[Case]:
    return [
        Case(_staff_of_home(status), target="home", kwargs=make("home"), scope=HOME),
        Case(_staff_of_foreign(status), target="foreign", kwargs=make("foreign"), scope=FOREIGN),
    ]


def _action(action: str) -> Callable[[str], Callable[[World], dict]]:
    def make(where: str) -> Callable[[World], dict]:
        return lambda world: {**event_of(where)(world), "action": action}

    return make


ROWS: dict[str, list[Case]] = {
    # --- Public side: published things for everyone, drafts for nobody ---------------------------------
    "events:list": [Case(everyone(200))],
    "events:archive": [Case(everyone(200))],
    "events:calendar": [Case(everyone(200))],
    "events:feed": [Case(everyone(200))],
    "events:detail": [
        Case(everyone(200), target="published", kwargs=event_of("neutral")),
        Case(everyone(404), target="draft", kwargs=event_of("neutral", status="draft", publish_at=None)),
        Case(
            everyone(404),
            target="scheduled",
            kwargs=event_of("neutral", publish_at=timezone.now() + dt.timedelta(days=2)),
        ),
    ],
    "events:ical": [
        Case(everyone(200), target="published", kwargs=event_of("neutral")),
        Case(everyone(404), target="draft", kwargs=event_of("neutral", status="draft", publish_at=None)),
    ],
    "events:register": [
        Case(everyone(200), target="published", kwargs=event_of("neutral")),
        Case(everyone(404), target="draft", kwargs=event_of("neutral", status="draft", publish_at=None)),
    ],
    # Everyone signed in sees their own registrations (possibly none).
    "events:my_registrations": [Case(signed_in(200))],
    # The signed link of the letter is the participant's credential.
    "events:registration": [
        Case(everyone(200), target="token", kwargs=registration_token_of(attended=False)),
        Case(everyone(404), target="forged", kwargs=lambda world: {"token": "forged:token"}),
    ],
    "events:registration_certificate": [
        Case(everyone(200), target="attended", kwargs=registration_token_of(attended=True)),
        Case(everyone(404), target="not_attended", kwargs=registration_token_of(attended=False)),
    ],
    "events:material": [
        Case(everyone(200), target="published_report", kwargs=material_of("neutral", reported=True)),
        Case(_private_file_of_home(), target="home_draft", kwargs=material_of("home", reported=False), scope=HOME),
        Case(
            _private_file_of_foreign(),
            target="foreign_draft",
            kwargs=material_of("foreign", reported=False),
            scope=FOREIGN,
        ),
    ],
    "events:programme_list": [Case(everyone(200))],
    "events:programme_detail": [
        Case(everyone(200), target="published", kwargs=_object_of("ProgrammeFactory", "neutral")),
        Case(everyone(404), target="draft", kwargs=_object_of("ProgrammeFactory", "neutral", is_published=False)),
    ],
    "events:association_list": [Case(everyone(200))],
    "events:association_detail": [
        Case(everyone(200), target="published", kwargs=_object_of("AssociationFactory", "neutral")),
        Case(everyone(404), target="draft", kwargs=_object_of("AssociationFactory", "neutral", is_published=False)),
    ],
    "events:practice_list": [Case(everyone(200))],
    "events:practice_detail": [
        Case(everyone(200), target="published", kwargs=_object_of("PracticeFactory", "neutral")),
        Case(everyone(404), target="draft", kwargs=_object_of("PracticeFactory", "neutral", status="draft")),
    ],
    "events:practice_file": [
        Case(everyone(200), target="published", kwargs=_file_of("PracticeFile", "PracticeFactory", "neutral")),
        Case(
            _private_file_of_home(),
            target="home_draft",
            kwargs=_file_of("PracticeFile", "PracticeFactory", "home", status="draft"),
            scope=HOME,
        ),
        Case(
            _private_file_of_foreign(),
            target="foreign_draft",
            kwargs=_file_of("PracticeFile", "PracticeFactory", "foreign", status="draft"),
            scope=FOREIGN,
        ),
    ],
    "events:page_list": [Case(everyone(200))],
    "events:page": [
        Case(everyone(200), target="published", kwargs=page_slug()),
        Case(everyone(404), target="draft", kwargs=page_slug(is_published=False)),
    ],
    "events:page_file": [
        Case(everyone(200), target="published", kwargs=_file_of("PageAttachment", "PageFactory", "neutral")),
        Case(
            _private_file_of_home(),
            target="home_draft",
            kwargs=_file_of("PageAttachment", "PageFactory", "home", is_published=False),
            scope=HOME,
        ),
        Case(
            _private_file_of_foreign(),
            target="foreign_draft",
            kwargs=_file_of("PageAttachment", "PageFactory", "foreign", is_published=False),
            scope=FOREIGN,
        ),
    ],
    # --- Staff workplace ------------------------------------------------------------------------------
    "events:staff_home": [Case(STAFF)],
    "events:staff_event_create": [Case(STAFF)],
    "events:staff_event": _staff_object_cases(event_of),
    "events:staff_event_edit": _staff_object_cases(event_of),
    # POST-only actions: the scope is checked first, so a GET tells nobody outside it anything.
    "events:staff_event_action": _staff_object_cases(_action("publish"), status=405),
    "events:staff_attendance": _staff_object_cases(event_of, status=405),
    "events:staff_material_upload": _staff_object_cases(event_of),
    "events:staff_report": _staff_object_cases(event_of),
    "events:staff_certificate": _staff_object_cases(staff_registration_of),
    "events:staff_programmes": [Case(STAFF)],
    "events:staff_programme_create": [Case(STAFF)],
    "events:staff_programme": _staff_object_cases(lambda where: _object_of("ProgrammeFactory", where)),
    "events:staff_programme_edit": _staff_object_cases(lambda where: _object_of("ProgrammeFactory", where)),
    "events:staff_enrolment_complete": _staff_object_cases(enrolment_of, status=405),
    "events:staff_associations": [Case(STAFF)],
    "events:staff_association_create": [Case(STAFF)],
    "events:staff_association_edit": _staff_object_cases(lambda where: _object_of("AssociationFactory", where)),
    "events:staff_practices": [Case(STAFF)],
    "events:staff_practice_create": [Case(STAFF)],
    "events:staff_practice_edit": _staff_object_cases(lambda where: _object_of("PracticeFactory", where)),
    "events:staff_practice_files": _staff_object_cases(lambda where: _object_of("PracticeFactory", where)),
    "events:staff_pages": [Case(STAFF)],
    "events:staff_page_create": [Case(STAFF)],
    "events:staff_page_edit": _staff_object_cases(lambda where: _object_of("PageFactory", where)),
    "events:staff_page_files": _staff_object_cases(lambda where: _object_of("PageFactory", where)),
}
