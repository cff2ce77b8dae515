"""The broker down when the department asks for a recompute or a director submits the
self-diagnosis: the action succeeds, the page says the work is delayed, and the sweep
(risks_requeue_stale) does it once the broker is back (core/queue.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core import queue
from risks.models import RecomputeJob, RiskQuestion, SchoolRisk, SelfDiagnosis
from risks.services import recompute_job_run, risks_requeue_stale, self_diagnosis_save

TEN_MINUTES_AGO = timedelta(minutes=10)


# Real commits: the notice belongs to the request that queued the task (on_commit runs inside it).
@pytest.mark.django_db(transaction=True)
def test_a_recompute_asked_for_with_the_broker_down_is_kept_and_the_sweep_runs_it_once(
    client, department, school, year, broker
):
    broker.up = False
    client.force_login(department)

    response = client.post(reverse("risks:recompute"), {"year": "2025"}, follow=True)

    job = RecomputeJob.objects.get()
    assert response.status_code == 200 and job.status == RecomputeJob.Status.QUEUED
    page = response.content.decode().lower()
    assert "запрос на пересчёт сохранён, но пересчёт задерживается" in page and "ничего не потеряно" in page
    RecomputeJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - queue.DELAYED_AFTER - timedelta(seconds=5)
    )
    fragment = client.get(reverse("risks:recompute_status", args=[job.pk])).content.decode().lower()
    assert 'id="queue-delayed"' in fragment and "hx-get" in fragment  # still polled, and says why it waits

    broker.up = True
    RecomputeJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - TEN_MINUTES_AGO)
    assert risks_requeue_stale()["jobs"] == [job.pk]
    job.refresh_from_db()
    assert job.status == RecomputeJob.Status.DONE and job.started_at is not None
    summary = job.summary
    assert risks_requeue_stale()["jobs"] == []
    recompute_job_run(job_id=job.pk)  # the first message, delivered late after all
    assert RecomputeJob.objects.get(pk=job.pk).summary == summary


def test_a_recompute_whose_worker_died_is_queued_again(department, year, broker, django_capture_on_commit_callbacks):
    long_ago = timezone.now() - queue.STALE_RUNNING_AFTER - timedelta(minutes=1)
    dead = RecomputeJob.objects.create(year=year, municipality=department.municipality, status="running")
    RecomputeJob.objects.filter(pk=dead.pk).update(started_at=long_ago, created_at=long_ago)
    alive = RecomputeJob.objects.create(
        year=year, municipality=department.municipality, status="running", started_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert risks_requeue_stale()["jobs"] == [dead.pk]

    assert RecomputeJob.objects.get(pk=dead.pk).status == RecomputeJob.Status.DONE
    assert RecomputeJob.objects.get(pk=alive.pk).status == RecomputeJob.Status.RUNNING


def test_a_self_diagnosis_submitted_with_the_broker_down_gets_its_risk_profile_from_the_sweep(
    school, year, director, broker, django_capture_on_commit_callbacks
):
    answers = {q.pk: 4 for q in RiskQuestion.objects.filter(factor__code="equipment", factor__is_current=True)}
    broker.up = False
    with django_capture_on_commit_callbacks(execute=True):
        diagnosis = self_diagnosis_save(school=school, year=year, user=director, answers=answers, submit=True)
    assert broker.attempts == ["risks.tasks.recompute_school_profile"]
    assert not SchoolRisk.objects.filter(school=school, year=year).exists()  # the profile's message was lost
    assert risks_requeue_stale()["profiles"] == []  # just submitted: its message may still be on the way

    SelfDiagnosis.objects.filter(pk=diagnosis.pk).update(updated_at=timezone.now() - TEN_MINUTES_AGO)
    broker.up = True
    with django_capture_on_commit_callbacks(execute=True):
        assert risks_requeue_stale()["profiles"] == [diagnosis.pk]

    equipment = SchoolRisk.objects.get(school=school, year=year, factor__code="equipment", factor__is_current=True)
    assert (equipment.level, equipment.source) == ("high", "self_diagnosis")
    with django_capture_on_commit_callbacks(execute=True):
        assert risks_requeue_stale()["profiles"] == []  # computed after the answers: nothing to do
