"""Writes: the list of teachers, diagnostics and the deficits they imply, routes, mentoring.

Imports of a school's list and of diagnostics are synchronous: a school has tens of
teachers, and the whole read-validate-write of such a file takes well under a second
(bench/teachers_import.py). Each one validates every row first and writes all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.audit import audit_record
from core.errors import ApplicationError
from core.tabular import RowError, normalise_header, read_tables
from schools.models import AcademicYear, School
from teachers import formats
from teachers.models import (
    Competence,
    Deficit,
    Diagnosis,
    DiagnosticImport,
    MentoringMeeting,
    Mentorship,
    Route,
    RouteGoal,
    RouteStep,
    Teacher,
)

# The refusals' words (tests import them: core.errors).
LINK_ONLY_OWN_TEACHER = "Связать можно только учётную запись учителя той же школы."
GOAL_DEFICITS_OF_ANOTHER = "Цель может ссылаться только на дефициты этого педагога."
GOAL_OF_ANOTHER_ROUTE = "Цель из другого маршрута."
TEACHER_MARKS_SELF_STUDY_ONLY = "Педагог отмечает только шаги самообразования."
MENTOR_IS_MENTEE = "Наставник и наставляемый — разные люди."


class ImportRejected(ApplicationError):
    """The file had errors; nothing was written. ``errors`` are RowError, for the page."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} ошибок")
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)


# --- Teachers ---------------------------------------------------------------------------------

_ROSTER_FIELDS = (
    "position",
    "subjects",
    "experience_years",
    "category",
    "is_young_specialist",
    "email",
    "is_active",
)


def teacher_save(*, teacher: Teacher) -> Teacher:
    """Create or update one teacher from a validated form."""
    teacher.email = teacher.email.strip().lower()
    teacher.full_clean()
    teacher.save()
    return teacher


def teachers_import(*, school: School, fileobj: IO[bytes], name: str, user: User | None) -> ImportResult:
    """Upsert a school's list of teachers from a CSV/XLSX file: all rows valid, or nothing written.

    Raises TabularFileError for an unreadable file and ImportRejected with row errors.
    """
    sheets = read_tables(fileobj, name)
    parsed = formats.parse_roster(sheets)
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    result = ImportResult()
    with transaction.atomic():
        existing = {
            formats.name_key(t.last_name, t.first_name, t.middle_name): t
            for t in Teacher.objects.select_for_update().filter(school=school)
        }
        to_create, to_update = [], []
        for values in parsed.rows:
            key = formats.name_key(values["last_name"], values["first_name"], values["middle_name"])
            teacher = existing.get(key)
            if teacher is None:
                to_create.append(
                    Teacher(
                        school=school,
                        last_name=values["last_name"],
                        first_name=values["first_name"],
                        middle_name=values["middle_name"],
                        **{f: values[f] for f in _ROSTER_FIELDS},
                    )
                )
                continue
            changed = [f for f in _ROSTER_FIELDS if getattr(teacher, f) != values[f]]
            if changed:
                for f in changed:
                    setattr(teacher, f, values[f])
                to_update.append(teacher)
            else:
                result.unchanged += 1
        Teacher.objects.bulk_create(to_create)
        if to_update:
            Teacher.objects.bulk_update(to_update, _ROSTER_FIELDS)
        result.created, result.updated = len(to_create), len(to_update)
        if to_create or to_update:
            audit_record(
                actor=user,
                action="teachers.imported",
                target=school,
                municipality_id=school.municipality_id,
                details={"file": name[:255], "created": result.created, "updated": result.updated},
            )
    return result


def teacher_link_user(*, teacher: Teacher, user: User | None) -> None:
    """Give a teacher record its account (a teacher of the same school), or take it away."""
    if user is not None and (user.role != "teacher" or user.school_id != teacher.school_id):
        raise ValueError(LINK_ONLY_OWN_TEACHER)
    if user is not None:
        Teacher.objects.filter(user=user).exclude(pk=teacher.pk).update(user=None)
    teacher.user = user
    teacher.save(update_fields=["user", "updated_at"])


# --- Diagnostics and deficits -------------------------------------------------------------------


def deficit_episodes(diagnoses: Iterable[tuple[int, Decimal, Decimal]]) -> dict[int, int | None]:
    """Deficits implied by one teacher × competence's diagnoses, given in date order.

    ``diagnoses`` are (pk, score, threshold); the answer maps the diagnosis that opened each
    deficit to the one that closed it (None: still open). Rule (issue 8): a result below the
    threshold in force opens a deficit; the next result at or above it closes the deficit; a
    later low result opens a new one.
    """
    episodes: dict[int, int | None] = {}
    opened: int | None = None
    for pk, score, threshold in diagnoses:
        if score < threshold and opened is None:
            opened = pk
            episodes[pk] = None
        elif score >= threshold and opened is not None:
            episodes[opened] = pk
            opened = None
    return episodes


def deficits_sync(*, teacher_id: int, competence_id: int) -> None:
    """Bring the deficits of one teacher × competence in line with their diagnoses."""
    deficits_sync_pairs(pairs={(teacher_id, competence_id)})


def deficits_sync_pairs(*, pairs: set[tuple[int, int]]) -> None:
    """Bring the deficits of these (teacher, competence) pairs in line with the whole history of their diagnoses.

    Diagnoses are taken in date order, so a result entered late (back-dated) lands where it
    belongs. Deficits keep their rows (routes' goals point at them) as long as the diagnosis
    that opened them still opens one. A constant number of queries for any number of pairs.
    """
    if not pairs:
        return
    teacher_ids = {teacher_id for teacher_id, _ in pairs}
    history: dict[tuple[int, int], list[tuple[int, Decimal, Decimal]]] = {pair: [] for pair in pairs}
    rows = (
        Diagnosis.objects.filter(teacher_id__in=teacher_ids, competence_id__in={c for _, c in pairs})
        .order_by("date", "pk")
        .values_list("teacher_id", "competence_id", "pk", "score", "threshold")
    )
    for teacher_id, competence_id, pk, score, threshold in rows:
        if (teacher_id, competence_id) in history:
            history[(teacher_id, competence_id)].append((pk, score, threshold))
    existing: dict[tuple[int, int], dict[int, Deficit]] = {pair: {} for pair in pairs}
    for deficit in Deficit.objects.filter(teacher_id__in=teacher_ids):
        if (deficit.teacher_id, deficit.competence_id) in existing:
            existing[(deficit.teacher_id, deficit.competence_id)][deficit.opened_by_id] = deficit
    to_delete, closing, reopening, to_create = [], [], [], []
    for (teacher_id, competence_id), diagnoses in history.items():
        wanted = deficit_episodes(diagnoses)
        have = existing[(teacher_id, competence_id)]
        to_delete += [deficit.pk for opened_by, deficit in have.items() if opened_by not in wanted]
        for opened_by, closed_by in wanted.items():
            found = have.get(opened_by)
            if found is None:
                to_create.append(
                    Deficit(
                        teacher_id=teacher_id,
                        competence_id=competence_id,
                        opened_by_id=opened_by,
                        closed_by_id=closed_by,
                    )
                )
            elif found.closed_by_id != closed_by:
                found.closed_by_id = closed_by
                (reopening if closed_by is None else closing).append(found)
    # In this order the one-open-deficit constraint holds after every statement.
    Deficit.objects.filter(pk__in=to_delete).delete()
    Deficit.objects.bulk_update(closing, ["closed_by"])
    Deficit.objects.bulk_update(reopening, ["closed_by"])
    Deficit.objects.bulk_create(sorted(to_create, key=lambda d: d.closed_by_id is None))


def diagnosis_record(
    *, teacher: Teacher, competence: Competence, score: Decimal, date: dt.date, source: str, user: User | None
) -> Diagnosis:
    """Record one result by hand and bring the teacher's deficits up to date."""
    with transaction.atomic():
        diagnosis, _ = Diagnosis.objects.update_or_create(
            teacher=teacher,
            competence=competence,
            date=date,
            source=source.strip(),
            defaults={
                "score": score,
                "threshold": competence.threshold,
                "method": Diagnosis.Method.MANUAL,
                "created_by": user,
            },
        )
        deficits_sync(teacher_id=teacher.pk, competence_id=competence.pk)
    return diagnosis


def diagnostics_import(*, school: School, fileobj: IO[bytes], name: str, user: User) -> ImportResult:
    """Import diagnostic results for a school's teachers: every row valid, or nothing written.

    A row names a teacher of the school and a competence of the catalogue; the same teacher,
    competence, date and source again updates the result, so a re-import changes nothing.
    """
    sheets = read_tables(fileobj, name)
    parsed = formats.parse_diagnostics(sheets)
    errors = list(parsed.errors)
    teachers = {
        formats.name_key(t.last_name, t.first_name, t.middle_name): t for t in Teacher.objects.filter(school=school)
    }
    competences = {normalise_header(c.name): c for c in Competence.objects.filter(is_active=True)}
    seen: dict[tuple, int] = {}
    rows = []
    for values in parsed.rows:
        labels = values["_labels"]
        teacher = teachers.get(formats.name_key(values["last_name"], values["first_name"], values["middle_name"]))
        competence = competences.get(normalise_header(values["competence"]))
        full_name = " ".join(p for p in (values["last_name"], values["first_name"], values["middle_name"]) if p)
        if teacher is None:
            errors.append(
                RowError(
                    values["_sheet"],
                    values["_row"],
                    labels["last_name"],
                    f"Педагога «{full_name}» нет в списке педагогов школы.",
                )
            )
        if competence is None:
            errors.append(
                RowError(
                    values["_sheet"],
                    values["_row"],
                    labels["competence"],
                    f"Компетенции «{values['competence']}» нет в каталоге дефицитов.",
                )
            )
        if teacher is None or competence is None:
            continue
        key = (teacher.pk, competence.pk, values["date"], values["source"])
        if key in seen:
            errors.append(
                RowError(
                    values["_sheet"],
                    values["_row"],
                    labels["score"],
                    f"Тот же результат уже есть в строке {seen[key]}.",
                )
            )
            continue
        seen[key] = values["_row"]
        rows.append((teacher, competence, values))
    if errors:
        raise ImportRejected(errors)
    result = ImportResult()
    with transaction.atomic():
        batch = DiagnosticImport.objects.create(
            school=school, uploaded_by=user, original_name=name[:255], rows=len(rows)
        )
        existing = {
            (d.teacher_id, d.competence_id, d.date, d.source): d
            for d in Diagnosis.objects.filter(teacher__school=school, date__in={v["date"] for _, _, v in rows})
        }
        to_create, to_update = [], []
        for teacher, competence, values in rows:
            found = existing.get((teacher.pk, competence.pk, values["date"], values["source"]))
            if found is None:
                to_create.append(
                    Diagnosis(
                        teacher=teacher,
                        competence=competence,
                        score=values["score"],
                        threshold=competence.threshold,
                        date=values["date"],
                        source=values["source"],
                        method=Diagnosis.Method.IMPORT,
                        import_batch=batch,
                        created_by=user,
                    )
                )
            elif found.score != values["score"]:
                found.score = values["score"]
                to_update.append(found)
            else:
                result.unchanged += 1
        Diagnosis.objects.bulk_create(to_create)
        Diagnosis.objects.bulk_update(to_update, ["score"])
        deficits_sync_pairs(pairs={(t.pk, c.pk) for t, c, _ in rows})
        result.created, result.updated = len(to_create), len(to_update)
        if not to_create and not to_update:
            batch.delete()
        else:
            audit_record(
                actor=user,
                action="diagnostics.imported",
                target=school,
                municipality_id=school.municipality_id,
                details={"file": name[:255], "created": result.created, "updated": result.updated},
            )
    return result


# --- Routes -------------------------------------------------------------------------------------


def route_create(*, teacher: Teacher, year: AcademicYear, user: User | None) -> Route:
    """Open the teacher's route for the year, with one goal per open deficit to start from."""
    with transaction.atomic():
        route, created = Route.objects.get_or_create(teacher=teacher, year=year, defaults={"created_by": user})
        if created:
            for deficit in Deficit.objects.filter(teacher=teacher, closed_by__isnull=True).select_related("competence"):
                goal = RouteGoal.objects.create(route=route, title=f"Преодолеть дефицит: {deficit.competence.name}")
                goal.deficits.add(deficit)
    return route


def route_goal_add(*, route: Route, title: str, deficits: Iterable[Deficit]) -> RouteGoal:
    deficits = list(deficits)
    if any(d.teacher_id != route.teacher_id for d in deficits):
        raise ValueError(GOAL_DEFICITS_OF_ANOTHER)
    goal = RouteGoal.objects.create(route=route, title=title)
    goal.deficits.set(deficits)
    return goal


def route_step_add(*, route: Route, step: RouteStep) -> RouteStep:
    """Add a step; one linked to an event already attended or a course already completed is done at once."""
    if step.goal is not None and step.goal.route_id != route.pk:
        raise ValueError(GOAL_OF_ANOTHER_ROUTE)
    step.route = route
    step.full_clean()
    with transaction.atomic():
        step.save()
        route_step_sync_from_events(step=step)
    step.refresh_from_db()
    return step


def route_step_set_status(*, step: RouteStep, status: str, by_teacher: bool, on: dt.date | None = None) -> RouteStep:
    """Change a step's status by hand; a teacher may only mark their own self-study steps."""
    if status not in RouteStep.Status.values:
        raise ValueError(status)
    if by_teacher and not step.teacher_may_mark:
        raise PermissionError(TEACHER_MARKS_SELF_STUDY_ONLY)
    step.status = status
    if status == RouteStep.Status.DONE:
        step.done_on = on or dt.date.today()
        step.completed_via = RouteStep.Completion.TEACHER if by_teacher else RouteStep.Completion.MANUAL
    else:
        step.done_on = None
        step.completed_via = ""
    step.save(update_fields=["status", "done_on", "completed_via"])
    return step


# --- Completion from the events app ------------------------------------------------------------
# events.services.registration_mark_attended and enrolment_complete — the one place each of
# those facts is written — call route_steps_complete_from_attendance / _from_course, with the
# registration's account, e-mail and school. A step linked later picks up what was already
# recorded (route_step_add).


def _matching_teachers(*, user_id: int | None, email: str, school_id: int | None) -> Q:
    """The teacher behind a registration: their account, or else their e-mail (at the given school)."""
    match = Q(pk__in=[])
    if user_id:
        match |= Q(user_id=user_id)
    email = (email or "").strip().lower()
    if email:
        by_email = Q(email__iexact=email)
        if school_id:
            by_email &= Q(school_id=school_id)
        match |= by_email
    return match


def _teacher_records(model, teacher: Teacher) -> Q:
    """The registrations or enrolments that are this teacher's: the same rule as _matching_teachers."""
    match = Q(pk__in=[])
    if teacher.user_id and hasattr(model, "user"):
        match |= Q(user_id=teacher.user_id)
    if teacher.email:
        match |= Q(email__iexact=teacher.email) & (Q(school__isnull=True) | Q(school_id=teacher.school_id))
    return match


def route_step_sync_from_events(*, step: RouteStep) -> None:
    """Complete a step whose event the teacher already attended or whose course they already completed."""
    from events.models import Enrolment, Registration

    teacher = step.route.teacher
    if step.event_id:
        registration = (
            Registration.objects.filter(_teacher_records(Registration, teacher), event_id=step.event_id, attended=True)
            .select_related("event")
            .first()
        )
        if registration is not None:
            route_steps_complete_from_attendance(
                event_id=step.event_id,
                attended=True,
                user_id=registration.user_id,
                email=registration.email,
                school_id=registration.school_id,
                on=timezone.localdate(registration.event.starts_at),
            )
    if step.programme_id:
        enrolment = Enrolment.objects.filter(
            _teacher_records(Enrolment, teacher), programme_id=step.programme_id, completed_on__isnull=False
        ).first()
        if enrolment is not None:
            route_steps_complete_from_course(
                programme_id=step.programme_id,
                completed=True,
                email=enrolment.email,
                school_id=enrolment.school_id,
                on=enrolment.completed_on,
            )


def _complete_steps(*, link: Q, teachers: Q, done: bool, on: dt.date, via: str) -> int:
    steps = RouteStep.objects.filter(link, route__teacher__in=Teacher.objects.filter(teachers))
    if done:
        return steps.exclude(status__in=[RouteStep.Status.DONE, RouteStep.Status.CANCELLED]).update(
            status=RouteStep.Status.DONE, done_on=on, completed_via=via
        )
    # Attendance taken back: only what was completed by it is reopened, hand marks stay.
    return steps.filter(status=RouteStep.Status.DONE, completed_via=via).update(
        status=RouteStep.Status.PLANNED, done_on=None, completed_via=""
    )


def route_steps_complete_from_attendance(
    *,
    event_id: int,
    attended: bool,
    user_id: int | None = None,
    email: str = "",
    school_id: int | None = None,
    on: dt.date | None = None,
) -> int:
    """Mark done the route steps linked to an event the teacher attended; returns how many changed."""
    return _complete_steps(
        link=Q(event_id=event_id),
        teachers=_matching_teachers(user_id=user_id, email=email, school_id=school_id),
        done=attended,
        on=on or dt.date.today(),
        via=RouteStep.Completion.ATTENDANCE,
    )


def route_steps_complete_from_course(
    *,
    programme_id: int,
    completed: bool,
    user_id: int | None = None,
    email: str = "",
    school_id: int | None = None,
    on: dt.date | None = None,
) -> int:
    """Mark done the route steps linked to a КПК programme the teacher completed."""
    return _complete_steps(
        link=Q(programme_id=programme_id),
        teachers=_matching_teachers(user_id=user_id, email=email, school_id=school_id),
        done=completed,
        on=on or dt.date.today(),
        via=RouteStep.Completion.COURSE,
    )


# --- Mentoring ----------------------------------------------------------------------------------


def mentorship_create(*, mentorship: Mentorship, user: User | None) -> Mentorship:
    if mentorship.mentor_id == mentorship.mentee_id:
        raise ValueError(MENTOR_IS_MENTEE)
    mentorship.created_by = user
    mentorship.full_clean()
    mentorship.save()
    return mentorship


def meeting_add(*, mentorship: Mentorship, meeting: MentoringMeeting, user: User | None) -> MentoringMeeting:
    meeting.mentorship = mentorship
    meeting.created_by = user
    meeting.full_clean()
    meeting.save()
    return meeting
