"""Where the feature apps plug into the shared pages, seed and tests.

Each feature app may provide, by convention, modules that the shared code looks for:

* ``<app>.navigation`` with ``nav_items(user) -> list[tuple[label, url, icon]]`` — entries
  of the main menu (portal.context_processors.navigation);
* ``<app>.demo`` with ``demo_seed() -> str`` — adds the app's part of the demo district,
  deterministic and idempotent, and returns one Russian line for ``seed_demo``'s report
  (``DEMO_OPTIONS`` below carries the command's options, such as ``--years``);
* ``<app>.tests.matrix`` with ``ROWS: dict[str, list[Case]]`` — the app's rows of the
  role × URL permission matrix (tests/permission_matrix.py);
* ``<app>.figures`` with ``figures_recompute(*, school_ids, year_ids)`` — figures the app
  derives from the results, recomputed in the same job as the indicators
  (identification.indicators.indicators_recompute), e.g. the per-task figures of analytics.

Every local app (``LOCAL_APPS``, lowest layer first) may also provide:

* ``<app>.audit_actions`` with ``ACTIONS: dict[str, str]`` — the codes of the audit log entries
  the app writes, with the words the department reads (core.audit collects them);
* ``<app>.exports`` with ``OWNERS`` — whose the app's rows are in a municipality's export
  (schools.municipal_export);
* ``<app>.backup`` with ``TRANSIENT_UPLOAD_DIRS`` — media folders a backup leaves out (core.backup);
* ``<app>.home`` with ``BLOCKS: list[HomeBlock]`` — the app's blocks of the per-role home pages
  (portal.views.home renders them in their slots, apps in LOCAL_APPS order);
* ``<app>.registry_filters`` with ``FILTERS: dict[str, () -> Filter]`` — filters of the registry's
  school list (schools.filters).

Shared code in ``core`` never imports an app above it (tests/test_architecture.py): what it
needs from the apps, it finds through these modules.

The order of FEATURE_APPS is the order of the data flow (DESIGN.md §4): the demo of a later
app may rely on an earlier one's.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from django.http import HttpRequest

# Options of the running ``seed_demo`` that feature demos may read, e.g. ``years`` (how many
# academic years of results, ``seed_demo --years N``). Empty when a demo is seeded otherwise.
DEMO_OPTIONS: dict[str, object] = {}

FEATURE_APPS = (
    "people",
    "monitoring",
    "identification",
    "risks",
    "roadmaps",
    "partnerships",
    "events",
    "teachers",
    "analytics",
    "reports",
)
# Every app of ours, lowest layer first (the order tests/test_architecture.py enforces).
LOCAL_APPS = ("core", "accounts", "schools", *FEATURE_APPS)


def feature_modules(name: str) -> list[ModuleType]:
    """``<app>.<name>`` of every feature app that has one, in FEATURE_APPS order."""
    return _modules(FEATURE_APPS, name)


def app_modules(name: str) -> list[ModuleType]:
    """``<app>.<name>`` of every app above core that has one, lowest layer first (LOCAL_APPS).

    Core itself is not asked: its modules of the same names (core.audit, core.backup) are the
    ones that collect.
    """
    return _modules(LOCAL_APPS[1:], name)


def _modules(apps: tuple[str, ...], name: str) -> list[ModuleType]:
    modules = []
    for app in apps:
        dotted = f"{app}.{name}"
        try:
            modules.append(importlib.import_module(dotted))
        except ModuleNotFoundError as exc:
            # Only a missing module is skipped; an import error inside one must surface.
            if exc.name not in (app, dotted, *(f"{app}.{part}" for part in name.split(".")[:-1])):
                raise
    return modules


# The home pages (portal.views.home): one per role, each with its slots.
HOME_PAGES = ("region", "department", "methodologist", "curator", "school")
# «notices» stand above the page's own figures, «wide» span the page after them, «cards» fill the
# grid of half-width cards.
HOME_SLOTS = ("notices", "wide", "cards")


@dataclass(frozen=True)
class HomeBlock:
    """A block an app puts on home pages: ``template`` rendered with ``data(request, page)``,
    where ``page`` is what the portal's page itself holds (e.g. ``school`` on the school's page).

    ``data`` runs only for the pages the block is on, with the user's scope applied by the app.
    """

    pages: tuple[str, ...]
    slot: str
    template: str
    data: Callable[[HttpRequest, dict], dict]

    def __post_init__(self) -> None:
        if not set(self.pages) <= set(HOME_PAGES) or self.slot not in HOME_SLOTS:
            raise ValueError(f"home block {self.template}: pages {self.pages}, slot {self.slot!r}")
