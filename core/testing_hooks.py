"""Test-only hooks read from the environment; unset in production, where they do nothing.

``OPORA_TEST_PAUSE_BEFORE_COMMIT=<seconds>``: an import sleeps that long inside its write
transaction, after writing every row and before the commit, so the fault tests
(tests/integration/test_faults.py) can kill the worker at the worst moment. Never set it
on a real server: each import would hold its transaction open for that long.
"""

from __future__ import annotations

import logging
import os
import time

logger = logging.getLogger(__name__)

PAUSE_BEFORE_COMMIT = "OPORA_TEST_PAUSE_BEFORE_COMMIT"


def pause_before_commit(what: str) -> None:
    raw = os.environ.get(PAUSE_BEFORE_COMMIT, "")
    if not raw:
        return
    seconds = float(raw)
    logger.warning("%s: %s pauses %.0f s before its commit", PAUSE_BEFORE_COMMIT, what, seconds)
    time.sleep(seconds)
