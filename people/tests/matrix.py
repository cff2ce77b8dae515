"""Rows of the role × URL permission matrix for the people pages (tests/permission_matrix.py).

The department manages its municipality's accounts below it (methodologists, curators,
directors, teachers); the region manages departments and regional staff. Everybody else
gets 403; an account outside the manager's territory or role is 404 (the scoped fetch).
The outsider is a department elsewhere: served on pages without an object.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.permission_matrix import FOREIGN, HOME, LOGIN, Case, World, everyone, expect

MANAGERS = expect(
    anonymous=LOGIN,
    department=200,
    region=200,
    methodologist=403,
    curator=403,
    director=403,
    teacher=403,
    outsider=200,
)
# Directors and curators are the department's to manage, not the region's.
DEPARTMENTS = expect(
    anonymous=LOGIN,
    department=200,
    region=403,
    methodologist=403,
    curator=403,
    director=403,
    teacher=403,
    outsider=200,
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


def _foreign_director(world: World):
    from accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(username="foreign-director", role=Role.DIRECTOR, school=world.foreign_school)


def person(name: str) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        if name == "foreign_director":
            return {"pk": _foreign_director(world).pk}
        return {"pk": world.users[name].pk}

    return kwargs


def _person_cases(*, get_status: dict | None = None) -> list[Case]:
    """The three accounts every person URL is asked about."""
    if get_status is not None:
        # POST-only: a GET is refused before any fetch, whoever asks about whomever.
        return [Case(get_status, target="director", kwargs=person("director"))]
    return [
        Case(
            expect(
                anonymous=LOGIN,
                department=200,
                region=404,
                methodologist=403,
                curator=403,
                director=403,
                teacher=403,
                outsider=404,
            ),
            target="director",
            kwargs=person("director"),
            scope=HOME,
        ),
        Case(
            expect(
                anonymous=LOGIN,
                department=404,
                region=200,
                methodologist=403,
                curator=403,
                director=403,
                teacher=403,
                outsider=404,
            ),
            target="department",
            kwargs=person("department"),
            scope=HOME,
        ),
        Case(
            expect(
                anonymous=LOGIN,
                department=404,
                region=404,
                methodologist=403,
                curator=403,
                director=403,
                teacher=403,
                outsider=200,
            ),
            target="foreign_director",
            kwargs=person("foreign_director"),
            scope=FOREIGN,
        ),
    ]


ROWS: dict[str, list[Case]] = {
    "people:list": [Case(MANAGERS)],
    "people:invite": [Case(MANAGERS)],
    "people:import": [Case(MANAGERS)],
    "people:import_template": [Case(MANAGERS)],
    "people:directors_bulk": [Case(DEPARTMENTS)],
    "people:curators": [Case(DEPARTMENTS)],
    "people:detail": _person_cases(),
    "people:deactivate": _person_cases(get_status=POST_ONLY),
    "people:reactivate": _person_cases(get_status=POST_ONLY),
    "people:password_reset": _person_cases(get_status=POST_ONLY),
    # A bad link renders «ссылка недействительна»; good and expired links: accounts/tests.
    "people:invitation_accept": [
        Case(everyone(200), target="bad_token", kwargs=lambda world: {"uidb64": "MA", "token": "bad-token"})
    ],
}
