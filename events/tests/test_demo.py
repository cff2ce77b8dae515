from events.demo import demo_seed
from events.models import Association, Event, Page, Practice, Programme, Registration
from schools.demo import demo_district_seed


def test_demo_builds_a_season_and_a_second_run_creates_nothing(db):
    demo_district_seed()

    first = demo_seed()
    counts = [m.objects.count() for m in (Event, Registration, Programme, Association, Practice, Page)]
    second = demo_seed()

    assert "мероприятий добавлено 15" in first
    assert "мероприятий добавлено 0, программ 0, ММО 0, практик 0, страниц 0" in second
    assert [m.objects.count() for m in (Event, Registration, Programme, Association, Practice, Page)] == counts
    assert Event.objects.filter(status=Event.Status.REPORT_PUBLISHED).count() == 8
    assert Registration.objects.filter(attended=True, school__isnull=False).exists()
    assert Registration.objects.filter(status=Registration.Status.WAITLISTED).exists()
    assert Association.objects.filter(is_published=True).count() == 5
