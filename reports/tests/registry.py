"""The registry XLSX as a user gets it: the registry page's button orders a report job (issue #20),
the ``reports`` queue builds the file, and the report's page downloads it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from reports.models import Kind, ReportRequest


def registry_xlsx(client, capture, **filters) -> bytes:
    """Order the registry export with the page's filters (its query string) and return the file."""
    with capture(execute=True):
        response = client.post(reverse("reports:registry_export"), {"filters": urlencode(filters)})
    assert response.status_code == 302
    report = ReportRequest.objects.filter(kind=Kind.REGISTRY).latest("pk")
    assert response["Location"] == report.get_absolute_url()
    assert report.status == ReportRequest.Status.DONE, report.error
    assert report.format == "xlsx"
    download = client.get(reverse("reports:download", args=[report.pk]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(download.streaming_content)
