"""What the methodological centre's work announces to the apps above it (tests/test_architecture.py).

The teachers app listens (teachers/apps.py): a teacher's route (ИОМ) steps linked to an event
or a course fill in by themselves. Sent inside the writing transaction, so a listener's
writes land with the attendance or not at all.
"""

from django.dispatch import Signal

# A person's attendance of an event changed. Keyword arguments: event_id, attended, user_id,
# email, school_id, on (the event's day).
attendance_changed = Signal()
# A listener completed a programme (КПК). Keyword arguments: programme_id, completed, email,
# school_id, on (the day of completion).
course_completed = Signal()
