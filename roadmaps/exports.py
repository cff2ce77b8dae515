"""Whose this app's rows are in a municipality's export (schools.municipal_export).

Lookups that end at the owning municipality's id, for the models where the discovered chains
disagree or all run through a user: one owner per row.
"""

OWNERS: dict[str, tuple[str, ...]] = {
    "roadmaps.Roadmap": ("municipality",),
    "roadmaps.HistoricalRoadmap": ("municipality",),
    "roadmaps.Objective": ("roadmap__municipality",),
    "roadmaps.HistoricalObjective": ("roadmap__municipality",),
    "roadmaps.Measure": ("roadmap__municipality",),
    "roadmaps.HistoricalMeasure": ("roadmap__municipality",),
    "roadmaps.ProgressReport": ("roadmap__municipality",),
    "roadmaps.MeasureProgress": ("report__roadmap__municipality",),
    # Beyond MAX_DEPTH: the evidence of a progress report is its roadmap's.
    "roadmaps.Evidence": ("item__report__roadmap__municipality",),
    "roadmaps.ReviewComment": ("report__roadmap__municipality",),
    # A curator's confirmed rating of an objective in a period's report.
    "roadmaps.ObjectiveRating": ("report__roadmap__municipality",),
    # An escalation step is the period's (its school is the same municipality's).
    "roadmaps.EscalationStep": ("period__municipality",),
    "roadmaps.MeasureEscalationStep": ("measure__roadmap__municipality",),
}
