"""Role × URL permission matrix: what every actor gets for a GET of every URL.

DESIGN.md §8: every URL appears here. ``tests/test_permission_matrix.py`` walks the
project's URLconf and fails on a pattern without an entry, so a new view is not done
until its row is written. Admin URLs are covered by one rule (see the test module).

An entry is a list of cases: one per object the URL is asked about (``school``,
``other_school``, …). Each case names every actor explicitly, so a reviewer reads
the whole row. Statuses:

* an int — the response status;
* ``LOGIN`` — 302 to the login page (anonymous users on a login-only page).

``scope`` says whose object the URL addresses: ``HOME`` (the home municipality
«Заречный район») or ``FOREIGN`` (the outsider's «Дальний район»). The test checks
that the outsider never gets a 200 on a HOME object and nobody at home on a FOREIGN one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

ACTORS = ("anonymous", "department", "region", "methodologist", "curator", "director", "teacher", "outsider")

LOGIN = "302 to login"
HOME = "home"
FOREIGN = "foreign"

World = SimpleNamespace  # school, other_school, foreign_school, department_import, outsider_import, users


def expect(
    *,
    anonymous: int | str,
    department: int | str,
    region: int | str,
    methodologist: int | str,
    curator: int | str,
    director: int | str,
    teacher: int | str,
    outsider: int | str,
) -> dict[str, int | str]:
    """One row of the matrix; keyword-only and without defaults so no actor is forgotten."""
    return {
        "anonymous": anonymous,
        "department": department,
        "region": region,
        "methodologist": methodologist,
        "curator": curator,
        "director": director,
        "teacher": teacher,
        "outsider": outsider,
    }


@dataclass(frozen=True)
class Case:
    expected: dict[str, int | str]
    # Short name of the object the URL is asked about; part of the test id.
    target: str = ""
    kwargs: Callable[[World], dict] = field(default=lambda world: {})
    scope: str | None = None


def pk_of(name: str) -> Callable[[World], dict]:
    return lambda world: {"pk": getattr(world, name).pk}


# Every logged-in actor gets a page; anonymous users are sent to log in.
def signed_in(status: int = 200) -> dict[str, int | str]:
    return expect(
        anonymous=LOGIN,
        department=status,
        region=status,
        methodologist=status,
        curator=status,
        director=status,
        teacher=status,
        outsider=status,
    )


def everyone(status: int) -> dict[str, int | str]:
    return dict.fromkeys(ACTORS, status)


# Registry management (create, import) is the department's; the outsider is the
# department of another municipality, so for pages that address no object they are
# served too (with their own municipality).
REGISTRY_MANAGER_ONLY = expect(
    anonymous=LOGIN,
    department=200,
    region=403,
    methodologist=403,
    curator=403,
    director=403,
    teacher=403,
    outsider=200,
)


MATRIX: dict[str, list[Case]] = {
    # --- core -----------------------------------------------------------------------
    "core:public_home": [Case(everyone(200))],
    "core:public_system": [Case(everyone(200))],
    "core:home": [Case(signed_in(200))],
    "core:health": [Case(everyone(200))],
    # The audit log: department and region read their own municipalities' records.
    "core:audit_log": [
        Case(
            expect(
                anonymous=LOGIN,
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
    # --- accounts -----------------------------------------------------------------------
    # LoginView shows the form to a logged-in user too (redirect_authenticated_user is off).
    "accounts:login": [Case(everyone(200))],
    # Logout is POST-only (Django ≥ 5): a GET must not end the session.
    "accounts:logout": [Case(everyone(405))],
    "accounts:password_change": [Case(signed_in(200))],
    "accounts:password_change_done": [Case(signed_in(200))],
    "accounts:password_reset": [Case(everyone(200))],
    "accounts:password_reset_done": [Case(everyone(200))],
    # A bad link renders the «ссылка недействительна» page; a good one is tested in accounts/tests.
    "accounts:password_reset_confirm": [
        Case(everyone(200), target="bad_token", kwargs=lambda world: {"uidb64": "MA", "token": "bad-token"})
    ],
    "accounts:password_reset_complete": [Case(everyone(200))],
    # --- schools --------------------------------------------------------------------------
    # The list answers every logged-in user with their own scope (possibly empty); content
    # scoping is asserted separately in the test module, with the registry export's (a report
    # job, reports:registry_export).
    "schools:list": [Case(signed_in(200))],
    "schools:create": [Case(REGISTRY_MANAGER_ONLY)],
    "schools:detail": [
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
    # The edit view fetches through schools_manageable_by(): roles that may read the
    # school but not manage it get 404, not 403 (see the report of this harness).
    "schools:edit": [
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
            target="school",
            kwargs=pk_of("school"),
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
            target="foreign_school",
            kwargs=pk_of("foreign_school"),
            scope=FOREIGN,
        ),
    ],
    "schools:import": [Case(REGISTRY_MANAGER_ONLY)],
    "schools:import_template": [Case(REGISTRY_MANAGER_ONLY)],
    "schools:import_detail": [
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
            target="department_import",
            kwargs=pk_of("department_import"),
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
            target="outsider_import",
            kwargs=pk_of("outsider_import"),
            scope=FOREIGN,
        ),
    ],
    # The mapping step of a job that waits for no mapping sends its owner back to the job.
    "schools:import_mapping": [
        Case(
            expect(
                anonymous=LOGIN,
                department=302,
                region=403,
                methodologist=403,
                curator=403,
                director=403,
                teacher=403,
                outsider=404,
            ),
            target="department_import",
            kwargs=pk_of("department_import"),
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
                outsider=302,
            ),
            target="outsider_import",
            kwargs=pk_of("outsider_import"),
            scope=FOREIGN,
        ),
    ],
    # Municipalities are kept by the region role (issue 16), not in /admin/.
    "schools:municipalities": [
        Case(
            expect(
                anonymous=LOGIN,
                department=403,
                region=200,
                methodologist=403,
                curator=403,
                director=403,
                teacher=403,
                outsider=403,
            )
        )
    ],
}

# Namespaces covered by a rule in the test module instead of rows here.
RULE_NAMESPACES = ("admin",)


# --- monitoring (results import) ----------------------------------------------------------
# The world has no result-import jobs, so each case makes its own: a job of the home
# department, one of the home director (their school), one of the outsider.


def result_import_of(owner: str) -> Callable[[World], dict]:
    def kwargs(world: World) -> dict:
        from monitoring.models import ImportJob

        user = world.users[owner]
        school = user.school if owner == "director" else None
        job, _ = ImportJob.objects.get_or_create(
            sha256=owner.ljust(64, "0"),
            defaults={
                "uploaded_by": user,
                "municipality_id": school.municipality_id if school else user.municipality_id,
                "school": school,
                "original_name": f"{owner}-vpr.xlsx",
                "status": ImportJob.Status.DONE,
            },
        )
        return {"pk": job.pk}

    return kwargs


# Region (region-wide files), department (their municipality) and director (their own school)
# upload; the outsider is a
# department elsewhere, so they are served too.
RESULTS_UPLOADER = expect(
    anonymous=LOGIN,
    department=200,
    region=200,
    methodologist=403,
    curator=403,
    director=200,
    teacher=403,
    outsider=200,
)


def _result_job_cases(*, home_readers: int = 200) -> list[Case]:
    """Job pages: municipality's jobs for department, methodologist and region; own school's for a director."""
    return [
        Case(
            expect(
                anonymous=LOGIN,
                department=200,
                region=home_readers,
                methodologist=home_readers,
                curator=404,
                director=404,
                teacher=404,
                outsider=404,
            ),
            target="department_result_import",
            kwargs=result_import_of("department"),
            scope=HOME,
        ),
        Case(
            expect(
                anonymous=LOGIN,
                department=200,
                region=home_readers,
                methodologist=home_readers,
                curator=404,
                director=home_readers,
                teacher=404,
                outsider=404,
            ),
            target="director_result_import",
            kwargs=result_import_of("director"),
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
            target="outsider_result_import",
            kwargs=result_import_of("outsider"),
            scope=FOREIGN,
        ),
    ]


MATRIX.update(
    {
        # History answers every logged-in user with their own scope (possibly empty).
        "monitoring:import_list": [Case(signed_in(200))],
        "monitoring:import_upload": [Case(RESULTS_UPLOADER)],
        "monitoring:import_template": [Case(RESULTS_UPLOADER)],
        "monitoring:import_detail": _result_job_cases(),
        "monitoring:import_errors": _result_job_cases(),
        # Rollback is the department's only: readers of the job get 404 from the scoped fetch.
        "monitoring:import_rollback": _result_job_cases(home_readers=404),
    }
)


# --- Rows of the feature apps ------------------------------------------------------------------
# Each feature app keeps its rows in <app>/tests/matrix.py as ``ROWS`` (core.extensions), so a
# new app adds its URLs without editing this file; a URL may have rows in one place only.


def _collect_app_rows() -> None:
    from core.extensions import feature_modules

    for module in feature_modules("tests.matrix"):
        overlap = sorted(MATRIX.keys() & module.ROWS.keys())
        assert not overlap, f"{module.__name__} repeats rows of: {overlap}"
        MATRIX.update(module.ROWS)


_collect_app_rows()
