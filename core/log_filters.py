"""Logging filters (wired in config.settings.LOGGING)."""

from __future__ import annotations

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """An ordinary 403 (a role without the right, an object outside one's scope) is expected
    traffic, not an error: Django logs it with the PermissionDenied traceback attached, fifteen
    lines per refusal in the console. Keep the one line «Forbidden (Permission denied): /path»."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
