"""What follows an import: the one place that says which work the data's change sets off.

Every way data come in — the upload page, ``manage.py import_results``, a region-wide file, a
rollback — ends in the import's registered follow-ups (``monitoring.imports.follow_ups``) once
its claim on the job was won, so the same chain runs whoever started it:

1. the indicators of the school-years the job touched are recomputed (an ``IndicatorRecompute``
   row, written on commit: a broker outage leaves it «queued» for the sweep to resend);
2. when that recompute is done (its own claim won: ``recompute_followups``), the apps above
   are told (``identification.hooks.recompute_after_import_done``): the risks app refreshes the
   objectivity signals and risk profiles of the same school-years (a risk recompute job row per
   municipality and year, swept the same way); and a **draft** run of every active
   methodology is made for each touched municipality in the current academic year (a run row
   with ``is_draft``, swept like any run). Drafts are proposals to look at — the department
   sees «что изменилось» against the run before — and can never be approved into statuses.

Each step is a row claimed by a conditional update, so a message delivered twice does the
work once. How the jobs are queued is ``core.queue``'s business; this module says *what* runs.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import transaction

from core.jobs.services import job_enqueue
from identification import hooks
from identification.models import IdentificationRun, IndicatorRecompute, MethodologyVersion, TaskStatus
from schools.models import AcademicYear, Municipality, School

logger = logging.getLogger(__name__)


def touched_municipality_years(*, recompute: IndicatorRecompute) -> dict[int, set[int]]:
    """Municipality → year ids of the school-years a recompute covered (empty years: all years)."""
    school_ids = recompute.school_ids or []
    year_ids = set(recompute.year_ids or [])
    if not year_ids:
        year_ids = set(AcademicYear.objects.values_list("pk", flat=True))
    municipalities = set(School.objects.filter(pk__in=school_ids).values_list("municipality_id", flat=True))
    if not school_ids and recompute.municipality_id:
        municipalities = {recompute.municipality_id}
    return {municipality: set(year_ids) for municipality in municipalities}


def recompute_followups(*, recompute_id: int) -> list[int]:
    """After a finished recompute that an import set off: refresh signals and risk profiles.

    Runs only from ``indicator_recompute_run`` once its claim was won and the recompute is
    done; returns the ids of the job rows the listeners of ``recompute_after_import_done``
    wrote (the risk recomputes). A recompute the department asked for by hand sets nothing off
    (it changes no data).
    """
    recompute = IndicatorRecompute.objects.filter(pk=recompute_id, status=TaskStatus.DONE).first()
    if recompute is None or recompute.import_job_id is None:
        return []
    by_municipality: dict[int, set[int]] = defaultdict(set)
    for municipality, years in touched_municipality_years(recompute=recompute).items():
        by_municipality[municipality] |= years
    with transaction.atomic():
        answers = hooks.recompute_after_import_done.send(
            sender=None, recompute=recompute, municipality_years=dict(by_municipality)
        )
        written = [pk for _receiver, ids in answers for pk in ids]
        draft_runs_create(recompute=recompute, municipality_ids=sorted(by_municipality))
    return written


def active_versions(*, region_id: int | None, start_year: int) -> list[MethodologyVersion]:
    """The newest version of each methodology a region uses that applies to the year.

    A region's own copy of a preset (made by its first edit) replaces the shipped preset.
    """
    from django.db.models import Q

    latest: dict[int, MethodologyVersion] = {}
    versions = (
        MethodologyVersion.objects.filter(Q(methodology__region__isnull=True) | Q(methodology__region_id=region_id))
        .select_related("methodology")
        .order_by("methodology_id", "-number")
    )
    for version in versions:
        latest.setdefault(version.methodology_id, version)
    own_names = {v.methodology.name for v in latest.values() if v.methodology.region_id is not None}
    return [
        version
        for version in latest.values()
        if version.applies_to(start_year)
        and not (version.methodology.region_id is None and version.methodology.name in own_names)
    ]


def draft_runs_create(*, recompute: IndicatorRecompute, municipality_ids: list[int]) -> list[int]:
    """A draft run of every active methodology for each municipality, in the current year."""
    year = AcademicYear.current()
    if year is None or not municipality_ids:
        return []
    created: list[int] = []
    for municipality in Municipality.objects.filter(pk__in=municipality_ids).order_by("pk"):
        for version in active_versions(region_id=municipality.region_id, start_year=year.start_year):
            if not version.criteria.exists():
                continue
            run = IdentificationRun.objects.create(
                version=version, year=year, municipality=municipality, is_draft=True, recompute=recompute
            )
            job_enqueue(run)
            created.append(run.pk)
    return created
