"""Every named GET route × every role × hostile values in every query parameter: never a 500.

The walk reuses the permission matrix (tests/permission_matrix.py): its rows name every URL
of the project with real objects for the fixed cast, so each URL is asked about the same
objects the matrix asks about, by every actor the matrix serves a page (200). The world also
holds the results of one ВПР file loaded through the import service, so the analytics,
reports and identification pages read their slice and filter parameters instead of showing
«нет данных».

Which parameters a view reads is found by watching it: while the test runs, every lookup in
a ``QueryDict`` (``get``, ``[]``, ``getlist``, ``in`` — forms bound to ``request.GET`` read
their fields this way) is recorded. The first request without parameters and every hostile
request add to the set, so a parameter read only on a branch a hostile value opens is tried
too; names read through ``.dict()``/iteration are listed in ``KNOWN`` below. Each hostile
vector then sets every known and recorded parameter at once.

A view may answer 200 (the bad value ignored), 400 (a page saying so), 404 (no such slice) or
a redirect; never a 500, and no exception reaches the client. Run it on PostgreSQL too:
``DATABASE_URL=postgres://…`` — PostgreSQL refuses a NUL in a string and integers past 64 bits
where SQLite is lenient.
"""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse

from monitoring import imports as result_imports
from monitoring.models import ImportJob
from monitoring.tests.builders import VprSheet, vpr_f1_xlsx, vpr_row
from tests.permission_matrix import ACTORS, MATRIX
from tests.test_permission_matrix import _login_as, world  # noqa: F401 - the matrix's world fixture

# Names read without a lookup a QueryDict can record (``request.GET.dict()`` as a form's
# initial, ``GET.copy()`` in templates), and the usual ones, so a view that reads a name only
# on a branch no request opened is tried anyway.
KNOWN = (
    "year", "page", "per_page", "q", "sort", "level", "kind", "review", "municipality", "only_high", "m", "role",
    "state", "month", "procedure", "subject", "grade", "school", "status", "saved", "ids", "id", "run", "period",
    "format", "date_from", "date_to", "tab", "order", "type",
)  # fmt: skip

VECTORS = (
    "-1",
    "0",
    "10000",
    "99999999999999999999",
    "abc",
    "NaN",
    "\x00",
    "урок\x00\x01\x1f",
    "x" * 3000,
)


@pytest.fixture
def recorded(monkeypatch):
    """Names looked up in any QueryDict while the fixture is active."""
    names: set[str] = set()
    real_get, real_getitem, real_getlist = QueryDict.get, QueryDict.__getitem__, QueryDict.getlist

    def get(self, key, default=None):
        names.add(key)
        return real_get(self, key, default)

    def getitem(self, key):
        names.add(key)
        return real_getitem(self, key)

    def getlist(self, key, default=None):
        names.add(key)
        return real_getlist(self, key, default)

    def contains(self, key):
        names.add(key)
        return dict.__contains__(self, key)

    monkeypatch.setattr(QueryDict, "get", get)
    monkeypatch.setattr(QueryDict, "__getitem__", getitem)
    monkeypatch.setattr(QueryDict, "getlist", getlist)
    monkeypatch.setattr(QueryDict, "__contains__", contains)
    return names


@pytest.fixture
def seeded(world, django_capture_on_commit_callbacks):  # noqa: F811 - the imported fixture
    """The matrix's world with ВПР results for the home school and the foreign one (through the import)."""
    content = vpr_f1_xlsx(
        VprSheet(
            schools={
                world.school.code: [vpr_row(f"1{n}", primary=3 + n, mark=3 + n % 3) for n in range(4)],
                world.other_school.code: [vpr_row(f"2{n}", primary=2 + n, mark=2 + n % 4) for n in range(3)],
                world.foreign_school.code: [vpr_row(f"3{n}", primary=4 + n, mark=4) for n in range(3)],
            }
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = result_imports.results_import_create(
            user=None, uploaded_file=io.BytesIO(content), original_name="vpr.xlsx"
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    return world


def _served(url_name: str) -> bool:
    return any(200 in case.expected.values() for case in MATRIX[url_name])


def _show(value: str) -> str:
    return repr(value if len(value) < 30 else value[:10] + f"…({len(value)})")


@pytest.mark.parametrize("url_name", [name for name in sorted(MATRIX) if _served(name)])
def test_hostile_query_parameters_never_make_a_server_error(client, seeded, recorded, url_name):
    failures: list[str] = []
    for case in MATRIX[url_name]:
        # Each case's objects as the matrix makes them (its builders may repeat a number), then gone.
        with transaction.atomic():
            _walk_case(client, seeded, recorded, url_name, case, failures)
            transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


def _walk_case(client, seeded, recorded, url_name, case, failures: list[str]) -> None:
    url = reverse(url_name, kwargs=case.kwargs(seeded))
    for actor in ACTORS:
        if case.expected[actor] != 200:
            continue
        client.logout()
        _login_as(client, seeded, actor)
        recorded.clear()
        first = client.get(url)
        assert first.status_code == 200, f"{url} as {actor}: {first.status_code} without parameters"
        for value in VECTORS:
            params = dict.fromkeys(sorted(set(KNOWN) | recorded), value)
            try:
                # A savepoint per request: on PostgreSQL an error aborts the transaction it happened in.
                with transaction.atomic():
                    status = client.get(url, params).status_code
            except Exception as exc:  # the test client re-raises what the view raised
                failures.append(f"{url} as {actor} with {_show(value)}: {type(exc).__name__}: {exc}"[:300])
                continue
            if status >= 500:
                failures.append(f"{url} as {actor} with {_show(value)}: {status}")
