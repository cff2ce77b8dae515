"""schools/scopes.py: what each role reads and manages (DESIGN.md §3)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Role
from schools.scopes import (
    can_manage_registry,
    manageable_municipalities,
    municipalities_for,
    schools_for,
    schools_manageable_by,
)
from tests.factories import MunicipalityFactory, SchoolFactory, UserFactory

HOME = {"edu980001", "edu980002"}
CURATED = {"edu980001"}
FOREIGN = {"edu970001"}


def _codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def _names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("actor", "codes"),
    [
        ("department", HOME),
        ("region", HOME),
        ("methodologist", HOME),
        ("curator", CURATED),
        ("director", CURATED),
        ("teacher", CURATED),
        ("outsider", FOREIGN),
    ],
)
def test_each_role_reads_exactly_its_schools(cast, actor, codes):
    assert _codes(schools_for(cast[actor])) == codes


@pytest.mark.parametrize(
    ("actor", "names"),
    [
        ("department", {"Заречный район"}),
        ("region", {"Заречный район"}),
        ("methodologist", {"Заречный район"}),
        ("curator", {"Заречный район"}),
        ("director", {"Заречный район"}),
        ("teacher", {"Заречный район"}),
        ("outsider", {"Дальний район"}),
    ],
)
def test_each_role_reads_exactly_its_municipalities(cast, actor, names):
    assert _names(municipalities_for(cast[actor])) == names


def test_region_reads_every_municipality_of_its_region_and_no_other(cast, region, foreign_region):
    SchoolFactory(municipality=MunicipalityFactory(region=region, name="Лесной район"), code="edu980101")
    MunicipalityFactory(region=foreign_region, name="Степной район")

    assert _names(municipalities_for(cast["region"])) == {"Заречный район", "Лесной район"}
    assert _codes(schools_for(cast["region"])) == HOME | {"edu980101"}


def test_department_does_not_read_a_neighbouring_municipality_of_the_same_region(cast, region):
    SchoolFactory(municipality=MunicipalityFactory(region=region, name="Лесной район"), code="edu980101")

    assert _codes(schools_for(cast["department"])) == HOME
    assert _codes(schools_for(cast["methodologist"])) == HOME


def test_curator_reads_schools_assigned_in_any_number(cast, other_school):
    curator = cast["curator"]
    curator.curated_schools.add(other_school)

    assert _codes(schools_for(curator)) == HOME


def test_curator_without_assignments_reads_no_schools(municipality, school):
    curator = UserFactory(username="new_curator", role=Role.CURATOR, municipality=municipality)

    assert _codes(schools_for(curator)) == set()


@pytest.mark.parametrize(
    ("actor", "names"),
    [
        ("department", {"Заречный район"}),
        ("region", set()),
        ("methodologist", set()),
        ("curator", set()),
        ("director", set()),
        ("teacher", set()),
        ("outsider", {"Дальний район"}),
    ],
)
def test_only_a_department_manages_the_registry_and_only_at_home(cast, actor, names):
    user = cast[actor]

    assert _names(manageable_municipalities(user)) == names
    assert can_manage_registry(user) is bool(names)


def test_schools_manageable_by_a_department_are_its_municipalitys(cast):
    assert _codes(schools_manageable_by(cast["department"])) == HOME
    assert _codes(schools_manageable_by(cast["outsider"])) == FOREIGN
    assert _codes(schools_manageable_by(cast["region"])) == set()


@pytest.mark.parametrize("actor", ["department", "region", "methodologist", "curator", "director", "teacher"])
def test_an_inactive_user_sees_nothing(cast, actor):
    user = cast[actor]
    user.is_active = False

    assert not schools_for(user).exists()
    assert not municipalities_for(user).exists()
    assert not manageable_municipalities(user).exists()
    assert can_manage_registry(user) is False


def test_a_user_without_a_role_sees_nothing(cast, municipality, school):
    # Attached to everything, yet with no role: the role, not the attachment, grants access.
    user = UserFactory(username="no_role", role="", municipality=municipality, school=school)

    assert not schools_for(user).exists()
    assert not municipalities_for(user).exists()
    assert not manageable_municipalities(user).exists()
    assert can_manage_registry(user) is False


def test_the_anonymous_user_sees_nothing(cast):
    anonymous = AnonymousUser()

    assert not schools_for(anonymous).exists()
    assert not municipalities_for(anonymous).exists()
    assert not manageable_municipalities(anonymous).exists()
    assert can_manage_registry(anonymous) is False


@pytest.mark.parametrize(
    ("role", "missing"),
    [
        (Role.DEPARTMENT, "municipality"),
        (Role.METHODOLOGIST, "municipality"),
        (Role.REGION, "region"),
        (Role.DIRECTOR, "school"),
        (Role.TEACHER, "school"),
    ],
)
def test_a_role_without_its_attachment_sees_nothing(cast, role, missing):
    # Such users fail User.clean(); the scopes must not widen to "everything" if one slips in.
    user = UserFactory(username=f"detached_{role}", role=role)
    assert getattr(user, f"{missing}_id") is None

    assert not schools_for(user).exists()
    assert not municipalities_for(user).exists()
    assert can_manage_registry(user) is False


def test_a_superuser_sees_and_manages_everything(cast):
    operator = UserFactory(username="operator", role="", is_staff=True, is_superuser=True)

    assert _codes(schools_for(operator)) == HOME | FOREIGN
    assert _names(municipalities_for(operator)) == {"Заречный район", "Дальний район"}
    assert _names(manageable_municipalities(operator)) == {"Заречный район", "Дальний район"}
    assert can_manage_registry(operator) is True


def test_an_inactive_superuser_sees_nothing(cast):
    operator = UserFactory(username="operator", role="", is_superuser=True, is_active=False)

    assert not schools_for(operator).exists()
    assert can_manage_registry(operator) is False


def test_director_reads_a_school_only_through_the_school_not_the_municipality(cast, municipality, other_school):
    # A director attached by mistake to a municipality too still reads only their own school.
    director = cast["director"]
    director.municipality = municipality

    assert _codes(schools_for(director)) == CURATED
