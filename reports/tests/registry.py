"""The pages' XLSX exports as a user gets them (issue #20): the page's button orders a report job,
the ``reports`` queue builds the file, and the report's page downloads it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from reports.models import Kind, ReportRequest


def ordered_xlsx(client, capture, url: str, kind: str, data: dict | None = None) -> bytes:
    """POST the page's export button (``data``: its form), run the queued job, return the file."""
    with capture(execute=True):
        response = client.post(url, data or {})
    assert response.status_code == 302, response.status_code
    report = ReportRequest.objects.filter(kind=kind).latest("pk")
    assert response["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    assert report.status == ReportRequest.Status.DONE, report.error
    assert report.format == "xlsx"
    download = client.get(reverse("reports:download", args=[report.pk]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(download.streaming_content)


def registry_xlsx(client, capture, **filters) -> bytes:
    """Order the registry export with the page's filters (its query string) and return the file."""
    return ordered_xlsx(
        client, capture, reverse("reports:registry_export"), Kind.REGISTRY, {"filters": urlencode(filters)}
    )


def agreements_xlsx(client, capture, **filters) -> bytes:
    """Order the agreements page's export with its filters and return the file."""
    return ordered_xlsx(
        client, capture, reverse("reports:agreement_export"), Kind.AGREEMENT_LIST, {"filters": urlencode(filters)}
    )


def participants_xlsx(client, capture, event) -> bytes:
    """Order the staff event page's participants export and return the file."""
    return ordered_xlsx(
        client, capture, reverse("reports:event_participants_export", args=[event.pk]), Kind.EVENT_PARTICIPANTS
    )


def municipality_analytics_xlsx(client, capture, municipality, query: str = "") -> bytes:
    """Order the municipality analysis page's «Все таблицы (XLSX)» for a slice (its query) and return the file."""
    return ordered_xlsx(
        client,
        capture,
        reverse("reports:municipality_analytics_export", args=[municipality.pk]),
        Kind.MUNICIPALITY_ANALYTICS,
        {"filters": query},
    )
