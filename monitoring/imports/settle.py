"""The matching step: a person settles the names a parked import asks about, and it resumes.

A job parked at ``ImportJob.Status.MATCHING`` (monitoring.imports.names) lists its pending
names. For each one the person picks a school of the municipality (or the municipality, for a
municipality's name), or skips the name on purpose. The choices are saved as aliases
(schools.matching), so this file and the next one with the same names ask nothing, and the job
is queued again (core.jobs.job_resume): the worker reads the file anew and now resolves every
name. Nothing was written before; everything is written in one transaction after.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from core.audit import audit_record
from core.jobs.services import job_resume
from monitoring.imports.names import job_region_ids
from monitoring.imports.permissions import ImportRefused, can_upload_results
from monitoring.models import ImportJob
from schools.matching import municipality_alias_save, school_alias_save
from schools.models import Municipality, School

SKIP = "skip"
NOT_PARKED = "Загрузка не ждёт сопоставления названий: обновите страницу."
CHOOSE_EVERY = "Выберите для каждого названия школу (или муниципалитет) либо «пропустить»."
WRONG_CHOICE = "Выбор для «{name}» не подходит: выберите из списка."
NOT_ALLOWED = "Сопоставлять названия может тот, кто загрузил файл, или управление образования его муниципалитета."


@dataclass(frozen=True)
class Choice:
    """What a pending name stands for: a school or municipality id, or ``None`` to skip it."""

    index: int
    pk: int | None


def can_settle_names(user: User, job: ImportJob) -> bool:
    if not can_upload_results(user):
        return False
    if user.is_superuser or job.uploaded_by_id == user.pk:
        return True
    return job.municipality_id is not None and job.municipality_id == user.municipality_id


def pending_school_choices(job: ImportJob) -> dict[int, list[tuple[int, str]]]:
    """Every school of each municipality a pending name stands in (a person may pick any of them)."""
    ids = {entry["municipality_id"] for entry in job.pending_names if entry["kind"] == "school"}
    choices: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
    for pk, municipality_id, name, short_name in (
        School.objects.filter(municipality_id__in=ids, is_active=True)
        .order_by("organisation__name")
        .values_list("pk", "municipality_id", "organisation__name", "organisation__short_name")
    ):
        choices[municipality_id].append((pk, short_name or name))
    return choices


def pending_municipality_choices(job: ImportJob) -> list[tuple[int, str]]:
    return list(
        Municipality.objects.filter(region_id__in=job_region_ids(job)).order_by("name").values_list("pk", "name")
    )


@transaction.atomic
def import_names_settle(*, job: ImportJob, user: User | None, choices: list[Choice]) -> ImportJob:
    """Save the person's choices as aliases and queue the job again; ``ImportRefused`` when they do not fit."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if user is not None and not can_settle_names(user, job):
        raise ImportRefused(NOT_ALLOWED)
    if job.status != ImportJob.Status.MATCHING:
        raise ImportRefused(NOT_PARKED)
    pending = job.pending_names
    by_index = {choice.index: choice for choice in choices}
    if set(by_index) != set(range(len(pending))):
        raise ImportRefused(CHOOSE_EVERY)
    schools = pending_school_choices(job)
    municipalities = dict(pending_municipality_choices(job))
    for index, entry in enumerate(pending):
        choice = by_index[index]
        if entry["kind"] == "municipality":
            if choice.pk not in municipalities:
                raise ImportRefused(WRONG_CHOICE.format(name=entry["name"]))
            municipality = Municipality.objects.get(pk=choice.pk)
            municipality_alias_save(
                region=municipality.region, name=entry["name"], municipality=municipality, actor=user
            )
            continue
        municipality = Municipality.objects.get(pk=entry["municipality_id"])
        school = None
        if choice.pk is not None:
            if choice.pk not in {pk for pk, _label in schools[entry["municipality_id"]]}:
                raise ImportRefused(WRONG_CHOICE.format(name=entry["name"]))
            school = School.objects.get(pk=choice.pk)
        school_alias_save(municipality=municipality, name=entry["name"], school=school, actor=user)
    audit_record(
        actor=user,
        action="results_import.names_settled",
        target=job,
        municipality_id=job.municipality_id,
        details={"названий": len(pending), "пропущено": sum(1 for c in choices if c.pk is None)},
    )
    job_resume(ImportJob, job.pk, ImportJob.Status.MATCHING, pending_names=[])
    job.refresh_from_db()
    return job
