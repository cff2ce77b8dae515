"""Rows of the role × URL permission matrix for the analytics pages (tests/permission_matrix.py).

A school's analytics are read by whoever may read the school (accounts.scopes.schools_for):
404 outside. A municipality's by whoever may read the municipality. Task catalogues describe
federal tests, not anybody's data: every signed-in user reads the shipped ones; the operator
edits those, a municipality's methodological centre edits its own copy (copy on first edit).
"""

from __future__ import annotations

from collections.abc import Callable

from tests.permission_matrix import FOREIGN, HOME, LOGIN, Case, World, expect, signed_in

HOME_SCHOOL = expect(
    anonymous=LOGIN, department=200, region=200, methodologist=200, curator=200, director=200, teacher=200, outsider=404
)
OTHER_SCHOOL = expect(
    anonymous=LOGIN, department=200, region=200, methodologist=200, curator=404, director=404, teacher=404, outsider=404
)
FOREIGN_SCHOOL = expect(
    anonymous=LOGIN, department=404, region=404, methodologist=404, curator=404, director=404, teacher=404, outsider=200
)
HOME_MUNICIPALITY = expect(
    anonymous=LOGIN, department=200, region=200, methodologist=200, curator=200, director=200, teacher=200, outsider=404
)
FOREIGN_MUNICIPALITY = expect(
    anonymous=LOGIN, department=404, region=404, methodologist=404, curator=404, director=404, teacher=404, outsider=200
)
# The operator (superuser) edits the shipped test descriptions; the methodological centre its
# municipality's copy, made on its first change (schools.catalogues.MUNICIPAL_COPIES).
EDITOR = expect(
    anonymous=LOGIN, department=403, region=403, methodologist=200, curator=403, director=403, teacher=403, outsider=403
)


def _school(name: str, class_name: str = "") -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        found = {"pk": getattr(world, name).pk}
        if class_name:
            found["class_name"] = class_name
        return found

    return kwargs


def _municipality(owner: str) -> Callable[[World], dict]:
    return lambda world: {"pk": world.users[owner].municipality_id}


def _school_cases(class_name: str = "") -> list[Case]:
    return [
        Case(HOME_SCHOOL, target="school", kwargs=_school("school", class_name), scope=HOME),
        Case(OTHER_SCHOOL, target="other_school", kwargs=_school("other_school", class_name), scope=HOME),
        Case(FOREIGN_SCHOOL, target="foreign_school", kwargs=_school("foreign_school", class_name), scope=FOREIGN),
    ]


def _municipality_cases() -> list[Case]:
    return [
        Case(HOME_MUNICIPALITY, target="home_municipality", kwargs=_municipality("department"), scope=HOME),
        Case(FOREIGN_MUNICIPALITY, target="foreign_municipality", kwargs=_municipality("outsider"), scope=FOREIGN),
    ]


def _catalogue(world: World) -> dict:
    from analytics.models import TaskCatalogue
    from monitoring.models import Subject
    from schools.models import AcademicYear

    catalogue, _ = TaskCatalogue.objects.get_or_create(
        year=AcademicYear.objects.get_or_create(start_year=2025)[0],
        procedure="vpr",
        subject=Subject.objects.get(code="01"),
        grade=4,
    )
    return {"pk": catalogue.pk}


def _catalogue_item(world: World) -> dict:
    from analytics.models import TaskCatalogue, TaskCatalogueItem

    catalogue = TaskCatalogue.objects.get(pk=_catalogue(world)["pk"])
    item, _ = TaskCatalogueItem.objects.get_or_create(catalogue=catalogue, task_label="1", defaults={"skill": "Умение"})
    return {"pk": item.pk}


ROWS: dict[str, list[Case]] = {
    "analytics:index": [Case(signed_in(200))],
    "analytics:school": _school_cases(),
    "analytics:school_xlsx": _school_cases(),
    "analytics:class": _school_cases("4А"),
    "analytics:class_xlsx": _school_cases("4А"),
    "analytics:municipality": _municipality_cases(),
    "analytics:catalogue_list": [Case(signed_in(200))],
    "analytics:catalogue_detail": [Case(signed_in(200), target="catalogue", kwargs=_catalogue)],
    "analytics:catalogue_upload": [Case(EDITOR)],
    "analytics:catalogue_template": [Case(EDITOR)],
    "analytics:catalogue_item_edit": [Case(EDITOR, target="item", kwargs=_catalogue_item)],
}
