"""roadmaps' block of the home pages (core.extensions.HomeBlock; portal.views.home)."""

from __future__ import annotations

from core.extensions import HomeBlock
from roadmaps import selectors
from roadmaps.models import ProgressReport, Roadmap


def _waiting(request, page: dict) -> dict:
    """What waits for this user (a few counts, scoped)."""
    user = request.user
    roadmaps = selectors.roadmaps_for(user=user)
    reports = selectors.reports_for(user=user)
    return {
        "roadmaps_waiting": roadmaps.filter(status=Roadmap.Status.SUBMITTED).count(),
        "reports_waiting": reports.filter(status=ProgressReport.Status.SUBMITTED).count(),
        "reports_returned": reports.filter(status=ProgressReport.Status.RETURNED).count(),
        "overdue": selectors.overdue_measures(user=user).count(),
    }


BLOCKS = [
    HomeBlock(
        pages=("department", "curator", "school"), slot="wide", template="roadmaps/_home_card.html", data=_waiting
    ),
]
