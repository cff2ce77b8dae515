"""The agreement workflow: only the legal moves, the cap at signing, and every change in the history."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.sample_documents import tiny_image, tiny_pdf
from partnerships import services
from partnerships.models import Agreement, AgreementEvent, PartnershipSettings
from partnerships.services import (
    AgreementError,
    agreement_assess,
    agreement_create,
    agreement_from_suggestion,
    agreement_scan_attach,
    agreement_transition,
    agreement_update,
)
from partnerships.tests.conftest import agreement_with, give_status, strong_school

S = Agreement.Status


@pytest.fixture
def partner(municipality, year):
    return strong_school(municipality, year, organisation__short_name="Гимназия № 2")


@pytest.fixture
def draft(school, partner, department):
    return agreement_create(
        by=department,
        supported_school=school,
        partners=[partner.organisation],
        number="15-П",
        signed_on=date(2025, 10, 1),
    )


def test_an_agreement_goes_draft_signed_active_completed_and_each_step_is_in_the_history(draft, department):
    for status in (S.SIGNED, S.ACTIVE, S.COMPLETED):
        agreement_transition(agreement=draft, to=status, by=department)

    draft.refresh_from_db()
    assert draft.status == S.COMPLETED
    moves = list(
        draft.events.filter(action=AgreementEvent.Action.TRANSITION)
        .order_by("at", "pk")
        .values_list("from_status", "to_status")
    )
    assert moves == [(S.DRAFT, S.SIGNED), (S.SIGNED, S.ACTIVE), (S.ACTIVE, S.COMPLETED)]
    assert draft.events.filter(action=AgreementEvent.Action.CREATED).count() == 1


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), S.ACTIVE),
        ((), S.COMPLETED),
        ((), S.TERMINATED),
        ((S.SIGNED,), S.COMPLETED),
        ((S.SIGNED,), S.DRAFT),
        ((S.SIGNED, S.ACTIVE), S.SIGNED),
        ((S.SIGNED, S.ACTIVE, S.COMPLETED), S.ACTIVE),
        ((S.SIGNED, S.ACTIVE, S.COMPLETED), S.TERMINATED),
        ((S.SIGNED, S.ACTIVE), "nonsense"),
    ],
)
def test_the_workflow_refuses_an_illegal_move_and_changes_nothing(draft, department, path, illegal):
    for status in path:
        agreement_transition(agreement=draft, to=status, by=department)
    before = draft.events.count()

    with pytest.raises(AgreementError) as refused:
        agreement_transition(agreement=draft, to=illegal, by=department)
    assert refused.value.message == services.TRANSITION_NOT_ALLOWED.format(
        current=S(path[-1] if path else S.DRAFT).label, to=S(illegal).label if illegal in S.values else illegal
    )

    draft.refresh_from_db()
    assert draft.status == (path[-1] if path else S.DRAFT)
    assert draft.events.count() == before


def test_termination_needs_a_reason_and_keeps_it(draft, department):
    agreement_transition(agreement=draft, to=S.SIGNED, by=department)
    with pytest.raises(AgreementError) as refused:
        agreement_transition(agreement=draft, to=S.TERMINATED, by=department, reason="  ")
    assert refused.value.message == services.TERMINATION_REASON_MISSING

    agreement_transition(agreement=draft, to=S.TERMINATED, by=department, reason="Школа-партнёр реорганизована")

    draft.refresh_from_db()
    assert draft.status == S.TERMINATED
    assert draft.termination_reason == "Школа-партнёр реорганизована"


def test_signing_needs_a_number_and_a_date(school, partner, department):
    agreement = agreement_create(by=department, supported_school=school, partners=[partner.organisation])

    with pytest.raises(AgreementError) as refused:
        agreement_transition(agreement=agreement, to=S.SIGNED, by=department)
    assert refused.value.message == services.SIGNED_NEEDS.format(missing="номер, дата")
    agreement.refresh_from_db()
    assert agreement.status == S.DRAFT


def test_the_cap_refuses_signing_with_a_partner_that_already_carries_it(
    school, other_school, partner, municipality, department
):
    PartnershipSettings.objects.create(municipality=municipality, agreement_cap=2)
    agreement_with(supported=other_school, partners=[partner], status=S.ACTIVE)
    agreement_with(supported=other_school, partners=[partner], status=S.SIGNED)
    draft = agreement_with(supported=school, partners=[partner], number="3", signed_on=date(2025, 11, 1))

    with pytest.raises(AgreementError) as refused:
        agreement_transition(agreement=draft, to=S.SIGNED, by=department)
    assert refused.value.message == services.PARTNER_AT_CAP.format(names=f"«{partner.organisation}»", count=2, cap=2)

    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_a_closed_agreement_frees_its_partner_for_a_new_one(school, other_school, partner, municipality, department):
    PartnershipSettings.objects.create(municipality=municipality, agreement_cap=1)
    old = agreement_with(supported=other_school, partners=[partner], status=S.ACTIVE)
    draft = agreement_with(supported=school, partners=[partner], number="4", signed_on=date(2025, 11, 1))
    agreement_transition(agreement=old, to=S.COMPLETED, by=department)

    agreement_transition(agreement=draft, to=S.SIGNED, by=department)

    draft.refresh_from_db()
    assert draft.status == S.SIGNED


def test_accepting_a_suggestion_refuses_a_partner_at_the_cap_and_a_non_candidate(
    school, other_school, partner, municipality, department, year
):
    give_status(school, year)
    PartnershipSettings.objects.create(municipality=municipality, agreement_cap=1)
    agreement_with(supported=other_school, partners=[partner], status=S.ACTIVE)

    with pytest.raises(AgreementError) as refused:
        agreement_from_suggestion(by=department, school=school, organisation=partner.organisation)
    assert refused.value.message == services.PARTNER_AT_CAP.format(names=f"«{partner.organisation}»", count=1, cap=1)
    with pytest.raises(AgreementError) as refused:
        agreement_from_suggestion(by=department, school=school, organisation=other_school.organisation)
    assert refused.value.message == services.NOT_A_CANDIDATE.format(organisation=other_school.organisation)
    assert not Agreement.objects.filter(supported_school=school).exists()


def test_accepting_a_suggestion_starts_a_draft_with_that_partner(school, partner, department, year):
    give_status(school, year)

    agreement = agreement_from_suggestion(by=department, school=school, organisation=partner.organisation)

    assert agreement.status == S.DRAFT
    assert list(agreement.partners.all()) == [partner.organisation]
    assert agreement.municipality_id == school.municipality_id


def test_editing_a_draft_records_what_changed_and_a_signed_one_cannot_be_edited(draft, department):
    agreement_update(agreement=draft, by=department, number="16-П", support_forms=["methodical", "staffing"])

    event = draft.events.get(action=AgreementEvent.Action.EDITED)
    assert event.changes["номер договора"] == ["15-П", "16-П"]
    assert event.changes["формы поддержки"] == ["—", "Методическая, Кадровая"]

    agreement_transition(agreement=draft, to=S.SIGNED, by=department)
    with pytest.raises(AgreementError) as refused:
        agreement_update(agreement=draft, by=department, number="17-П")
    assert refused.value.message == services.ONLY_DRAFT_EDITED


def test_a_scan_must_be_pdf_jpeg_or_png_by_content(draft, department):
    agreement_transition(agreement=draft, to=S.SIGNED, by=department)
    disguised = SimpleUploadedFile("dogovor.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")

    with pytest.raises(AgreementError, match="PDF, JPEG или PNG"):
        agreement_scan_attach(agreement=draft, upload=disguised, by=department)
    draft.refresh_from_db()
    assert not draft.scan

    png = SimpleUploadedFile("scan.txt", tiny_image("PNG"))
    agreement_scan_attach(agreement=draft, upload=png, by=department)
    draft.refresh_from_db()
    assert draft.scan_kind == "png"
    assert draft.scan.name.endswith(".png")
    assert "scan.txt" not in draft.scan.name


def test_a_draft_takes_no_scan(draft, department):
    pdf = SimpleUploadedFile("scan.pdf", tiny_pdf())
    with pytest.raises(AgreementError) as refused:
        agreement_scan_attach(agreement=draft, upload=pdf, by=department)
    assert refused.value.message == services.SCAN_ONLY_SIGNED


def test_the_end_of_term_assessment_is_kept_and_logged(draft, department):
    with pytest.raises(AgreementError) as refused:
        agreement_assess(agreement=draft, results="Рано", rating=4, by=department)
    assert refused.value.message == services.RATING_ONLY_ACTIVE_OR_CLOSED
    for status in (S.SIGNED, S.ACTIVE, S.COMPLETED):
        agreement_transition(agreement=draft, to=status, by=department)

    agreement_assess(agreement=draft, results="Доля «2» по математике снизилась с 40% до 22%", rating=4, by=department)

    draft.refresh_from_db()
    assert (draft.assessment_rating, draft.assessed_at is not None) == (4, True)
    assert draft.events.filter(action=AgreementEvent.Action.ASSESSED).exists()


def test_candidates_come_from_the_departments_own_municipality(municipality, foreign_school, department):
    from partnerships.services import candidate_add

    with pytest.raises(AgreementError) as refused:
        candidate_add(municipality=municipality, organisation=foreign_school.organisation, strengths="", by=department)
    assert refused.value.message == services.CANDIDATE_OF_ANOTHER_MUNICIPALITY


def test_signing_and_later_moves_go_to_the_audit_log(draft, department):
    from core.models import AuditEvent

    agreement_transition(agreement=draft, to=S.SIGNED, by=department)
    agreement_transition(agreement=draft, to=S.ACTIVE, by=department)

    assert list(AuditEvent.objects.order_by("pk").values_list("action", "actor")) == [
        ("agreement.signed", department.pk),
        ("agreement.status_changed", department.pk),
    ]
