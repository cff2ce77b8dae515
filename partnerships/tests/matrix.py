"""Rows of the role × URL permission matrix for the partnerships app (tests/permission_matrix.py).

Who reads an agreement: the department, methodologist and region of its municipality, the
curator of the supported school, and the directors of both parties; teachers and the
outsider never. Changes are the department's: other roles get 403, another municipality's
department (the outsider) 404 on a home object. POST-only URLs answer a GET with 405.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.permission_matrix import FOREIGN, HOME, LOGIN, Case, World, expect, signed_in

MANAGER_ONLY = expect(
    anonymous=LOGIN,
    department=200,
    region=403,
    methodologist=403,
    curator=403,
    director=403,
    teacher=403,
    outsider=200,
)


def _current_year():
    from schools.models import AcademicYear

    year, _ = AcademicYear.objects.get_or_create(start_year=2025)
    return year


def supported(name: str) -> Callable[[World], dict]:
    """The world's school, given a ШНОР status for the current year."""

    def kwargs(world: World) -> dict:
        from identification.models import SchoolStatus, StatusKind

        school = getattr(world, name)
        SchoolStatus.objects.get_or_create(school=school, year=_current_year(), kind=StatusKind.LOW_RESULTS)
        return {"school_pk": school.pk}

    return kwargs


def agreement_of(supported_name: str, partner_name: str, *, with_scan: bool = False) -> Callable[[World], dict]:
    """A draft agreement: ``supported_name`` is supported by ``partner_name``'s organisation."""

    def kwargs(world: World) -> dict:
        from django.core.files.base import ContentFile

        from partnerships.models import Agreement

        school = getattr(world, supported_name)
        partner = getattr(world, partner_name).organisation
        agreement, created = Agreement.objects.get_or_create(
            supported_school=school, defaults={"municipality_id": school.municipality_id, "number": "7-П"}
        )
        if created:
            agreement.partners.add(partner)
        if with_scan and not agreement.scan:
            agreement.scan_kind = "pdf"
            agreement.scan.save("scan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
        return {"pk": agreement.pk}

    return kwargs


def _reader_cases(*, with_scan: bool = False) -> list[Case]:
    return [
        Case(
            expect(
                anonymous=LOGIN,
                department=200,
                region=200,
                methodologist=200,
                curator=200,
                director=200,
                teacher=404,
                outsider=404,
            ),
            target="home_agreement",
            kwargs=agreement_of("school", "other_school", with_scan=with_scan),
            scope=HOME,
        ),
        # The director's school is the partner here; the curator does not curate the supported school.
        Case(
            expect(
                anonymous=LOGIN,
                department=200,
                region=200,
                methodologist=200,
                curator=404,
                director=200,
                teacher=404,
                outsider=404,
            ),
            target="director_as_partner",
            kwargs=agreement_of("other_school", "school", with_scan=with_scan),
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
            target="foreign_agreement",
            kwargs=agreement_of("foreign_school", "foreign_school", with_scan=with_scan),
            scope=FOREIGN,
        ),
    ]


def _manager_cases() -> list[Case]:
    return [
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
            target="home_agreement",
            kwargs=agreement_of("school", "other_school"),
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
            target="foreign_agreement",
            kwargs=agreement_of("foreign_school", "foreign_school"),
            scope=FOREIGN,
        ),
    ]


# POST-only: a GET is refused before anything is looked up (no scope to check here; the
# POSTs are tested per role in partnerships/tests/test_views.py).
def _post_only(kwargs: Callable[[World], dict]) -> list[Case]:
    return [Case(signed_in(405), target="get", kwargs=kwargs)]


ROWS: dict[str, list[Case]] = {
    # The register answers every logged-in user with their own scope (possibly empty); its export is
    # a report job (reports:agreement_export).
    "partnerships:agreement_list": [Case(signed_in(200))],
    "partnerships:agreement_create": [Case(MANAGER_ONLY)],
    "partnerships:agreement_detail": _reader_cases(),
    "partnerships:agreement_scan": _reader_cases(with_scan=True),
    "partnerships:agreement_edit": _manager_cases(),
    "partnerships:agreement_transition": _post_only(agreement_of("school", "other_school")),
    "partnerships:agreement_scan_upload": _post_only(agreement_of("school", "other_school")),
    "partnerships:agreement_assess": _post_only(agreement_of("school", "other_school")),
    "partnerships:supported_list": [Case(MANAGER_ONLY)],
    "partnerships:matching": [
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
            target="supported_school",
            kwargs=supported("school"),
            scope=HOME,
        ),
        # A school without a support status has no matching page.
        Case(
            expect(
                anonymous=LOGIN,
                department=404,
                region=403,
                methodologist=403,
                curator=403,
                director=403,
                teacher=403,
                outsider=404,
            ),
            target="unsupported_school",
            kwargs=lambda world: {"school_pk": world.other_school.pk},
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
            target="foreign_supported_school",
            kwargs=supported("foreign_school"),
            scope=FOREIGN,
        ),
    ],
    "partnerships:suggestion_accept": _post_only(
        lambda world: {"school_pk": world.school.pk, "organisation_pk": world.other_school.organisation_id}
    ),
    "partnerships:candidates": [Case(MANAGER_ONLY)],
    "partnerships:candidate_remove": _post_only(lambda world: {"pk": 1}),
    "partnerships:settings": [Case(MANAGER_ONLY)],
}
