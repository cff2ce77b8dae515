"""roadmaps' answers to what identification asks (identification/hooks.py)."""

from roadmaps.selectors import schools_with_programme


def programme_measure(sender, signal=None, *, school_ids, year, **_) -> tuple[str, set[int]]:
    return "with_programme", schools_with_programme(school_ids=school_ids)
