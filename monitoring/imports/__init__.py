"""The results import, in stages (STYLE.md, after pretix's modelimport).

``store``      results_import_create: the upload is checked, stored under a name of our own
               and its processing queued after commit;
``pipeline``   results_import_run: the worker claims the job (a conditional update, safe to
               run twice) and runs the stages below, then records the outcome;
``detect``     which layout the file is, read from its header (monitoring.formats.headers);
``parse``      the layout's parser (monitoring.formats) turns the sheets into rows;
``validate``   every row against the database: schools, the job's scope, duplicates;
``write``      only when every row is good, everything in one transaction
               (``write_copy``: PostgreSQL's set-based COPY path, SQL text in ``sql``);
``finish``     the job's outcome, errors and audit entry;
``retention``  the stored upload is deleted when the job ends (personal data), and purged
               after UPLOAD_RETENTION_DAYS whatever happened.

Around them: ``permissions`` (who may upload or roll back), ``sweep`` (jobs a dead worker or
a lost message left behind), ``rollback`` (undo a finished job exactly).

Replacement and rollback are described in monitoring.models: rows are never overwritten,
the replaced ones are marked with the replacing job, so a rollback restores them exactly.
The package's names below are what other code calls; the stage modules are its inside.
"""

from monitoring.imports.finish import LoadOutcome
from monitoring.imports.permissions import ImportRefused, can_roll_back_results, can_upload_results
from monitoring.imports.pipeline import results_import_run, results_import_sheets, results_load
from monitoring.imports.retention import results_uploads_purge
from monitoring.imports.rollback import import_job_rollback
from monitoring.imports.store import results_import_create
from monitoring.imports.sweep import results_imports_requeue_stale

__all__ = [
    "ImportRefused",
    "LoadOutcome",
    "can_roll_back_results",
    "can_upload_results",
    "import_job_rollback",
    "results_import_create",
    "results_import_run",
    "results_import_sheets",
    "results_imports_requeue_stale",
    "results_load",
    "results_uploads_purge",
]
