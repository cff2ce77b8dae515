"""Whose this app's rows are in a municipality's export (schools.municipal_export).

Lookups that end at the owning municipality's id, for the models where the discovered chains
disagree or all run through a user: one owner per row.
"""

OWNERS: dict[str, tuple[str, ...]] = {
    "partnerships.PartnerCandidate": ("municipality",),
    # The supported school's municipality keeps the agreement, whoever the partner is.
    "partnerships.Agreement": ("municipality",),
    "partnerships.AgreementEvent": ("agreement__municipality",),
}
