"""identification's blocks of the home pages (core.extensions.HomeBlock; portal.views.home)."""

from __future__ import annotations

from core.extensions import HomeBlock
from identification.selectors import import_changes, municipal_dashboard, statuses_of
from schools.models import AcademicYear
from schools.scopes import municipalities_for


def _import_changes(request, page: dict) -> dict:
    return {"import_changes": import_changes(municipalities=municipalities_for(request.user))}


def _support_lists(request, page: dict) -> dict:
    dashboard = municipal_dashboard(municipalities=municipalities_for(request.user))
    return {"identification": {"latest": (dashboard["years"] or [None])[-1], "pending": dashboard["pending"]}}


def _school_statuses(request, page: dict) -> dict:
    statuses = statuses_of(school=page["school"]).filter(year=AcademicYear.current(), revoked_at=None)
    return {"school": page["school"], "statuses": statuses}


BLOCKS = [
    # «Что изменилось» after the latest import, above the department's figures.
    HomeBlock(
        pages=("department",), slot="notices", template="identification/_import_changes.html", data=_import_changes
    ),
    HomeBlock(pages=("department",), slot="cards", template="identification/_home_card.html", data=_support_lists),
    # The school's statuses of the current year, under its name.
    HomeBlock(pages=("school",), slot="notices", template="identification/_home_statuses.html", data=_school_statuses),
]
