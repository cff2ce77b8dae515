"""analytics' part of the indicator recompute (core.extensions: ``<app>.figures``)."""

from __future__ import annotations

from analytics.aggregates import task_figures_recompute


def figures_recompute(*, school_ids: list[int] | None, year_ids: list[int] | None) -> None:
    task_figures_recompute(school_ids=school_ids, year_ids=year_ids)
