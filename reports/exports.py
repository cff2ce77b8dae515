"""Whose this app's rows are in a municipality's export (schools.municipal_export).

Lookups that end at the owning municipality's id, for the models where the discovered chains
disagree or all run through a user: one owner per row.
"""

OWNERS: dict[str, tuple[str, ...]] = {
    # Report orders are their requester's: a department's or a school's user.
    "reports.ReportRequest": ("requested_by__municipality", "requested_by__school__municipality"),
    "reports.Snapshot": ("roadmap__municipality",),
}
