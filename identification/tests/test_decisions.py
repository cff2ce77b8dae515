"""Decisions that say what they do: approving a run adds, keeps and revokes under one order."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from core.sample_documents import tiny_pdf
from identification import services
from identification.models import Decision, SchoolStatus, StatusKind
from identification.tests.helpers import value
from tests.hostile_uploads import CORPUS
from tests.test_hostile_uploads import _russian_only

DECIDED = datetime.date(2025, 9, 1)


@pytest.fixture
def proposed_run(ten_schools, years, run_now):
    """A ШССУ run proposing ``school`` and ``other_school`` (the two lowest ИСБШ of ten)."""
    for school, amount in zip(ten_schools, [40, 45, 80, 81, 82, 83, 84, 85, 86, 87], strict=True):
        value(school=school, year=years[2025], indicator="isbsh", amount=amount)
    return run_now("difficult_conditions", years[2025])


@pytest.fixture
def in_force(proposed_run, ten_schools, department):
    """Statuses in force before the decision: ``other_school`` (proposed again) and a third
    school the run no longer proposes."""
    kind, year = StatusKind.DIFFICULT_CONDITIONS, proposed_run.year
    return {
        "stays": services.status_set(
            school=ten_schools[1], year=year, kind=kind, reason="прошлый приказ", user=department,
            decision_number="7-од", decision_date=DECIDED,
        ),
        "drops": services.status_set(
            school=ten_schools[2], year=year, kind=kind, reason="прошлый приказ", user=department,
            decision_number="7-од", decision_date=DECIDED,
        ),
    }  # fmt: skip


def test_the_plan_adds_keeps_and_revokes_against_the_statuses_in_force(proposed_run, in_force, school, other_school):
    plan = services.run_approval_plan(run=proposed_run, school_ids=[school.pk, other_school.pk])

    assert [r.school for r in plan.add] == [school]
    assert plan.keep == [in_force["stays"]]
    assert plan.revoke == [in_force["drops"]]


def test_approving_applies_all_three_under_one_decision(proposed_run, in_force, department, school, other_school):
    decision = services.run_approve(
        run=proposed_run,
        school_ids=[school.pk, other_school.pk],
        decision_number="42-од",
        decision_date=datetime.date(2025, 9, 20),
        user=department,
    )

    added = SchoolStatus.objects.get(school=school, revoked_at=None)
    dropped = SchoolStatus.objects.get(pk=in_force["drops"].pk)
    assert added.decision == decision and added.decision_number == "42-од"
    assert decision.kept == [in_force["stays"].pk]
    assert dropped.revoked_by_decision == decision
    assert dropped.revoke_reason == "Школа не вошла в список по приказу № 42-од от 20.09.2025."
    assert SchoolStatus.objects.get(pk=in_force["stays"].pk).revoked_at is None
    # What stays in force: the kept one and the added one; the dropped school has none.
    assert set(
        SchoolStatus.objects.filter(revoked_at=None, kind=StatusKind.DIFFICULT_CONDITIONS).values_list(
            "school_id", flat=True
        )
    ) == {school.pk, other_school.pk}


def test_a_status_ticked_to_keep_is_not_revoked(proposed_run, in_force, department, school):
    decision = services.run_approve(
        run=proposed_run,
        school_ids=[school.pk],
        keep_ids=[in_force["drops"].pk],
        decision_number="43-од",
        decision_date=DECIDED,
        user=department,
    )

    assert sorted(decision.kept) == sorted([in_force["drops"].pk])
    assert decision.revoked.count() == 1  # ``stays`` was not ticked on the list nor kept by hand


def test_the_confirmation_page_shows_the_plan_and_writes_nothing(client, department, proposed_run, in_force, school):
    client.force_login(department)

    response = client.post(
        reverse("identification:run_approve", args=[proposed_run.pk]),
        {"schools": [school.pk, in_force["stays"].school_id]},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Добавить статус: 1" in body and "Оставить (статус уже действует): 1" in body
    assert "Отменить статус (школа выходит из списка): 1" in body
    assert in_force["drops"].school.short_name in body
    assert not Decision.objects.exists()
    assert SchoolStatus.objects.filter(revoked_at=None).count() == 2


def test_confirming_applies_the_decision_with_its_file_and_says_what_changed(
    client, department, proposed_run, in_force, school, other_school
):
    client.force_login(department)
    order = SimpleUploadedFile("prikaz.pdf", tiny_pdf(), content_type="application/pdf")

    response = client.post(
        reverse("identification:run_approve", args=[proposed_run.pk]),
        {
            "schools": [school.pk, other_school.pk],
            "confirm": "1",
            "decision_number": "44-од",
            "decision_date": "2025-09-20",
            "decision_file": order,
        },
    )

    decision = Decision.objects.get()
    assert response["Location"] == reverse("identification:decision_detail", args=[decision.pk])
    message = next(iter(get_messages(response.wsgi_request)))
    assert (message.level_tag, message.message) == (
        "success",
        "Приказ № 44-од от 20.09.2025: добавлено 1, оставлено 1, отменено 1.",
    )
    assert decision.file.read().startswith(b"%PDF-")
    register = client.get(reverse("identification:decisions")).content.decode()
    assert "№ 44-од от 20.09.2025" in register


def test_a_decision_that_changes_nothing_is_not_reported_in_green(
    client, department, proposed_run, school, other_school
):
    services.run_approve(
        run=proposed_run,
        school_ids=[school.pk, other_school.pk],
        decision_number="1-од",
        decision_date=DECIDED,
        user=department,
    )
    rerun_kind = proposed_run.version.methodology.kind
    again = services.identification_run_create(
        user=department, version=proposed_run.version, year=proposed_run.year, municipality=department.municipality
    )
    services.identification_run_execute(run_id=again.pk)
    assert again.version.methodology.kind == rerun_kind
    client.force_login(department)

    response = client.post(
        reverse("identification:run_approve", args=[again.pk]),
        {
            "schools": [school.pk, other_school.pk],
            "confirm": "1",
            "decision_number": "2-од",
            "decision_date": "2025-10-01",
        },
    )

    message = next(iter(get_messages(response.wsgi_request)))
    assert message.level_tag == "warning"
    assert "добавлено 0, оставлено 2, отменено 0" in message.message
    assert "Список не изменился" in message.message


def test_approving_a_run_twice_is_refused_with_a_message(client, department, proposed_run, school):
    client.force_login(department)
    data = {"schools": [school.pk], "confirm": "1", "decision_number": "5-од", "decision_date": "2025-09-20"}
    client.post(reverse("identification:run_approve", args=[proposed_run.pk]), data)

    response = client.post(reverse("identification:run_approve", args=[proposed_run.pk]), data)

    assert response.status_code == 302
    message = list(get_messages(response.wsgi_request))[-1]
    assert message.message == "Этот запуск уже утверждён приказом № 5-од от 20.09.2025: обновите страницу."
    assert Decision.objects.count() == 1


@pytest.fixture
def presets():
    """The methodology presets the migrations seed: an earlier transactional test flushes them."""
    import importlib

    from django.apps import apps

    for module in ("monitoring.migrations.0002_seed_subjects", "identification.migrations.0003_methodology_presets"):
        importlib.import_module(module).seed(apps, None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the test database on SQLite is in memory with a shared cache, whose table locks fail at once "
    "(«database table is locked») instead of waiting as the file database's immediate transactions and busy "
    "timeout do in production; the race is tested on PostgreSQL (.ci/run's second pass)",
)
def test_two_concurrent_approvals_of_one_run_give_one_decision_and_a_message(
    presets, proposed_run, department, school, other_school
):
    """Two people press «Утвердить» at the same moment (issue #21: IntegrityError → 500)."""
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(number: str) -> None:
        try:
            start.wait(timeout=10)
            services.run_approve(
                run=proposed_run,
                school_ids=[school.pk, other_school.pk],
                decision_number=number,
                decision_date=DECIDED,
                user=department,
            )
            outcomes.append("approved")
        except services.IdentificationRefused as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(n,)) for n in ("10-од", "11-од")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes)[0] == "approved"
    assert outcomes.count("approved") == 1
    refusal = next(o for o in outcomes if o != "approved")
    already = {services.ALREADY_APPROVED.format(number=number, date=DECIDED) for number in ("10-од", "11-од")}
    assert refusal in {services.APPROVED_CONCURRENTLY, *already}
    assert Decision.objects.count() == 1
    assert SchoolStatus.objects.filter(revoked_at=None).count() == 2


def test_the_register_is_scoped_to_the_municipality(client, outsider, department, proposed_run, school):
    services.run_approve(
        run=proposed_run, school_ids=[school.pk], decision_number="9-од", decision_date=DECIDED, user=department
    )
    decision = Decision.objects.get()
    client.force_login(outsider)

    assert "9-од" not in client.get(reverse("identification:decisions")).content.decode()
    assert client.get(reverse("identification:decision_detail", args=[decision.pk])).status_code == 404


def test_refusals_of_a_status_by_hand_say_why(in_force, proposed_run, ten_schools, department, director):
    kind, year = StatusKind.DIFFICULT_CONDITIONS, proposed_run.year
    refusals = [
        (services.STATUS_EXISTS, {"school": ten_schools[1], "reason": "ещё раз", "user": department}),
        (services.REASON_MISSING, {"school": ten_schools[3], "reason": "  ", "user": department}),
        (services.STATUS_SET_NOT_ALLOWED, {"school": ten_schools[3], "reason": "сам", "user": director}),
    ]
    for message, fields in refusals:
        with pytest.raises(services.IdentificationRefused) as refused:
            services.status_set(year=year, kind=kind, **fields)
        assert refused.value.message == message

    services.status_revoke(status=in_force["drops"], reason="ошибка", user=department)
    with pytest.raises(services.IdentificationRefused) as refused:
        services.status_revoke(status=in_force["drops"], reason="ошибка", user=department)
    assert refused.value.message == services.STATUS_ALREADY_REVOKED
    assert SchoolStatus.objects.filter(revoked_at=None, kind=kind).count() == 1


def test_the_decision_file_refuses_the_hostile_corpus_in_russian(client, department, proposed_run, school, settings):
    """Every file of tests/hostile_uploads.py as the order's file, through the confirmation page: the
    page again with a Russian error, no decision, nothing on disk (tests/test_upload_fields_http.py).
    A file starting with «%PDF-» and then anything was taken before (core.uploads checks it now)."""
    client.force_login(department)
    wrong = []
    for hostile in CORPUS:
        response = client.post(
            reverse("identification:run_approve", args=[proposed_run.pk]),
            {"schools": [school.pk], "confirm": "1", "decision_number": "44-од", "decision_date": "2025-09-20",
             "decision_file": SimpleUploadedFile(hostile.name, hostile.build())},
        )  # fmt: skip
        form = response.context["form"] if response.status_code == 200 else None
        said = [error for errors in form.errors.values() for error in errors] if form is not None else []
        if not said or not all(_russian_only(text) for text in said):
            wrong.append(f"{hostile.slug}: {response.status_code} {said}")
    media = Path(settings.MEDIA_ROOT)
    assert not wrong, "\n".join(wrong)
    assert not Decision.objects.exists()
    assert not (media.exists() and [p for p in media.rglob("*") if p.is_file()])
