"""Stage: appeal protocols of the РЦОИ update the stored results of the participants they name.

An appeal protocol («Протокол … апелляций о несогласии с выставленными баллами») lists only the
participants who appealed, with their scores after the appeal. It never replaces a whole slice
(a school's other participants stay as they are): each row finds the participant's current
result of the same year, procedure and subject (the keyed hash of the name and document) and,
when the scores differ, marks it ``replaced_by`` the job and writes the new one — the job page
counts it as «заменено», and rolling the job back restores the previous scores. An appeal whose
scores equal the stored ones (declined) is counted as skipped on purpose, with that reason; a
participant with no stored result is an error (load the exam's protocol first).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.tabular import RowError
from monitoring.formats.parsing import ResultRow
from monitoring.imports.finish import LoadOutcome
from monitoring.models import CURRENT, ImportJob, ParticipantResult, Subject
from schools.models import AcademicYear, School

APPEAL_NOT_FOUND = (
    "Участник апелляции не найден среди загруженных результатов ({what}): "
    "сначала загрузите протокол экзамена, затем протокол апелляций."
)
APPEAL_UNCHANGED = "Апелляция: баллы участника не изменились (апелляция отклонена или уже учтена)."

_VALUES = ("class_name", "variant", "primary_score", "max_primary_score", "mark", "test_score", "task_scores")


def _current(rows: Sequence[ResultRow], schools: dict[str, School]) -> dict[tuple, ParticipantResult]:
    """The current stored result of every participant the appeals name, by (year, procedure, subject, key)."""
    keys = {row.participant_key for row in rows}
    subjects = dict(Subject.objects.filter(code__in={row.subject_code for row in rows}).values_list("pk", "code"))
    found: dict[tuple, ParticipantResult] = {}
    stored = ParticipantResult.objects.filter(
        CURRENT, participant_key__in=keys, subject_id__in=subjects
    ).select_related("year")
    for result in stored:
        found[(result.year.start_year, result.procedure, subjects[result.subject_id], result.participant_key)] = result
    return found


def _key(row: ResultRow) -> tuple:
    return (row.year_start, row.procedure, row.subject_code, row.participant_key)


def appeals_validate(rows: Sequence[ResultRow], schools: dict[str, School], errors: list[RowError]) -> None:
    """Every appeal row must name a participant whose result is stored (of a school in the job's scope)."""
    current = _current(rows, schools)
    for row in rows:
        result = current.get(_key(row))
        school = schools.get(row.school_code)
        if result is None or (school is not None and result.school_id != school.pk):
            what = f"{row.procedure.upper()}, предмет {row.subject_code}, {row.year_start}/{row.year_start + 1}"
            errors.append(RowError(row.sheet, row.row, row.participant_column, APPEAL_NOT_FOUND.format(what=what)))


def appeals_write(
    job: ImportJob,
    rows: Sequence[ResultRow],
    schools: dict[str, School],
    years: dict[int, AcademicYear],
    outcome: LoadOutcome,
) -> None:
    """Replace the stored result of each appealing participant whose scores changed (in the caller's transaction)."""
    current = _current(rows, schools)
    skipped = outcome.skipped if outcome.skipped is not None else []
    outcome.skipped = skipped
    for row in rows:
        result = current[_key(row)]
        new = {
            "class_name": row.class_name or result.class_name,
            "variant": row.variant or result.variant,
            "primary_score": row.primary_score,
            "max_primary_score": row.max_primary_score,
            "mark": row.mark,
            "test_score": row.test_score,
            "task_scores": row.task_scores or result.task_scores,
        }
        if all(getattr(result, field) == new[field] for field in _VALUES):
            skipped.append(RowError(row.sheet, row.row, "", APPEAL_UNCHANGED))
            continue
        ParticipantResult.objects.filter(pk=result.pk).update(replaced_by=job)
        ParticipantResult.objects.create(
            year_id=result.year_id,
            procedure=result.procedure,
            subject_id=result.subject_id,
            grade=result.grade,
            school_id=result.school_id,
            participant_key=result.participant_key,
            journal_mark=result.journal_mark,
            import_job=job,
            **new,
        )
        outcome.rows_replaced += 1
        outcome.rows_created += 1
        outcome.slices_written += 1
