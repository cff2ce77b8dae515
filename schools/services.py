"""Writes to the registry: schools by hand and by file."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from core.audit import audit_record
from core.errors import ApplicationError
from core.jobs.services import Claim, JobFailed, job_enqueue, job_finish, job_lock, job_run, job_sweep
from core.tabular import RowError, TabularFileError, normalise_header, read_tables, read_upload
from schools.matching import MATCHED, municipality_names_resolve
from schools.models import Municipality, Organisation, RegistryColumnMapping, RegistryImport, School
from schools.registry_format import (
    ParsedRegistry,
    RegistryRow,
    _find_header,
    find_header_row,
    parse_registry,
    suggest_mapping,
)

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
    "rcoi_code",
    "school_type",
    "settlement",
    "has_primary",
    "has_basic",
    "has_secondary",
    "head_name",
    "contingent",
    "is_active",
)
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


# --- Municipalities (the region role) ------------------------------------------------------

REGIONAL_GROUP_NAME = "Региональное подчинение"
# The refusals' words (tests import them: core.errors).
MUNICIPALITY_EXISTS = "Муниципалитет «{name}» в регионе уже есть."
OKTMO_TAKEN = "ОКТМО {oktmo} уже занят другим муниципалитетом."


class MunicipalityRefused(ApplicationError, ValueError):
    """A municipality the rules do not allow; the message is for the user, in Russian."""


@transaction.atomic
def municipality_create(*, region, name: str, oktmo: str, fis_oko_code: str = "", actor: User | None) -> Municipality:
    """A municipality of the region, created by the region role in the product (not in /admin/)."""
    name = " ".join(name.split())
    if Municipality.objects.filter(region=region, name__iexact=name).exists():
        raise MunicipalityRefused(MUNICIPALITY_EXISTS.format(name=name))
    if Municipality.objects.filter(oktmo=oktmo).exists():
        raise MunicipalityRefused(OKTMO_TAKEN.format(oktmo=oktmo))
    municipality = Municipality(region=region, name=name, oktmo=oktmo, fis_oko_code=fis_oko_code)
    municipality.full_clean()
    municipality.save()
    audit_record(actor=actor, action="municipality.created", target=municipality, municipality_id=municipality.pk)
    return municipality


@transaction.atomic
def regional_group_ensure(*, region, actor: User | None) -> Municipality:
    """The region's «Региональное подчинение» group: where schools the region founds belong.

    It has no ОКТМО; every scope that reads a municipality reads it like any other.
    Creating it twice returns the one there is.
    """
    group = Municipality.objects.filter(region=region, is_regional_group=True).first()
    if group is not None:
        return group
    group = Municipality(region=region, name=REGIONAL_GROUP_NAME, oktmo=None, is_regional_group=True)
    group.full_clean()
    group.save()
    audit_record(actor=actor, action="municipality.created", target=group, municipality_id=group.pk)
    return group


# --- By file ---------------------------------------------------------------------------


@dataclass
class RegistryWriteResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # rows left out because they had errors (import_valid_only)
    notes: list[RowError] | None = None


def _mapping_owner(municipality_id: int | None) -> str:
    return f"m{municipality_id}" if municipality_id else "all"


def header_signature(header: list[str]) -> str:
    """The shape of a register: its normalised column titles, in order."""
    titles = "\x1f".join(normalise_header(cell) for cell in header)
    return hashlib.sha256(titles.encode()).hexdigest()


def registry_import_create(
    *, user: User, uploaded_file: IO[bytes], original_name: str, import_valid_only: bool = False
) -> RegistryImport:
    """Store the upload; queue it when its columns are known, else leave it for the mapping step.

    The documented layout, and a foreign register whose shape this source has mapped
    before, go straight to the worker; any other file waits on the mapping page.
    """
    data, kind = read_upload(uploaded_file, original_name)
    job = RegistryImport(
        uploaded_by=user,
        municipality=user.municipality if not user.is_superuser else None,
        original_name=original_name[:255],
        file_kind=kind,
        sha256=hashlib.sha256(data).hexdigest(),
        import_valid_only=import_valid_only,
    )
    # A file that cannot be read as a table (a hostile archive, a broken workbook) is refused here with
    # core.tabular's Russian message: nothing is stored and no job is made.
    sheets = read_tables(io.BytesIO(data), f"upload.{kind}")
    if sheets and not any(_find_header(sheet) for sheet in sheets):
        header_index = find_header_row(sheets[0])
        saved = None
        if header_index is not None:
            saved = RegistryColumnMapping.objects.filter(
                owner_key=_mapping_owner(job.municipality_id),
                signature=header_signature(sheets[0].rows[header_index]),
            ).first()
        if saved is not None:
            job.header_row, job.column_mapping, job.value_mapping = header_index, saved.columns, saved.values
        else:
            job.status = RegistryImport.Status.MAPPING
    job.file.save(f"upload.{kind}", ContentFile(data), save=False)
    job.save()
    if job.status == RegistryImport.Status.QUEUED:
        job_enqueue(job)
    return job


@dataclass
class MappingProposal:
    """What the mapping page shows: the file's columns with samples and the suggested fields."""

    sheet_name: str
    header_index: int
    header: list[str]
    samples: list[list[str]]  # per column, a few distinct values
    suggested: dict[str, int]
    # Values of the type and settlement columns that the built-in words do not know.
    unknown_values: dict[str, list[str]]


def registry_mapping_proposal(*, job: RegistryImport, mapping: dict[str, int] | None = None) -> MappingProposal:
    """Read the stored file's header and suggest a mapping (the page's GET and its «update»)."""
    from schools.registry_format import school_type_from, settlement_from

    with job.file.open("rb") as handle:
        sheets = read_tables(handle, f"upload.{job.file_kind}")
    sheet = sheets[0]
    header_index = find_header_row(sheet) or 0
    header = sheet.rows[header_index] if sheet.rows else []
    data = sheet.rows[header_index + 1 :]
    samples = []
    for col in range(len(header)):
        seen: list[str] = []
        for row in data:
            value = row[col] if col < len(row) else ""
            if value and value not in seen:
                seen.append(value)
                if len(seen) == 3:
                    break
        samples.append(seen)
    suggested = mapping if mapping is not None else suggest_mapping(header)
    unknown: dict[str, list[str]] = {}
    for key, known in (("school_type", school_type_from), ("settlement", settlement_from)):
        picked = suggested.get(key)
        if picked is None:
            continue
        values = sorted(
            {row[picked] for row in data if picked < len(row) and row[picked] and known(row[picked]) is None}
        )
        if values:
            unknown[key] = values[:50]
    return MappingProposal(sheet.name, header_index, header, samples, suggested, unknown)


def registry_import_map(
    *,
    job: RegistryImport,
    header_index: int,
    header: list[str],
    columns: dict[str, int],
    values: dict[str, dict[str, str]],
    import_valid_only: bool,
    actor: User,
) -> RegistryImport:
    """Record the mapping chosen for this file, save it for files of the same shape, queue the job."""
    updated = RegistryImport.objects.filter(pk=job.pk, status=RegistryImport.Status.MAPPING).update(
        status=RegistryImport.Status.QUEUED,
        header_row=header_index,
        column_mapping=columns,
        value_mapping=values,
        import_valid_only=import_valid_only,
    )
    if updated:
        RegistryColumnMapping.objects.update_or_create(
            owner_key=_mapping_owner(job.municipality_id),
            signature=header_signature(header),
            defaults={"headers": header, "columns": columns, "values": values, "updated_by": actor},
        )
        job_enqueue(job)
    job.refresh_from_db()
    return job


def registry_import_run(*, job_id: int) -> bool:
    """Validate the stored file and write it all or nothing (the body of the Celery task).

    The schools and the job's «done» commit in one transaction (core.jobs); two imports at once
    are serialised by a lock, so the second validates against the first one's schools and reports
    them «без изменений» instead of failing on the unique school code.
    """
    return job_run(RegistryImport, job_id, _registry_import_work, processed_rows=0)


def _registry_import_work(claim: Claim) -> None:
    job = RegistryImport.objects.select_related("municipality", "uploaded_by").get(pk=claim.pk)
    allowed = Municipality.objects.filter(pk=job.municipality_id) if job.municipality_id else Municipality.objects.all()

    def progress(done: int, total: int) -> None:
        claim.progress(100 * done // max(total, 1), processed_rows=done, total_rows=total)

    try:
        with job.file.open("rb") as handle:
            sheets = read_tables(handle, f"upload.{job.file_kind}")
    except TabularFileError as exc:
        raise JobFailed(str(exc), errors=[RowError("", 0, "", str(exc)).as_dict()]) from exc
    with transaction.atomic():
        job_lock("schools.registry")
        result, errors, total = registry_load(
            sheets=sheets,
            allowed_municipalities=allowed,
            default_municipality=job.municipality,
            progress=progress,
            mapping=job.column_mapping,
            header_index=job.header_row,
            value_map=job.value_mapping,
            import_valid_only=job.import_valid_only,
        )
        finished: dict = {"total_rows": total, "processed_rows": total}
        if result is not None and result.notes:
            finished["notes"] = [note.as_dict() for note in result.notes[:1000]]
        if result is None or (errors and not job.import_valid_only):
            raise JobFailed(
                errors[0].message if errors else "", errors=[e.as_dict() for e in errors[:1000]], **finished
            )
        job_finish(
            claim,
            errors=[e.as_dict() for e in errors[:1000]],
            rejected_count=result.rejected,
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
    mapping: dict[str, int] | None = None,
    header_index: int | None = None,
    value_map: dict | None = None,
    import_valid_only: bool = False,
) -> tuple[RegistryWriteResult | None, list[RowError], int]:
    """Parse and validate; write the rows in one transaction.

    Returns (result, errors, total_rows). By default any error writes nothing (result
    None). With ``import_valid_only`` the rows without errors are written and every row
    with an error is left out and counted as rejected (its errors are returned); an error
    about the whole file still writes nothing. Used by the Celery task and by
    ``manage.py import_schools``.
    """
    parsed = parse_registry(
        sheets,
        municipality_required=default_municipality is None,
        progress=progress,
        mapping=mapping,
        header_index=header_index,
        value_map=value_map,
    )
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
    _check_rcoi_codes(parsed.rows, municipalities, existing, errors)
    errors.sort(key=lambda e: (e.sheet, e.row))
    if not errors:
        result = _write(parsed.rows, municipalities, existing)
        result.notes = parsed.notes
        return result, [], parsed.total_rows
    if not import_valid_only or any(error.row == 0 for error in errors) or not parsed.rows:
        return None, errors, parsed.total_rows
    rejected = {error.row for error in errors}
    valid = [row for row in parsed.rows if row.row_number not in rejected]
    result = _write(valid, municipalities, existing) if valid else RegistryWriteResult()
    result.rejected = parsed.total_rows - len(valid)
    result.notes = [note for note in parsed.notes if note.row not in rejected]
    return result, errors, parsed.total_rows


def _check_rcoi_codes(
    rows: list[RegistryRow],
    municipalities: dict[int, Municipality],
    existing: dict[str, School],
    errors: list[RowError],
) -> None:
    """A РЦОИ code names one school in its region (codes of other regions may repeat)."""
    wanted = {row.values["rcoi_code"]: row for row in rows if row.values.get("rcoi_code")}
    if not wanted:
        return
    taken = School.objects.filter(rcoi_code__in=list(wanted)).values_list(
        "rcoi_code", "code", "municipality__region_id"
    )
    for rcoi, code, region_id in taken:
        row = wanted[rcoi]
        target = municipalities.get(row.row_number)
        if code != row.values["code"] and target is not None and target.region_id == region_id:
            errors.append(
                RowError("", row.row_number, "Код РЦОИ", f"Код РЦОИ {rcoi} уже у школы {code} этого региона.")
            )


def _resolve_municipalities(
    parsed: ParsedRegistry,
    allowed: QuerySet[Municipality],
    default: Municipality | None,
    errors: list[RowError],
) -> dict[int, Municipality]:
    """Each row's municipality: by ОКТМО, or by name as registers write it (see schools.matching)."""
    by_oktmo: dict[str, Municipality] = {}
    by_pk: dict[int, Municipality] = {}
    for known in allowed:
        if known.oktmo:
            by_oktmo[known.oktmo] = known
        by_pk[known.pk] = known
    names = {row.municipality_ref.strip() for row in parsed.rows} - {""} - set(by_oktmo)
    region_ids = {m.region_id for m in by_pk.values()}
    by_name = municipality_names_resolve(region_ids=region_ids, names=names) if names else {}
    resolved: dict[int, Municipality] = {}
    for row in parsed.rows:
        ref = row.municipality_ref.strip()
        if not ref:
            if default is not None:
                resolved[row.row_number] = default
            continue
        municipality = by_oktmo.get(ref)
        if municipality is None and ref in by_name and by_name[ref].settled:
            municipality = by_pk.get(by_name[ref].pk or 0)
        if municipality is None:
            message = f"Муниципалитет «{ref}» не найден"
            candidates = by_name[ref].candidates if ref in by_name else []
            if candidates and by_name[ref].status != MATCHED:
                message += " однозначно (похожие: " + ", ".join(f"«{c.name}»" for c in candidates[:3]) + ")"
            message += " или вам недоступен." if default is not None else " (укажите ОКТМО или название)."
            errors.append(RowError("", row.row_number, "Муниципалитет", message))
        else:
            resolved[row.row_number] = municipality
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
    return result


def _assign(obj, values: dict, fields: tuple[str, ...]) -> bool:
    changed = False
    for name in fields:
        if getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed = True
    return changed


def registry_imports_requeue_stale() -> list[int]:
    """The job layer's sweep (core.jobs.services.job_sweep) over registry imports."""
    return job_sweep(RegistryImport).ids


def registry_imports_purge(*, older_than_days: int | None = None) -> int:
    """Delete stored registry uploads older than the retention period (the records stay)."""
    days = settings.UPLOAD_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    purged = 0
    for job in RegistryImport.objects.filter(created_at__lt=cutoff).exclude(file=""):
        job.file.delete(save=False)
        RegistryImport.objects.filter(pk=job.pk).update(file="")
        purged += 1
    return purged
