"""Rows of the role × URL permission matrix for the monitoring URLs added after phase 1.

The phase-1 rows (import list, upload, job pages) stay in tests/permission_matrix.py.
"""

from tests.permission_matrix import LOGIN, RESULTS_UPLOADER, Case, expect

ROWS = {
    # Templates of the canonical layouts: whoever may upload; an unknown kind is 404 for them.
    "monitoring:import_template_of": [
        Case(RESULTS_UPLOADER, target="aggregates", kwargs=lambda world: {"kind": "aggregates"}),
        Case(RESULTS_UPLOADER, target="context", kwargs=lambda world: {"kind": "context"}),
        Case(
            expect(
                anonymous=LOGIN,
                department=404,
                region=403,
                methodologist=403,
                curator=403,
                director=404,
                teacher=403,
                outsider=404,
            ),
            target="unknown_kind",
            kwargs=lambda world: {"kind": "passport-data"},
        ),
    ],
}
