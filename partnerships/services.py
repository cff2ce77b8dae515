"""Writes of the partnerships app. Every change of an agreement leaves an ``AgreementEvent``.

The workflow (issue #6): draft → signed → active → completed, and signed/active → terminated
with a reason. ``agreement_transition`` is the only function that writes ``status``; it
refuses any other move, and it enforces the partner cap at signing — the moment an
agreement starts to load its partners — whatever the page offered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_record
from core.errors import ApplicationError
from core.uploads import upload_check
from partnerships import selectors
from partnerships.models import Agreement, AgreementEvent, PartnerCandidate, PartnershipSettings, SupportForm
from schools.models import AcademicYear, Municipality, Organisation, School

S = Agreement.Status
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.SIGNED,),
    S.SIGNED: (S.ACTIVE, S.TERMINATED),
    S.ACTIVE: (S.COMPLETED, S.TERMINATED),
    S.COMPLETED: (),
    S.TERMINATED: (),
}
# Labels of the buttons that make each move (the page shows only the legal ones).
TRANSITION_LABELS = {
    S.SIGNED: "Отметить подписанным",
    S.ACTIVE: "Начать исполнение",
    S.COMPLETED: "Завершить (исполнен)",
    S.TERMINATED: "Расторгнуть",
}
SCAN_MAX_BYTES = 10 * 1024 * 1024
SCAN_KINDS = frozenset({"pdf", "jpg", "png"})  # decided by core.uploads, by decoding
# Signatures of the only kinds a scan may be: the first bytes decide, not the name.
SCAN_SIGNATURES = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"))
SCAN_CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


class AgreementError(ApplicationError, ValidationError):  # type: ignore[misc]  # both keep .message
    """A refused change; the message is Russian and shown to the user as it is."""


# The refusals' words (tests import them: core.errors).
DEPARTMENT_NOT_PARTNER = "Управление образования не может быть партнёром по договору."
CANDIDATE_OF_ANOTHER_MUNICIPALITY = "Кандидатов добавляют из организаций своего муниципалитета."
ALREADY_CANDIDATE = "«{organisation}» уже среди кандидатов."
UNKNOWN_SUPPORT_FORMS = "Неизвестные формы поддержки: {forms}."
NUMBER_TAKEN = "Договор № {number} {year} уже есть в реестре: проверьте номер."
NO_PARTNER = "Укажите хотя бы одну организацию-партнёра."
SCHOOL_OWN_PARTNER = "Школа не может быть партнёром самой себе."
ENDS_BEFORE_START = "Срок окончания раньше начала."
NOT_A_CANDIDATE = "«{organisation}» не входит в число кандидатов в партнёры."
ONLY_DRAFT_EDITED = "Сведения меняются только в проекте договора; подписанный договор не правится."
PARTNER_AT_CAP = (
    "У партнёра {names} уже {count} действующих договора(ов) при пределе {cap}: новый договор с ним не заключается."
)
TRANSITION_NOT_ALLOWED = "Нельзя перевести договор из статуса «{current}» в «{to}»."
SIGNED_NEEDS = "Чтобы отметить договор подписанным, укажите: {missing}."
NO_PARTNER_IN_AGREEMENT = "В договоре нет организации-партнёра."
TERMINATION_REASON_MISSING = "Укажите причину расторжения."
SCAN_ONLY_SIGNED = "Скан прикладывается к подписанному договору: сначала отметьте его подписанным."
RATING_ONLY_ACTIVE_OR_CLOSED = "Оценку дают действующему или закрытому договору."
RATING_OUT_OF_RANGE = "Оценка — от 1 до 5."
RESULTS_MISSING = "Опишите итоги сотрудничества."


def _log(agreement: Agreement, *, action: str, by, changes=None, comment: str = "", **statuses) -> None:
    AgreementEvent.objects.create(
        agreement=agreement, action=action, by=by, changes=changes or {}, comment=comment, **statuses
    )


# --- Settings and candidates ----------------------------------------------------------------


def partnership_settings_update(
    *, municipality: Municipality, agreement_cap: int, yearly_target: int
) -> PartnershipSettings:
    row, _ = PartnershipSettings.objects.update_or_create(
        municipality=municipality, defaults={"agreement_cap": agreement_cap, "yearly_target": yearly_target}
    )
    return row


def candidate_add(*, municipality: Municipality, organisation: Organisation, strengths: str, by) -> PartnerCandidate:
    if organisation.kind == Organisation.Kind.DEPARTMENT:
        raise AgreementError(DEPARTMENT_NOT_PARTNER)
    if organisation.municipality_id != municipality.pk:
        raise AgreementError(CANDIDATE_OF_ANOTHER_MUNICIPALITY)
    candidate, created = PartnerCandidate.objects.get_or_create(
        municipality=municipality, organisation=organisation, defaults={"strengths": strengths, "added_by": by}
    )
    if not created:
        raise AgreementError(ALREADY_CANDIDATE.format(organisation=organisation))
    return candidate


def candidate_remove(*, candidate: PartnerCandidate) -> None:
    candidate.delete()


# --- Agreements -------------------------------------------------------------------------------


def _check_support_forms(values) -> list[str]:
    known = set(SupportForm.values)
    unknown = [v for v in values if v not in known]
    if unknown:
        raise AgreementError(UNKNOWN_SUPPORT_FORMS.format(forms=", ".join(unknown)))
    return list(values)


@transaction.atomic
def _check_number_free(*, municipality_id: int, number: str, signed_on, excluding: int | None = None) -> None:
    """The department's numbering: one number per year (the database constraint backs this up)."""
    if not number:
        return
    same = Agreement.objects.filter(municipality_id=municipality_id, number=number)
    same = same.filter(signed_on__year=signed_on.year) if signed_on else same.filter(signed_on=None)
    if excluding is not None:
        same = same.exclude(pk=excluding)
    if same.exists():
        year = f"за {signed_on.year} год" if signed_on else "без даты"
        raise AgreementError(NUMBER_TAKEN.format(number=number, year=year))


def agreement_create(
    *,
    by,
    supported_school: School,
    partners: list[Organisation],
    number: str = "",
    signed_on: date | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    support_forms: Sequence[str] = (),
    subjects=(),
    activities: str = "",
) -> Agreement:
    """A draft agreement of the supported school's municipality."""
    if not partners:
        raise AgreementError(NO_PARTNER)
    if any(p.pk == supported_school.organisation_id for p in partners):
        raise AgreementError(SCHOOL_OWN_PARTNER)
    if starts_on and ends_on and ends_on < starts_on:
        raise AgreementError(ENDS_BEFORE_START)
    _check_number_free(municipality_id=supported_school.municipality_id, number=number.strip(), signed_on=signed_on)
    try:
        with transaction.atomic():  # a savepoint: two departments' clerks racing for one number
            agreement = _agreement_insert(
                by=by,
                supported_school=supported_school,
                number=number,
                signed_on=signed_on,
                starts_on=starts_on,
                ends_on=ends_on,
                support_forms=support_forms,
                activities=activities,
            )
    except IntegrityError as exc:
        raise AgreementError(NUMBER_TAKEN.format(number=number.strip(), year="за этот год")) from exc
    agreement.partners.set(partners)
    agreement.subjects.set(subjects)
    _log(agreement, action=AgreementEvent.Action.CREATED, by=by, to_status=S.DRAFT)
    return agreement


def _agreement_insert(
    *, by, supported_school, number, signed_on, starts_on, ends_on, support_forms, activities
) -> Agreement:
    return Agreement.objects.create(
        municipality_id=supported_school.municipality_id,
        supported_school=supported_school,
        number=number.strip(),
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        support_forms=_check_support_forms(support_forms),
        activities=activities,
        created_by=by,
    )


@transaction.atomic
def agreement_from_suggestion(*, by, school: School, organisation: Organisation) -> Agreement:
    """Accepting a suggestion: the candidate must be one, and below the cap."""
    candidates = selectors.candidates_for(municipality_id=school.municipality_id, year=AcademicYear.current())
    if organisation.pk not in {c.organisation.pk for c in candidates}:
        raise AgreementError(NOT_A_CANDIDATE.format(organisation=organisation))
    _check_cap(municipality_id=school.municipality_id, partners=[organisation])
    return agreement_create(by=by, supported_school=school, partners=[organisation])


_EDITABLE = ("number", "signed_on", "starts_on", "ends_on", "support_forms", "activities")


@transaction.atomic
def agreement_update(*, agreement: Agreement, by, partners=None, subjects=None, **fields) -> Agreement:
    """Details change while the agreement is a draft; a signed one changes only by its status."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != S.DRAFT:
        raise AgreementError(ONLY_DRAFT_EDITED)
    unknown = set(fields) - set(_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if "support_forms" in fields:
        fields["support_forms"] = _check_support_forms(fields["support_forms"])
    starts, ends = fields.get("starts_on", agreement.starts_on), fields.get("ends_on", agreement.ends_on)
    if starts and ends and ends < starts:
        raise AgreementError(ENDS_BEFORE_START)
    if "number" in fields or "signed_on" in fields:
        _check_number_free(
            municipality_id=agreement.municipality_id,
            number=fields.get("number", agreement.number).strip(),
            signed_on=fields.get("signed_on", agreement.signed_on),
            excluding=agreement.pk,
        )
    changes = {}
    for name, value in fields.items():
        old = getattr(agreement, name)
        if old != value:
            label = str(Agreement._meta.get_field(name).verbose_name)  # type: ignore[union-attr]  # a concrete field
            changes[label] = [_text(old), _text(value)]
            setattr(agreement, name, value)
    if partners is not None:
        if not partners:
            raise AgreementError(NO_PARTNER)
        if any(p.pk == agreement.supported_school.organisation_id for p in partners):
            raise AgreementError(SCHOOL_OWN_PARTNER)
        old = sorted(str(p) for p in agreement.partners.all())
        new = sorted(str(p) for p in partners)
        if old != new:
            changes["организации-партнёры"] = [", ".join(old), ", ".join(new)]
            agreement.partners.set(partners)
    if subjects is not None:
        old = sorted(str(s) for s in agreement.subjects.all())
        new = sorted(str(s) for s in subjects)
        if old != new:
            changes["предметы"] = [", ".join(old), ", ".join(new)]
            agreement.subjects.set(subjects)
    if changes:
        agreement.save()
        _log(agreement, action=AgreementEvent.Action.EDITED, by=by, changes=changes)
    return agreement


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, list):
        labels = dict(SupportForm.choices)
        return ", ".join(str(labels.get(v, v)) for v in value) or "—"
    return str(value)


def _check_cap(*, municipality_id: int, partners, excluding: Agreement | None = None) -> None:
    """Refuse when a partner already carries the municipality's cap of signed and active agreements."""
    cap = selectors.settings_of(municipality_id).agreement_cap
    ids = [p.pk for p in partners]
    # Lock the partners so two signings cannot both take the last free place.
    list(Organisation.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    loading = Agreement.partners.through.objects.filter(
        organisation_id__in=ids, agreement__status__in=Agreement.LOADING
    )
    if excluding is not None:
        loading = loading.exclude(agreement_id=excluding.pk)
    counts: dict[int, int] = {}
    for organisation_id in loading.values_list("organisation_id", flat=True):
        counts[organisation_id] = counts.get(organisation_id, 0) + 1
    full = [p for p in partners if counts.get(p.pk, 0) >= cap]
    if full:
        names = ", ".join(f"«{p}»" for p in full)
        raise AgreementError(PARTNER_AT_CAP.format(names=names, count=counts[full[0].pk], cap=cap))


@transaction.atomic
def agreement_transition(*, agreement: Agreement, to: str, by, reason: str = "") -> Agreement:
    """Move the agreement to ``to`` if the workflow allows it, or raise AgreementError."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    current = agreement.status
    if to not in TRANSITIONS.get(current, ()):
        raise AgreementError(
            TRANSITION_NOT_ALLOWED.format(current=S(current).label, to=S(to).label if to in S.values else to)
        )
    if to == S.SIGNED:
        missing = [label for label, value in (("номер", agreement.number), ("дата", agreement.signed_on)) if not value]
        if missing:
            raise AgreementError(SIGNED_NEEDS.format(missing=", ".join(missing)))
        partners = list(agreement.partners.all())
        if not partners:
            raise AgreementError(NO_PARTNER_IN_AGREEMENT)
        _check_cap(municipality_id=agreement.municipality_id, partners=partners, excluding=agreement)
    comment = ""
    if to == S.TERMINATED:
        reason = reason.strip()
        if not reason:
            raise AgreementError(TERMINATION_REASON_MISSING)
        agreement.termination_reason = reason
        comment = reason
    agreement.status = to
    agreement.save(update_fields=["status", "termination_reason", "updated_at"])
    _log(agreement, action=AgreementEvent.Action.TRANSITION, by=by, from_status=current, to_status=to, comment=comment)
    audit_record(
        actor=by,
        action="agreement.signed" if to == S.SIGNED else "agreement.status_changed",
        target=agreement,
        municipality_id=agreement.municipality_id,
        details={"было": S(current).label, "стало": S(to).label} | ({"причина": comment} if comment else {}),
    )
    return agreement


def scan_kind_of(head: bytes) -> str | None:
    for signature, kind in SCAN_SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


@transaction.atomic
def agreement_scan_attach(*, agreement: Agreement, upload: UploadedFile, by) -> Agreement:
    """Store the signed scan: PDF, JPEG or PNG by content, at most 10 MB."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status == S.DRAFT:
        raise AgreementError(SCAN_ONLY_SIGNED)
    try:
        checked = upload_check(upload, name=upload.name or "", kinds=SCAN_KINDS, max_bytes=SCAN_MAX_BYTES)
    except ValidationError as exc:
        raise AgreementError(" ".join(exc.messages)) from exc
    kind = checked.extension
    old = agreement.scan.name if agreement.scan else ""
    agreement.scan_kind = kind
    agreement.scan_name = (upload.name or f"scan.{kind}")[:255]
    agreement.scan.save(f"scan.{kind}", upload, save=False)
    agreement.save(update_fields=["scan", "scan_kind", "scan_name", "updated_at"])
    if old:
        # The previous file goes after the commit, so a rollback never leaves a dangling row.
        storage = agreement.scan.storage
        transaction.on_commit(lambda: storage.delete(old))
    _log(agreement, action=AgreementEvent.Action.SCAN, by=by, comment=agreement.scan_name)
    return agreement


@transaction.atomic
def agreement_assess(*, agreement: Agreement, results: str, rating: int, by) -> Agreement:
    """End-of-term assessment: what came of it and a 1–5 rating."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status not in (S.ACTIVE, S.COMPLETED, S.TERMINATED):
        raise AgreementError(RATING_ONLY_ACTIVE_OR_CLOSED)
    if not 1 <= int(rating) <= 5:
        raise AgreementError(RATING_OUT_OF_RANGE)
    if not results.strip():
        raise AgreementError(RESULTS_MISSING)
    changes = {}
    if agreement.assessment_rating != rating:
        changes["оценка"] = [_text(agreement.assessment_rating), str(rating)]
    agreement.assessment_results = results.strip()
    agreement.assessment_rating = rating
    agreement.assessed_at = timezone.now()
    agreement.save(update_fields=["assessment_results", "assessment_rating", "assessed_at", "updated_at"])
    _log(agreement, action=AgreementEvent.Action.ASSESSED, by=by, changes=changes, comment=agreement.assessment_results)
    return agreement
