"""teachers' answers to what events announces (events/hooks.py): one service call each."""

from teachers.services import route_steps_complete_from_attendance, route_steps_complete_from_course


def route_steps_after_attendance(sender, signal=None, **fields) -> None:
    route_steps_complete_from_attendance(**fields)


def route_steps_after_course(sender, signal=None, **fields) -> None:
    route_steps_complete_from_course(**fields)
