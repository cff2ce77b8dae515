"""Every URL × every actor: the status of a GET, and nothing of another scope leaks.

The expected statuses live in tests/permission_matrix.py. A URL pattern without an
entry there fails ``test_every_url_pattern_has_a_row_in_the_matrix``.
"""

from __future__ import annotations

import io
import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from accounts.models import Role
from schools.models import RegistryImport
from tests.factories import UserFactory
from tests.permission_matrix import ACTORS, FOREIGN, HOME, LOGIN, MATRIX, RULE_NAMESPACES

# Markers of each side's data: seeing one of them on the other side's page is a leak.
HOME_MARKERS = ("edu980001", "edu980002", "МБОУ СОШ № 1", "МБОУ Берёзовская ООШ", "Заречный район")
FOREIGN_MARKERS = ("edu970001", "МБОУ Дальняя СОШ", "Дальний район")


# --- Walking the URLconf ------------------------------------------------------------------


def walk_patterns(patterns=None, namespaces=(), prefix=()):
    """Yield (qualified name or None, namespaces, route pieces) for every leaf pattern."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk_patterns(entry.url_patterns, inner, (*prefix, entry.pattern))
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            yield name, namespaces, (*prefix, entry.pattern)


_SAMPLES = {"app_label": "schools", "url": "no-such-page/"}


def example_path(pieces) -> str:
    """A concrete path for a pattern, converters filled with harmless samples."""
    parts = []
    for piece in pieces:
        if isinstance(piece, RoutePattern):
            parts.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: _SAMPLES.get(m[1], "1"), str(piece)))
        elif isinstance(piece, RegexPattern):
            text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: _SAMPLES.get(m[1], "1"), str(piece))
            parts.append(text.lstrip("^").rstrip("$").replace("\\", ""))
        else:  # LocalePrefixPattern and friends: not used by the project yet
            raise AssertionError(f"teach example_path() about {type(piece).__name__}")
    return "/" + "".join(parts)


def _covered_by_rule(namespaces) -> bool:
    return bool(namespaces) and namespaces[0] in RULE_NAMESPACES


def test_every_url_pattern_has_a_row_in_the_matrix():
    missing, unnamed = [], []
    for name, namespaces, pieces in walk_patterns():
        if _covered_by_rule(namespaces):
            continue
        if name is None:
            unnamed.append(example_path(pieces))
        elif name not in MATRIX:
            missing.append(name)
    assert not unnamed, f"URL patterns without a name cannot be put in the matrix: {unnamed}"
    assert not missing, f"add these URLs to tests/permission_matrix.py: {sorted(missing)}"


def test_the_matrix_has_no_rows_for_urls_that_are_gone():
    names = {name for name, _, _ in walk_patterns() if name}
    assert sorted(set(MATRIX) - names) == []


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_every_row_names_every_actor(url_name):
    for case in MATRIX[url_name]:
        assert set(case.expected) == set(ACTORS), f"{url_name} [{case.target}]"


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_no_row_lets_anybody_see_the_other_sides_objects(url_name):
    """The outsider never reads a home object, and nobody at home reads a foreign one."""
    for case in MATRIX[url_name]:
        if case.scope == HOME:
            assert case.expected["outsider"] in (403, 404, LOGIN), f"{url_name} [{case.target}]"
        elif case.scope == FOREIGN:
            for actor in ACTORS:
                if actor not in ("outsider", "anonymous"):
                    assert case.expected[actor] in (403, 404), f"{url_name} [{case.target}] {actor}"


# --- The world every request runs against ---------------------------------------------------


@pytest.fixture
def world(cast, school, other_school, foreign_school):
    department, outsider = cast["department"], cast["outsider"]
    return SimpleNamespace(
        school=school,
        other_school=other_school,
        foreign_school=foreign_school,
        department_import=RegistryImport.objects.create(
            uploaded_by=department,
            municipality=department.municipality,
            original_name="reestr.xlsx",
            sha256="0" * 64,
        ),
        outsider_import=RegistryImport.objects.create(
            uploaded_by=outsider,
            municipality=outsider.municipality,
            original_name="dalniy.xlsx",
            sha256="1" * 64,
        ),
        users=cast,
    )


def _login_as(client, world, actor: str) -> None:
    if actor != "anonymous":
        client.force_login(world.users[actor])


def _matrix_params() -> list:
    return [
        pytest.param(
            url_name, case, actor, id=f"{url_name}[{case.target}]-{actor}" if case.target else f"{url_name}-{actor}"
        )
        for url_name in sorted(MATRIX)
        for case in MATRIX[url_name]
        for actor in ACTORS
    ]


def _leak_markers(actor: str) -> tuple[str, ...]:
    """What must not appear on a page the actor gets (anonymous pages are checked by status only)."""
    if actor == "outsider":
        return HOME_MARKERS
    if actor != "anonymous":
        return FOREIGN_MARKERS
    return ()


@pytest.mark.parametrize(("url_name", "case", "actor"), _matrix_params())
def test_get_answers_each_actor_as_the_matrix_says(client, world, url_name, case, actor):
    _login_as(client, world, actor)
    url = reverse(url_name, kwargs=case.kwargs(world))

    response = client.get(url)

    expected = case.expected[actor]
    if expected == LOGIN:
        assert response.status_code == 302, f"{url}: {response.status_code}"
        location = urlsplit(response["Location"])
        assert location.path == reverse(settings.LOGIN_URL)
        assert parse_qs(location.query)["next"] == [url]
    else:
        assert response.status_code == expected, f"{url} as {actor}: {response.status_code}"
    content_type = response.get("Content-Type", "")
    if response.status_code == 200 and content_type.startswith(("text/", "application/json")):
        body = response.content.decode()
        leaked = [marker for marker in _leak_markers(actor) if marker in body]
        assert not leaked, f"{url} shows {actor} another municipality's data: {leaked}"


# --- Content scoping of list pages ------------------------------------------------------------


def test_outsiders_registry_lists_only_their_own_schools(client, cast):
    client.force_login(cast["outsider"])

    body = client.get(reverse("schools:list")).content.decode()

    assert "МБОУ Дальняя СОШ" in body
    assert "МБОУ СОШ № 1" not in body
    assert "МБОУ Берёзовская ООШ" not in body


def test_departments_registry_lists_its_municipality_and_nothing_foreign(client, cast):
    client.force_login(cast["department"])

    body = client.get(reverse("schools:list")).content.decode()

    assert "МБОУ СОШ № 1" in body
    assert "МБОУ Берёзовская ООШ" in body
    assert "МБОУ Дальняя СОШ" not in body


def test_regions_registry_stops_at_the_region_border(client, cast):
    client.force_login(cast["region"])

    body = client.get(reverse("schools:list")).content.decode()

    assert "МБОУ СОШ № 1" in body
    assert "МБОУ Дальняя СОШ" not in body


@pytest.mark.parametrize("actor", ["curator", "director", "teacher"])
def test_school_level_actors_list_only_their_school(client, cast, actor):
    client.force_login(cast[actor])

    body = client.get(reverse("schools:list")).content.decode()

    assert "МБОУ СОШ № 1" in body
    assert "МБОУ Берёзовская ООШ" not in body
    assert "МБОУ Дальняя СОШ" not in body


@pytest.mark.parametrize(
    ("actor", "shown", "hidden"), [("department", "edu980001", "edu970001"), ("outsider", "edu970001", "edu980001")]
)
def test_htmx_fragment_of_the_registry_is_scoped_like_the_page(client, cast, actor, shown, hidden):
    client.force_login(cast[actor])

    response = client.get(reverse("schools:list"), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert 'id="registry-count"' in body
    assert "navbar" not in body  # the fragment, not the whole page
    assert shown in body
    assert hidden not in body


def _export_codes(content: bytes) -> set[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return {row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row and row[0]}


@pytest.mark.parametrize(
    ("actor", "codes"),
    [
        ("department", {"edu980001", "edu980002"}),
        ("region", {"edu980001", "edu980002"}),
        ("methodologist", {"edu980001", "edu980002"}),
        ("curator", {"edu980001"}),
        ("director", {"edu980001"}),
        ("teacher", {"edu980001"}),
        ("outsider", {"edu970001"}),
    ],
)
def test_export_holds_exactly_the_actors_schools(client, cast, actor, codes, django_capture_on_commit_callbacks):
    from reports.tests.registry import registry_xlsx

    client.force_login(cast[actor])

    content = registry_xlsx(client, django_capture_on_commit_callbacks)

    assert _export_codes(content) == codes


def test_a_user_without_a_role_lists_no_schools(client, cast):
    client.force_login(UserFactory(username="nobody", role=""))

    response = client.get(reverse("schools:list"))

    assert response.status_code == 200
    assert "МБОУ СОШ № 1" not in response.content.decode()


# --- Django admin: one rule for the whole namespace --------------------------------------------


def _admin_paths() -> list[tuple[str | None, str]]:
    return [
        (name, example_path(pieces))
        for name, namespaces, pieces in walk_patterns()
        if namespaces and namespaces[0] == "admin"
    ]


@pytest.mark.parametrize("actor", ACTORS)
def test_admin_is_closed_to_everyone_but_staff(client, world, actor):
    """Non-staff get the admin login form and nothing else: every other admin URL redirects."""
    _login_as(client, world, actor)
    login_path = reverse("admin:login")
    wrong = []
    for name, path in _admin_paths():
        response = client.get(path)
        location = urlsplit(response.get("Location", "")).path
        if name == "admin:login":
            ok = response.status_code == 200
        elif name == "admin:logout":
            ok = response.status_code == 302 and location == reverse("admin:index")
        else:
            ok = response.status_code == 302 and location == login_path
        if not ok:
            wrong.append(f"{path} ({name}): {response.status_code} {location}")
    assert len(_admin_paths()) > 20  # the walk did reach the model admins
    assert not wrong, "\n".join(wrong)


def test_admin_opens_for_a_superuser(client, db):
    client.force_login(UserFactory(username="operator", role=Role.REGION, is_staff=True, is_superuser=True))

    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:schools_school_changelist")).status_code == 200
