"""Whose this app's rows are in a municipality's export (schools.municipal_export).

Computed figures belong to the school or municipality they describe; a region's figures are
no one municipality's and are left out. Catalogues and skill tags describe tests and the
centre's offers: a tag is its event's, programme's or practice's municipality's.
"""

OWNERS: dict[str, tuple[str, ...]] = {
    "analytics.TaskResult": ("school__municipality", "municipality"),
    "analytics.MarkResult": ("school__municipality", "municipality"),
    "analytics.SkillTag": ("event__municipality", "programme__municipality", "practice__municipality"),
}
