"""The broker down when a report is ordered: the order is kept, the page says the rendering is
delayed, and the sweep (reports_requeue_stale) renders it once the broker is back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core import queue
from reports import services
from reports.models import ReportRequest
from reports.tasks import render_report


# Real commits: the notice belongs to the request that queued the task (on_commit runs inside it).
@pytest.mark.django_db(transaction=True)
def test_a_report_ordered_with_the_broker_down_is_kept_and_rendered_once_by_the_sweep(client, department, broker):
    broker.up = False
    client.force_login(department)

    response = client.post(reverse("reports:new"), {"kind": "agreements", "format": "pdf"}, follow=True)

    request = ReportRequest.objects.get()
    page = response.content.decode().lower()
    assert response.status_code == 200 and request.status == "queued"
    assert "формирование задерживается" in page and "поставлен в очередь" not in page
    ReportRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - queue.DELAYED_AFTER - dt.timedelta(seconds=5)
    )
    fragment = client.get(request.get_absolute_url(), headers={"HX-Request": "true"}).content.decode().lower()
    assert 'id="queue-delayed"' in fragment and "заказывать отчёт повторно не нужно" in fragment

    broker.up = True
    ReportRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    assert services.reports_requeue_stale() == 1
    request.refresh_from_db()
    assert request.status == "done"
    file_name = request.file.name
    assert services.reports_requeue_stale() == 0
    queue.send(render_report, request.pk)  # the first message, delivered late after all
    request.refresh_from_db()
    assert (request.status, request.file.name) == ("done", file_name)
