"""The demo's roadmaps: a municipal roadmap, programmes, periods with reports in every state; a rerun adds nothing."""

from roadmaps.demo import demo_seed
from roadmaps.models import Evidence, Level, MeasureProgress, ProgressReport, Roadmap
from schools.demo import demo_district_seed


def _counts():
    return [m.objects.count() for m in (Roadmap, ProgressReport, MeasureProgress, Evidence)]


def test_demo_seed_builds_every_report_state_and_is_idempotent(db, settings, tmp_path):
    demo_district_seed()

    line = demo_seed()
    first = _counts()
    again = demo_seed()

    assert "4 программы" in line
    assert _counts() == first
    assert "уже созданы" in again
    assert Roadmap.objects.filter(level=Level.MUNICIPAL, published_at__isnull=False).count() == 1
    assert set(ProgressReport.objects.values_list("status", flat=True)) == set(ProgressReport.Status.values)
    director_school = Roadmap.objects.get(school__code="edu990003")
    assert director_school.status == Roadmap.Status.APPROVED
    assert Evidence.objects.exists()
