"""The structure of a test kept on import (issue #18): tasks, maxima, difficulty, boundaries.

Written in the import's transaction together with the result rows. One structure per
procedure, year, subject and grade (variant "" — the variants of ВПР share one): a file whose
tasks equal the stored ones changes nothing; different tasks replace them (the last import of
the test wins — a corrected file of ФИС ОКО). Rolling an import back keeps the structure: it
describes the test, not the participants, and the next import of the slice brings it again.
"""

from __future__ import annotations

from monitoring.formats.parsing import StructureSpec
from monitoring.models import AssessmentStructure, AssessmentTask, ImportJob, Subject
from schools.models import AcademicYear


def structures_save(*, job: ImportJob, specs: list[StructureSpec], years: dict[int, AcademicYear]) -> int:
    """Create or update the structures the file describes; returns how many changed."""
    if not specs:
        return 0
    subjects = {s.code: s for s in Subject.objects.filter(code__in={spec.subject_code for spec in specs})}
    changed = 0
    for spec in specs:
        year = years.get(spec.year_start) or AcademicYear.objects.filter(start_year=spec.year_start).first()
        subject = subjects.get(spec.subject_code)
        if year is None or subject is None or not spec.tasks:
            continue
        structure, created = AssessmentStructure.objects.select_for_update().get_or_create(
            year=year, procedure=spec.procedure, subject=subject, grade=spec.grade, variant=spec.variant
        )
        if spec.keep_existing and not created:
            continue
        wanted = [(n, t.label, t.max_score, t.difficulty) for n, t in enumerate(spec.tasks, start=1)]
        stored = list(structure.tasks.values_list("number", "label", "max_score", "difficulty"))
        fields: dict[str, object] = {"max_primary_score": spec.max_primary}
        if spec.boundaries is not None:
            fields.update(
                boundary_3=spec.boundaries[0],
                boundary_4=spec.boundaries[1],
                boundary_5=spec.boundaries[2],
                boundaries_source=AssessmentStructure.BoundarySource.FILE,
            )
        same_fields = all(getattr(structure, key) == value for key, value in fields.items())
        if not created and stored == wanted and same_fields:
            continue
        for key, value in fields.items():
            setattr(structure, key, value)
        structure.import_job = job
        structure.save()
        if stored != wanted:
            structure.tasks.all().delete()
            AssessmentTask.objects.bulk_create(
                AssessmentTask(structure=structure, number=n, label=label, max_score=top, difficulty=level)
                for n, label, top, level in wanted
            )
        changed += 1
    return changed
