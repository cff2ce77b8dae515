"""partnerships' block of the home pages (core.extensions.HomeBlock; portal.views.home)."""

from __future__ import annotations

from core.extensions import HomeBlock
from partnerships.selectors import can_manage_agreements, dashboard_figures


def _figures(request, page: dict) -> dict:
    user = request.user
    if not can_manage_agreements(user) or user.municipality is None:
        return {"figures": None}
    return {"figures": dashboard_figures(municipality=user.municipality)}


BLOCKS = [
    HomeBlock(pages=("department",), slot="cards", template="partnerships/_dashboard_card.html", data=_figures),
]
