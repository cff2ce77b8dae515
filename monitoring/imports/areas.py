"""Ф3 rows of the whole sample, the region and the municipalities (issue #18), kept as given.

Written in the import's transaction. A row for an area that already has a current one for the
slice replaces it (``replaced_by``), as result rows do, so a rollback restores it. The area is
resolved: a municipality by its ФИС ОКО code (``Municipality.fis_oko_code``) or its name, the
region by its name or, failing that, as the region of the job's municipality (a Ф3 file is
one region's); an area that resolves to nothing is kept with its name only and shown nowhere.
"""

from __future__ import annotations

import re

from django.db.models import Q

from monitoring.formats.parsing import AreaRow
from monitoring.imports.finish import LoadOutcome
from monitoring.models import AreaMarkStat, ImportJob, Subject
from schools.models import AcademicYear, Municipality, Region

_CODE = re.compile(r"\s*\(reg\d+_m\d+\)\s*", re.IGNORECASE)


def areas_save(*, job: ImportJob, rows: list[AreaRow], years: dict[int, AcademicYear], outcome: LoadOutcome) -> None:
    """Each row is counted in the outcome: created (and replaced, if an older row was current)
    or unchanged (the current row has the same figures — a re-import changes nothing)."""
    if not rows:
        return
    subjects = {s.code: s for s in Subject.objects.filter(code__in={row.subject_code for row in rows})}
    job_region_id = job.municipality.region_id if job.municipality is not None else None
    for row in rows:
        year = years.get(row.year_start) or AcademicYear.objects.get_or_create(start_year=row.year_start)[0]
        subject = subjects.get(row.subject_code)
        if subject is None:
            continue
        region_id: int | None = None
        municipality_id: int | None = None
        if row.area == "municipality":
            name = _CODE.sub(" ", row.name).strip()
            found = Municipality.objects.filter(Q(fis_oko_code__iexact=row.code) | Q(name__iexact=name)).first()
            if found is not None:
                municipality_id, region_id = found.pk, found.region_id
        elif row.area == "region":
            found_region = Region.objects.filter(name__iexact=row.name.strip()).first()
            region_id = found_region.pk if found_region else job_region_id
        # An area that resolved to nothing is told apart by its name.
        where = Q(region__isnull=True) if region_id is None else Q(region_id=region_id)
        where &= Q(municipality__isnull=True) if municipality_id is None else Q(municipality_id=municipality_id)
        current = AreaMarkStat.objects.filter(
            where,
            replaced_by__isnull=True,
            year=year,
            procedure=row.procedure,
            subject=subject,
            grade=row.grade,
            area=row.area,
        )
        if row.area != "russia" and region_id is None and municipality_id is None:
            current = current.filter(name=row.name)
        figures = (row.schools_count, row.participants, *row.shares)
        previous = current.first()
        if previous is not None and figures == (
            previous.schools_count,
            previous.participants,
            previous.share_2,
            previous.share_3,
            previous.share_4,
            previous.share_5,
        ):
            outcome.slices_unchanged += 1
            continue
        outcome.rows_replaced += current.update(replaced_by=job)
        AreaMarkStat.objects.create(
            year=year,
            procedure=row.procedure,
            subject=subject,
            grade=row.grade,
            area=row.area,
            region_id=region_id,
            municipality_id=municipality_id,
            name=row.name[:300],
            schools_count=row.schools_count,
            participants=row.participants,
            share_2=row.shares[0],
            share_3=row.shares[1],
            share_4=row.shares[2],
            share_5=row.shares[3],
            import_job=job,
        )
        outcome.rows_created += 1
