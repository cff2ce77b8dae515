"""Links to frozen snapshots on the roadmap and progress-report pages (one query each)."""

from django import template

from reports.models import Snapshot

register = template.Library()


@register.inclusion_tag("reports/_snapshots.html")
def snapshot_links(roadmap, report=None):
    """Snapshots of the roadmap's approvals, or of the report's submissions when ``report`` is given.

    The page that includes this already fetched ``roadmap`` through the user's scope; the
    download view checks the scope again.
    """
    qs = Snapshot.objects.filter(roadmap=roadmap)
    qs = qs.filter(progress_report=report) if report is not None else qs.filter(progress_report__isnull=True)
    return {"snapshots": list(qs.order_by("-frozen_at", "-pk")[:5]), "for_report": report is not None}
