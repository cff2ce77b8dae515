"""The roadmaps card on home pages and the programme section of the school card."""

from django.urls import reverse

from roadmaps.models import ProgressReport, Roadmap
from roadmaps.tests.builders import report_of, roadmap_of


def test_the_departments_home_counts_what_waits_for_review(client, department, programme, period, school):
    roadmap_of(school=school, created_by=department, status=Roadmap.Status.SUBMITTED, title="Вторая программа")
    report_of(programme, period, status=ProgressReport.Status.SUBMITTED)
    client.force_login(department)

    body = client.get(reverse("core:home")).content.decode()

    assert 'id="roadmaps-card"' in body
    assert "На согласовании: <strong>1</strong>" in body
    assert "Отчётов ждут проверки: <strong>1</strong>" in body


def test_the_outsiders_home_counts_nothing_of_ours(client, outsider, programme, period):
    report_of(programme, period, status=ProgressReport.Status.SUBMITTED)
    client.force_login(outsider)

    body = client.get(reverse("core:home")).content.decode()

    assert "Отчётов ждут проверки: <strong>0</strong>" in body


def test_the_school_card_lists_the_schools_programme(client, methodologist, programme, school):
    client.force_login(methodologist)

    body = client.get(reverse("schools:detail", args=[school.pk])).content.decode()

    assert programme.title in body
    assert programme.get_absolute_url() in body
