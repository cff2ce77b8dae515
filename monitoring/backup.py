"""What core.backup leaves out of a backup for this app (core.extensions)."""

# Import uploads: read once by the worker, then deleted (DESIGN.md: participants' names never in backups).
TRANSIENT_UPLOAD_DIRS = frozenset({"result_imports"})
