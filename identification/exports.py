"""Whose this app's rows are in a municipality's export (schools.municipal_export).

Lookups that end at the owning municipality's id, for the models where the discovered chains
disagree or all run through a user: one owner per row.
"""

OWNERS: dict[str, tuple[str, ...]] = {
    "identification.SchoolStatus": ("school__municipality",),
    "identification.IndicatorRecompute": ("municipality",),
    "identification.IdentificationRun": ("municipality",),
    "identification.RunResult": ("run__municipality",),
    "identification.Decision": ("municipality",),
}
