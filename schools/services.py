"""Writes to the registry: schools by hand and by file."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from core.audit import audit_record
from core.queue import RESEND_QUEUED_AFTER, enqueue_on_commit, requeue_stale
from core.tabular import RowError, TabularFileError, read_tables, read_upload
from core.testing_hooks import pause_before_commit
from schools.models import Municipality, Organisation, RegistryImport, School
from schools.registry_format import ParsedRegistry, RegistryRow, parse_registry

logger = logging.getLogger(__name__)

ORGANISATION_FIELDS = (
    "name",
    "short_name",
    "inn",
    "ogrn",
    "address",
    "latitude",
    "longitude",
    "website",
    "email",
    "phone",
)
SCHOOL_FIELDS = (
    "school_type",
    "settlement",
    "has_primary",
    "has_basic",
    "has_secondary",
    "head_name",
    "contingent",
    "is_active",
)
# A worker that died mid-run leaves the job "running"; after this long it may be claimed again.
STALE_RUNNING_AFTER = timedelta(minutes=15)
_CHUNK = 500


# --- By hand -------------------------------------------------------------------------


@transaction.atomic
def school_create(
    *, municipality: Municipality, code: str, organisation_data: dict, school_data: dict, actor: User | None = None
) -> School:
    organisation = Organisation(kind=Organisation.Kind.SCHOOL, municipality=municipality, **organisation_data)
    organisation.full_clean()
    organisation.save()
    school = School(organisation=organisation, municipality=municipality, code=code, **school_data)
    school.full_clean()
    school.save()
    audit_record(actor=actor, action="school.created", target=school, municipality_id=municipality.pk)
    return school


@transaction.atomic
def school_update(
    *,
    school: School,
    municipality: Municipality,
    organisation_data: dict,
    school_data: dict,
    actor: User | None = None,
) -> School:
    organisation = school.organisation
    for name, value in organisation_data.items():
        setattr(organisation, name, value)
    organisation.municipality = municipality
    organisation.full_clean()
    organisation.save()
    for name, value in school_data.items():
        setattr(school, name, value)
    school.municipality = municipality
    school.full_clean()
    school.save()
    audit_record(actor=actor, action="school.changed", target=school, municipality_id=municipality.pk)
    return school


# --- By file ---------------------------------------------------------------------------


@dataclass
class RegistryWriteResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def registry_import_create(*, user: User, uploaded_file: IO[bytes], original_name: str) -> RegistryImport:
    """Store the upload and queue its processing; the page then follows the job."""
    from schools.tasks import import_registry

    data, kind = read_upload(uploaded_file, original_name)
    job = RegistryImport(
        uploaded_by=user,
        municipality=user.municipality if not user.is_superuser else None,
        original_name=original_name[:255],
        file_kind=kind,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    job.file.save(f"upload.{kind}", ContentFile(data), save=False)
    job.save()
    enqueue_on_commit(import_registry, job.pk)
    return job


def _claim(job_id: int) -> bool:
    """Take the job for this worker; False when another worker has it or it is finished."""
    now = timezone.now()
    claimable = Q(status=RegistryImport.Status.QUEUED) | Q(
        status=RegistryImport.Status.RUNNING, started_at__lt=now - STALE_RUNNING_AFTER
    )
    return bool(
        RegistryImport.objects.filter(claimable, pk=job_id).update(
            status=RegistryImport.Status.RUNNING, started_at=now, processed_rows=0
        )
    )


def registry_import_run(*, job_id: int) -> None:
    """Validate the stored file and write it all or nothing (the body of the Celery task)."""
    if not _claim(job_id):
        logger.info("registry import %s already taken or finished", job_id)
        return
    job = RegistryImport.objects.select_related("municipality", "uploaded_by").get(pk=job_id)
    allowed = Municipality.objects.filter(pk=job.municipality_id) if job.municipality_id else Municipality.objects.all()

    def progress(done: int, total: int) -> None:
        RegistryImport.objects.filter(pk=job_id).update(processed_rows=done, total_rows=total)

    try:
        with job.file.open("rb") as handle:
            sheets = read_tables(handle, f"upload.{job.file_kind}")
        result, errors, total = registry_load(
            sheets=sheets, allowed_municipalities=allowed, default_municipality=job.municipality, progress=progress
        )
    except TabularFileError as exc:
        errors, total, result = [RowError("", 0, "", str(exc))], 0, None
    except Exception:
        logger.exception("registry import %s crashed", job_id)
        message = "Внутренняя ошибка при обработке файла; ничего не записано. Сообщите администратору."
        errors = [RowError("", 0, "", message)]
        total, result = 0, None

    finished = {"finished_at": timezone.now(), "total_rows": total, "processed_rows": total}
    if errors or result is None:
        RegistryImport.objects.filter(pk=job_id).update(
            status=RegistryImport.Status.FAILED, errors=[e.as_dict() for e in errors[:1000]], **finished
        )
    else:
        RegistryImport.objects.filter(pk=job_id).update(
            status=RegistryImport.Status.DONE,
            errors=[],
            created_count=result.created,
            updated_count=result.updated,
            unchanged_count=result.unchanged,
            **finished,
        )
        audit_record(
            actor=job.uploaded_by,
            action="registry_import.done",
            target=job,
            municipality_id=job.municipality_id,
            details={"добавлено": result.created, "изменено": result.updated, "без изменений": result.unchanged},
        )


def registry_load(
    *,
    sheets,
    allowed_municipalities: QuerySet[Municipality],
    default_municipality: Municipality | None,
    progress=None,
) -> tuple[RegistryWriteResult | None, list[RowError], int]:
    """Parse and validate; when every row is good, write them in one transaction.

    Returns (result, errors, total_rows). With any error nothing is written.
    Used by the Celery task and by ``manage.py import_schools``.
    """
    parsed = parse_registry(sheets, municipality_required=default_municipality is None, progress=progress)
    errors = list(parsed.errors)
    if not parsed.rows and not errors:
        errors.append(RowError(sheets[0].name if sheets else "", 0, "", "В файле нет ни одной строки со школой."))
    municipalities = _resolve_municipalities(parsed, allowed_municipalities, default_municipality, errors)
    existing = _existing_schools(parsed.rows)
    allowed_ids = set(allowed_municipalities.values_list("pk", flat=True))
    for row in parsed.rows:
        school = existing.get(row.values["code"])
        target = municipalities.get(row.row_number)
        if school is not None and school.municipality_id not in allowed_ids:
            errors.append(
                RowError(
                    "",
                    row.row_number,
                    "Код ОО",
                    f"Школа {row.values['code']} числится в другом муниципалитете; изменить её здесь нельзя.",
                )
            )
        elif school is not None and target is not None and school.municipality_id != target.pk:
            # Moving a school between municipalities is rare and deliberate: do it in the card.
            errors.append(
                RowError(
                    "",
                    row.row_number,
                    "Муниципалитет",
                    f"Школа {row.values['code']} числится в муниципалитете «{school.municipality}»; "
                    "перенос в другой муниципалитет делается в карточке школы.",
                )
            )
    if errors:
        errors.sort(key=lambda e: (e.sheet, e.row))
        return None, errors, parsed.total_rows
    return _write(parsed.rows, municipalities, existing), [], parsed.total_rows


def _resolve_municipalities(
    parsed: ParsedRegistry,
    allowed: QuerySet[Municipality],
    default: Municipality | None,
    errors: list[RowError],
) -> dict[int, Municipality]:
    by_key: dict[str, Municipality] = {}
    for municipality in allowed:
        by_key[municipality.oktmo] = municipality
        by_key[municipality.name.lower()] = municipality
    resolved: dict[int, Municipality] = {}
    for row in parsed.rows:
        ref = row.municipality_ref.strip()
        if not ref:
            if default is not None:
                resolved[row.row_number] = default
            continue
        found = by_key.get(ref) or by_key.get(ref.lower())
        if found is None:
            message = f"Муниципалитет «{ref}» не найден"
            message += " или вам недоступен." if default is not None else " (укажите ОКТМО или точное название)."
            errors.append(RowError("", row.row_number, "Муниципалитет", message))
        else:
            resolved[row.row_number] = found
    return resolved


def _existing_schools(rows: list[RegistryRow]) -> dict[str, School]:
    codes = [row.values["code"] for row in rows if row.values.get("code")]
    found: dict[str, School] = {}
    for start in range(0, len(codes), _CHUNK):
        for school in School.objects.filter(code__in=codes[start : start + _CHUNK]).select_related(
            "organisation", "municipality"
        ):
            found[school.code] = school
    return found


def _write(
    rows: list[RegistryRow], municipalities: dict[int, Municipality], existing: dict[str, School]
) -> RegistryWriteResult:
    result = RegistryWriteResult()
    new_rows: list[RegistryRow] = []
    changed_orgs: list[Organisation] = []
    changed_schools: list[School] = []
    for row in rows:
        school = existing.get(row.values["code"])
        if school is None:
            new_rows.append(row)
            continue
        org_changed = _assign(school.organisation, row.values, ORGANISATION_FIELDS)
        school_changed = _assign(school, row.values, SCHOOL_FIELDS)
        if org_changed:
            changed_orgs.append(school.organisation)
        if school_changed:
            changed_schools.append(school)
        if org_changed or school_changed:
            result.updated += 1
        else:
            result.unchanged += 1

    with transaction.atomic():
        if changed_orgs:
            Organisation.objects.bulk_update(changed_orgs, ORGANISATION_FIELDS, batch_size=_CHUNK)
        if changed_schools:
            now = timezone.now()
            for school in changed_schools:
                school.updated_at = now
            School.objects.bulk_update(changed_schools, (*SCHOOL_FIELDS, "updated_at"), batch_size=_CHUNK)
        if new_rows:
            organisations = [
                Organisation(
                    kind=Organisation.Kind.SCHOOL,
                    municipality=municipalities[row.row_number],
                    **{name: row.values[name] for name in ORGANISATION_FIELDS},
                )
                for row in new_rows
            ]
            Organisation.objects.bulk_create(organisations, batch_size=_CHUNK)
            School.objects.bulk_create(
                [
                    School(
                        organisation=organisation,
                        municipality=municipalities[row.row_number],
                        code=row.values["code"],
                        **{name: row.values[name] for name in SCHOOL_FIELDS},
                    )
                    for organisation, row in zip(organisations, new_rows, strict=True)
                ],
                batch_size=_CHUNK,
            )
            result.created = len(new_rows)
        pause_before_commit("registry import")
    return result


def _assign(obj, values: dict, fields: tuple[str, ...]) -> bool:
    changed = False
    for name in fields:
        if getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed = True
    return changed


def registry_imports_requeue_stale() -> list[int]:
    """Queue again the jobs a dead worker left «running» (the write is atomic, so a rerun is safe).

    Celery redelivers a lost task at once, while the job is not yet stale and the claim
    refuses it; this periodic sweep is what finally runs such a job. Jobs still «queued»
    after core.queue.RESEND_QUEUED_AFTER are sent again too (their message was lost while
    the broker was down); a second message of a job that was only slow is refused by the claim.
    """
    from schools.tasks import import_registry

    now = timezone.now()
    return requeue_stale(
        jobs=RegistryImport.objects.all(),
        task=import_registry,
        lost=Q(status=RegistryImport.Status.QUEUED, uploaded_at__lt=now - RESEND_QUEUED_AFTER),
        # Back to the queue only if nobody claimed it meanwhile (the update is conditional).
        stuck=Q(status=RegistryImport.Status.RUNNING, started_at__lt=now - STALE_RUNNING_AFTER),
        unstick={"status": RegistryImport.Status.QUEUED},
    )


def registry_imports_purge(*, older_than_days: int | None = None) -> int:
    """Delete stored registry uploads older than the retention period (the records stay)."""
    days = settings.UPLOAD_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    purged = 0
    for job in RegistryImport.objects.filter(uploaded_at__lt=cutoff).exclude(file=""):
        job.file.delete(save=False)
        RegistryImport.objects.filter(pk=job.pk).update(file="")
        purged += 1
    return purged
