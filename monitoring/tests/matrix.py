"""Rows of the role × URL permission matrix for the monitoring URLs added after phase 1.

The phase-1 rows (import list, upload, job pages) stay in tests/permission_matrix.py.
"""

from tests.permission_matrix import FOREIGN, HOME, LOGIN, RESULTS_UPLOADER, Case, expect, result_import_of

ROWS = {
    # Templates of the canonical layouts: whoever may upload; an unknown kind is 404 for them.
    "monitoring:import_template_of": [
        Case(RESULTS_UPLOADER, target="aggregates", kwargs=lambda world: {"kind": "aggregates"}),
        Case(RESULTS_UPLOADER, target="context", kwargs=lambda world: {"kind": "context"}),
        Case(
            expect(
                anonymous=LOGIN,
                department=404,
                region=404,
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
    # The matching step of a parked import: its uploader or the job's department; those who only
    # read the job (region, methodologist) may not settle names.
    "monitoring:import_matching": [
        Case(
            expect(anonymous=LOGIN, department=200, region=403, methodologist=403, curator=404, director=404,
                   teacher=404, outsider=404),
            target="department_result_import", kwargs=result_import_of("department"), scope=HOME,
        ),
        Case(
            expect(anonymous=LOGIN, department=200, region=403, methodologist=403, curator=404, director=200,
                   teacher=404, outsider=404),
            target="director_result_import", kwargs=result_import_of("director"), scope=HOME,
        ),
        Case(
            expect(anonymous=LOGIN, department=404, region=404, methodologist=404, curator=404, director=404,
                   teacher=404, outsider=200),
            target="outsider_result_import", kwargs=result_import_of("outsider"), scope=FOREIGN,
        ),
    ],
}  # fmt: skip
