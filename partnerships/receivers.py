"""partnerships' answers to what identification asks (identification/hooks.py)."""

from partnerships.selectors import schools_with_active_partner


def programme_measure(sender, signal=None, *, school_ids, year, **_) -> tuple[str, set[int]]:
    return "with_partner", schools_with_active_partner(school_ids=school_ids)
