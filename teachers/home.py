"""teachers' block of the home pages (core.extensions.HomeBlock; portal.views.home)."""

from __future__ import annotations

from core.extensions import HomeBlock
from schools.models import AcademicYear
from schools.scopes import schools_for
from teachers import selectors


def _figures(request, page: dict) -> dict:
    """The municipality's teacher figures (no names, so every reader of the schools sees them)."""
    user = request.user
    year = AcademicYear.current()
    return {
        "year": year,
        "figures": selectors.teacher_figures(schools=schools_for(user), year=year),
        "may_read_names": selectors.may_read_names(user),
    }


BLOCKS = [
    HomeBlock(pages=("department",), slot="cards", template="teachers/_home_card.html", data=_figures),
]
