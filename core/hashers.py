"""Django's PBKDF2 password hasher, run at the lowest CPU priority (issue #20).

A login costs about 0.3–0.4 CPU-seconds of PBKDF2 (Django's default iterations; kept —
security first). On a small server a burst of logins (people coming to work at nine) took
every core, and page requests waited seconds behind them. This hasher computes exactly
what ``django.contrib.auth.hashers.PBKDF2PasswordHasher`` computes (same algorithm name,
iterations and output, so stored passwords stay valid either way), but in a worker thread
whose nice value is 19: on Linux a thread's priority is its own, and hashlib releases the
GIL while it hashes, so the kernel gives the CPU to page requests first and to logins with
what is left. A login is slower while pages are busy; a page is not slowed by logins.
Where threads cannot be reniced (not Linux), the hash runs as before.
"""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.hashers import PBKDF2PasswordHasher

NICE = 19
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None


def _lower_priority() -> None:
    # Not Linux, or not allowed: the hash runs at the normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)


def _pool() -> ThreadPoolExecutor:
    """One pool per process (gunicorn forks workers after import: a pool is never inherited)."""
    global _executor, _executor_pid
    with _lock:
        if _executor is None or _executor_pid != os.getpid():
            _executor = ThreadPoolExecutor(
                max_workers=os.cpu_count() or 1, thread_name_prefix="pbkdf2", initializer=_lower_priority
            )
            _executor_pid = os.getpid()
        return _executor


class LowPriorityPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """``pbkdf2_sha256`` exactly as Django computes it, at nice 19 (see the module docstring)."""

    def encode(self, password, salt, iterations=None):
        return _pool().submit(super().encode, password, salt, iterations).result()
