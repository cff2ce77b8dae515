"""One error for every refusal of a domain rule (after HackSoftware's Styleguide ``ApplicationError``).

A service raises ``ApplicationError`` (or a subclass that names the domain) with a Russian
``message`` the view shows as it is, and ``extra`` for what a page or test needs besides
(row errors, an id). The messages are module constants next to the service that raises them,
so tests import the constant instead of matching a substring. A view that does not care which
domain refused catches ``ApplicationError``.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule refused the action; ``message`` is for the user, in Russian."""

    message: str = ""

    def __init__(self, message: str | None = None, extra: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if message is not None:
            self.message = message
        self.extra = extra or {}
        # Keyword arguments go to a second base (Django's ValidationError takes code=…).
        super().__init__(self.message, **kwargs)
