"""Whose this app's rows are in a municipality's export (schools.municipal_export).

Lookups that end at the owning municipality's id, for the models where the discovered chains
disagree or all run through a user: one owner per row.
"""

OWNERS: dict[str, tuple[str, ...]] = {
    "monitoring.ImportJob": ("municipality", "school__municipality"),
    # Results belong to the school, whoever uploaded them and whichever upload replaced them.
    "monitoring.ParticipantResult": ("school__municipality",),
    "monitoring.SchoolAggregate": ("school__municipality",),
    "monitoring.ContextData": ("school__municipality",),
    # Ф3 rows of areas: the municipality's own row only (the region's and Russia's are no one's).
    "monitoring.AreaMarkStat": ("municipality",),
    # The structure of a test is the same for every school and municipality: no one's to export
    # (its import job is just the file it was last read from).
    "monitoring.AssessmentStructure": (),
    "monitoring.AssessmentTask": (),
}
