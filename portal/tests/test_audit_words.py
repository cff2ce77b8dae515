"""The audit log reads in Russian words: no raw keys (decision_number) or codes (low_results)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from core.audit import details_display
from identification import services
from identification.models import StatusKind
from tests.factories import AcademicYearFactory


def test_an_approval_and_a_status_read_in_words(client, department, school):
    year = AcademicYearFactory(start_year=2025)
    services.status_set(
        school=school, year=year, kind=StatusKind.LOW_RESULTS, reason="по итогам ВПР", user=department,
        decision_number="42-од", decision_date=dt.date(2025, 9, 1),
    )  # fmt: skip
    client.force_login(department)

    body = client.get(reverse("core:audit_log")).content.decode()

    assert "Статус:</span> ШНОР" in body
    assert "low_results" not in body and "kind:" not in body


def test_the_details_of_every_new_action_have_words():
    written = {
        "decision_number": "42-од",
        "kind": "difficult_conditions",
        "added": 2,
        "kept": 0,
        "revoked": 1,
        "role": "Куратор",
        "email": "a@example.ru",
        "sessions_ended": 1,
        "links": 2,
        "periods": 2,
        "programmes_carried": 3,
        "programmes_restarted": 0,
        "statuses_kept": 5,
        "curator_after_days": 3,
        "department_after_days": 7,
    }

    shown = details_display(written)

    assert [label for label, _ in shown if label in written] == []
    assert ("Статус", "ШССУ") in shown and ("Номер приказа", "42-од") in shown
