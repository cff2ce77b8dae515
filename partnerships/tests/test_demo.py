"""The partnerships part of seed_demo: agreements in every state, candidates, idempotent."""

import pytest

from partnerships.demo import demo_seed
from partnerships.models import Agreement, AgreementEvent, PartnerCandidate
from partnerships.selectors import dashboard_figures
from schools.demo import demo_district_seed
from schools.models import Municipality, Organisation


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_demo_has_agreements_in_every_state_and_a_second_run_creates_nothing(db):
    demo_district_seed()

    line = demo_seed()

    assert line.startswith("Партнёрство: 6 договоров")
    assert set(Agreement.objects.values_list("status", flat=True)) == set(Agreement.Status.values)
    kinds = set(PartnerCandidate.objects.values_list("organisation__kind", flat=True))
    assert {
        Organisation.Kind.UNIVERSITY,
        Organisation.Kind.ADDITIONAL,
        Organisation.Kind.METHODOLOGICAL_CENTRE,
    } <= kinds
    terminated = Agreement.objects.get(status=Agreement.Status.TERMINATED)
    assert terminated.termination_reason
    assert terminated.events.filter(action=AgreementEvent.Action.TRANSITION).count() == 2
    before = (Agreement.objects.count(), AgreementEvent.objects.count(), PartnerCandidate.objects.count())

    assert demo_seed() == "Партнёрство: демо-данные уже есть, ничего не добавлено."
    assert (Agreement.objects.count(), AgreementEvent.objects.count(), PartnerCandidate.objects.count()) == before
    figures = dashboard_figures(municipality=Municipality.objects.get(oktmo="99610000"))
    assert figures.new_agreements == 4  # signed in 2025/2026: 2-П, 3-П, 4-П and the terminated 6-П
    assert figures.supported_with_partner == 2
