"""htmx fragments and file downloads hold the same scope as their pages.

A fragment is served on its page's URL when the request carries HX-Request, so the matrix's
plain GET does not reach its code path: each such row is replayed here as an htmx request.
File downloads must have a HOME and a FOREIGN case, so a cross-municipality leak is caught.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.permission_matrix import ACTORS, FOREIGN, HOME, LOGIN, MATRIX
from tests.test_permission_matrix import _login_as, world  # noqa: F401 - the matrix's world fixture

# URLs whose view answers an htmx request with a partial template (request.htmx).
FRAGMENT_URLS = (
    "schools:list",
    "schools:import_detail",
    "monitoring:import_detail",
    "identification:recompute_detail",
    "identification:run_detail",
    "risks:recompute_status",
    "roadmaps:objective_add",
    "roadmaps:measure_add",
    "reports:municipal_export",
)
# URLs that hand out a stored file or a generated document about one object.
FILE_URLS = (
    "roadmaps:evidence",
    "partnerships:agreement_scan",
    "events:material",
    "events:practice_file",
    "events:page_file",
    "events:staff_certificate",
    "monitoring:import_errors",
    "reports:municipal_export_download",
)


@pytest.mark.parametrize("url_name", FRAGMENT_URLS[1:] + FILE_URLS)
def test_every_fragment_and_file_url_has_a_home_and_a_foreign_case(url_name):
    scopes = {case.scope for case in MATRIX[url_name]}
    assert {HOME, FOREIGN} <= scopes, f"{url_name}: {sorted(s for s in scopes if s)}"


def _params() -> list:
    return [
        pytest.param(url_name, case, actor, id=f"{url_name}[{case.target}]-{actor}")
        for url_name in FRAGMENT_URLS
        for case in MATRIX[url_name]
        for actor in ACTORS
    ]


@pytest.mark.parametrize(("url_name", "case", "actor"), _params())
def test_an_htmx_fragment_answers_each_actor_as_its_page_does(client, world, url_name, case, actor):  # noqa: F811
    _login_as(client, world, actor)
    url = reverse(url_name, kwargs=case.kwargs(world))

    response = client.get(url, headers={"HX-Request": "true"})

    expected = case.expected[actor]
    if expected == LOGIN:
        assert response.status_code == 302, f"{url}: {response.status_code}"
    else:
        assert response.status_code == expected, f"{url} (htmx) as {actor}: {response.status_code}"
