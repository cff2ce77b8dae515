"""Whose this app's rows are in a municipality's export (schools.municipal_export).

Lookups that end at the owning municipality's id, for the models where the discovered chains
disagree or all run through a user: one owner per row.
"""

OWNERS: dict[str, tuple[str, ...]] = {
    "teachers.Diagnosis": ("teacher__school__municipality",),
    "teachers.Deficit": ("teacher__school__municipality",),
    "teachers.Route": ("teacher__school__municipality",),
    "teachers.RouteGoal": ("route__teacher__school__municipality",),
    "teachers.RouteStep": ("route__teacher__school__municipality",),
    # Mentoring supports the mentee: their school's municipality keeps the pair.
    "teachers.Mentorship": ("mentee__school__municipality",),
    "teachers.MentoringMeeting": ("mentorship__mentee__school__municipality",),
}
