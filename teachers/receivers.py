"""teachers' answers to what events announces (events/hooks.py) and identification asks
(identification/hooks.py): one call each."""

from teachers.selectors import schools_with_course_done
from teachers.services import route_steps_complete_from_attendance, route_steps_complete_from_course


def route_steps_after_attendance(sender, signal=None, **fields) -> None:
    route_steps_complete_from_attendance(**fields)


def route_steps_after_course(sender, signal=None, **fields) -> None:
    route_steps_complete_from_course(**fields)


def programme_measure(sender, signal=None, *, school_ids, year, **_) -> tuple[str, set[int]]:
    return "with_kpk", schools_with_course_done(school_ids=school_ids, year=year)
