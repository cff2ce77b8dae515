"""Whose this app's rows are in a municipality's export (schools.municipal_export).

Lookups that end at the owning municipality's id, for the models where the discovered chains
disagree or all run through a user: one owner per row.
"""

OWNERS: dict[str, tuple[str, ...]] = {
    "events.Event": ("municipality",),
    # A registration (and its feedback, an enrolment) is the list of the organiser's event.
    "events.Registration": ("event__municipality",),
    "events.Feedback": ("registration__event__municipality",),
    "events.Letter": ("registration__event__municipality",),
    "events.EventMaterial": ("event__municipality",),
    "events.Enrolment": ("programme__municipality",),
    "events.Association": ("municipality",),
    "events.Practice": ("municipality",),
    "events.PracticeFile": ("practice__municipality",),
}
