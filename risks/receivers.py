"""risks' answers to what identification announces and asks (identification/hooks.py): one call each."""

from risks.selectors import signals_since
from risks.services import recompute_jobs_after_import


def recompute_after_import(sender, signal=None, *, recompute, municipality_years, **_) -> list[int]:
    return recompute_jobs_after_import(municipality_years=municipality_years)


def new_signals(sender, signal=None, *, municipalities, year_ids, since, **_) -> tuple[str, list]:
    return "signals", signals_since(municipalities=municipalities, year_ids=year_ids, since=since)
