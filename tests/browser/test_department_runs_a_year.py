"""A department runs Opora on its own, in a real browser (issue «A department runs Opora on its own»).

The department invites a director and a curator and assigns the curator; the director sets a
password from the e-mail link and files a report; the curator reviews it; escalation fires for
a school that did not file (time frozen, then moved past the due date); the department opens
the next year and approves a run with adds and revokes under one decision. A screenshot of
each page goes to var/screenshots/year_N_*.png.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from core.sample_documents import tiny_pdf
from identification import services as identification
from identification.models import Decision, MethodologyVersion, SchoolStatus, StatusKind
from identification.tests.helpers import value
from roadmaps.escalation import measures_escalate, periods_escalate
from roadmaps.models import (
    EscalationStep,
    Measure,
    MeasureEscalationStep,
    Notification,
    ProgressReport,
    ReportingPeriod,
)
from roadmaps.tests.builders import roadmap_of
from schools.models import AcademicYear
from tests.factories import PASSWORD, SchoolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = timezone.make_aware(dt.datetime(2026, 12, 5, 10, 0))
DUE = dt.date(2026, 12, 20)
NEW_PASSWORD = "Kedr-Listvennica-2026"
LINK = re.compile(r"https?://\S+/people/invitation/\S+/")


@pytest.fixture
def district(municipality, school, other_school, department):
    """Ten schools; ``school`` and ``other_school`` have approved programmes for 2026/2027, a
    reporting period due on 20 December, and ``other_school`` holds a ШССУ status."""
    for module in ("monitoring.migrations.0002_seed_subjects", "identification.migrations.0003_methodology_presets"):
        importlib.import_module(module).seed(apps, None)
    AcademicYear.objects.get_or_create(start_year=2025)
    current, _ = AcademicYear.objects.get_or_create(start_year=2026)
    school.organisation.short_name = "МБОУ СОШ № 1"
    school.organisation.save()
    extra = [SchoolFactory(municipality=municipality, code=f"edu98030{i}") for i in range(8)]
    programme = roadmap_of(school=school, created_by=department, measures=1, title="Программа СОШ № 1")
    roadmap_of(school=other_school, created_by=department, measures=1, title="Программа Берёзовской ООШ")
    period = ReportingPeriod.objects.create(
        municipality=municipality, name="2026/2027 учебный год, I полугодие",
        opens_on=dt.date(2026, 11, 20), due_on=DUE, created_by=department,
    )  # fmt: skip
    identification.status_set(
        school=other_school, year=current, kind=StatusKind.DIFFICULT_CONDITIONS, reason="приказ прошлого года",
        user=department, decision_number="7-од", decision_date=dt.date(2026, 9, 1),
    )  # fmt: skip
    return {"programme": programme, "period": period, "extra": extra, "current": current}


def _sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/home/$"))


def _sign_out(page) -> None:
    page.context.clear_cookies()


def _invite(page, *, last, first, email, role, school=None, shot=None):
    page.goto(reverse("people:invite"))
    page.fill("#id_last_name", last)
    page.fill("#id_first_name", first)
    page.fill("#id_email", email)
    page.select_option("#id_role", role)
    if school is not None:
        page.select_option("#id_school", str(school.pk))
    if shot:
        shot()
    page.click("#person-form button[type=submit]")
    page.wait_for_url(re.compile(r"/people/\d+/$"))


def _measure_steps(measure) -> list[str]:
    return list(MeasureEscalationStep.objects.filter(measure=measure).order_by("pk").values_list("step", flat=True))


def test_a_department_runs_its_year_in_the_browser(
    page, live_server, settings, district, department, school, other_school, screenshot_dir
):
    from playwright.sync_api import expect

    shot = lambda n, name: page.screenshot(path=str(screenshot_dir / f"year_{n}_{name}.png"), full_page=True)  # noqa: E731
    settings.SITE_URL = live_server.url  # links in letters point at the portal under test
    traveller = time_machine.travel(START, tick=True)
    traveller.start()
    try:
        # 1. The department invites a director and a curator.
        _sign_in(page, department.username)
        _invite(
            page, last="Иванова", first="Анна", email="ivanova@example.ru", role=Role.DIRECTOR, school=school,
            shot=lambda: shot(1, "invite_director"),
        )  # fmt: skip
        expect(page.locator("main")).to_contain_text("Приглашение отправлено на ivanova@example.ru")
        _invite(page, last="Захарова", first="Елена", email="zaharova@example.ru", role=Role.CURATOR)
        page.goto(reverse("people:list"))
        expect(page.locator("#people")).to_contain_text("приглашение отправлено")
        shot(2, "people_list")
        director = User.objects.get(email="ivanova@example.ru")
        curator = User.objects.get(email="zaharova@example.ru")
        assert (director.role, director.school, curator.role) == (Role.DIRECTOR, school, Role.CURATOR)
        letters = {m.to[0]: m for m in mail.outbox}

        # 2. The department assigns the curator to both schools; the school card shows it.
        page.goto(reverse("people:curators"))
        page.check(f"input[name=c{curator.pk}][value='{school.pk}']")
        page.check(f"input[name=c{curator.pk}][value='{other_school.pk}']")
        shot(3, "curators")
        page.click("#curators-form button[type=submit]")
        expect(page.locator("main")).to_contain_text("изменено связей — 2")
        page.goto(reverse("schools:detail", args=[school.pk]))
        expect(page.locator("#school-curators")).to_contain_text("Захарова Елена")
        shot(4, "school_card_curator")
        _sign_out(page)

        # 3. The director sets a password from the letter and is in.
        link = LINK.search(letters["ivanova@example.ru"].body).group(0)
        page.goto(link)
        expect(page.locator("h1")).to_contain_text("Задайте пароль")
        page.fill("#id_new_password1", NEW_PASSWORD)
        page.fill("#id_new_password2", NEW_PASSWORD)
        shot(5, "director_sets_password")
        page.click("main button[type=submit]")
        page.wait_for_url(re.compile(r"/home/$"))
        expect(page.locator("main")).to_contain_text("Пароль задан")

        # 4. The director files the report for the period.
        programme, period = district["programme"], district["period"]
        page.goto(reverse("roadmaps:progress", args=[programme.pk, period.pk]))
        row = page.locator("#progress-table tbody tr").first
        row.locator("input[type=number]").fill("60")
        row.locator("textarea").fill("Провели два семинара из трёх")
        page.fill("textarea[name=self_assessment]", "Идём по плану.")
        shot(6, "director_files_report")
        page.click("button[name=submit]")
        page.wait_for_url(re.compile(r"/reports/\d+/$"))
        expect(page.locator("#report-status")).to_contain_text("Отправлен на проверку")
        review_url = page.url
        _sign_out(page)

        # 5. The curator sets a password the same way and reviews the report.
        page.goto(LINK.search(letters["zaharova@example.ru"].body).group(0))
        page.fill("#id_new_password1", NEW_PASSWORD)
        page.fill("#id_new_password2", NEW_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(re.compile(r"/home/$"))
        page.goto(review_url)
        shot(7, "curator_reviews")
        page.click("button[value=accept]")
        expect(page.locator("#report-status")).to_contain_text("Принят")
        shot(8, "curator_accepted")
        assert ProgressReport.objects.get(period=period, roadmap=programme).status == ProgressReport.Status.ACCEPTED

        # 5a. The curator logs a visit; the agreed action becomes a measure; the brief shows it later.
        page.goto(reverse("schools:detail", args=[school.pk]))
        page.click("#visit-log-link")
        page.fill("#id_visited_on", "2026-12-04")
        page.fill("#id_findings", "Посетили два урока математики: нет работы с ошибками ВПР")
        page.fill("input[name=action_0]", "Разобрать ошибки ВПР на заседании ШМО")
        page.fill("input[name=due_0]", "2026-12-15")
        page.click("#visit-form button[type=submit]")
        expect(page.locator("main")).to_contain_text("договорённостей в программе школы: 1")
        shot("8a", "visit_log")
        _sign_out(page)
    finally:
        traveller.stop()

    # 5b. The visit's agreed action was due on 15 December and is not done: the next day the
    #     hourly job reminds the director (overdue is read at that moment, nothing stored it).
    agreed = Measure.objects.get(title="Разобрать ошибки ВПР на заседании ШМО")
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 12, 16, 10, 0)), tick=True):
        measures_escalate()
        assert _measure_steps(agreed) == ["director"]
        reminder = Notification.objects.get(kind=Notification.Kind.MEASURE_OVERDUE, body__contains=agreed.title)
        assert reminder.recipients == ["ivanova@example.ru"]
        measures_escalate()  # the next hour sends nothing twice
        assert _measure_steps(agreed) == ["director"]

    # 6. Eight days after the due date the hourly job escalates the school that did not file.
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 12, 28, 10, 0)), tick=True):
        assert periods_escalate() == 3
        assert list(
            EscalationStep.objects.filter(school=other_school).order_by("pk").values_list("step", flat=True)
        ) == [
            "director",
            "curator",
            "department",
        ]
        assert not EscalationStep.objects.filter(school=school).exists()
        _sign_in(page, department.username)
        page.goto(reverse("roadmaps:period_detail", args=[period.pk]))
        missing = page.locator("#missing-table")
        expect(missing).to_contain_text("Напоминание руководителю")
        expect(missing).to_contain_text("Уведомление куратору")
        expect(missing).to_contain_text("Уведомление управлению образования")
        shot(9, "period_escalation")

        # 6a. Thirteen days after its deadline the agreed action has reached the curator and the department.
        measures_escalate()
        assert _measure_steps(agreed) == ["director", "curator", "department"]
        to_curator = Notification.objects.get(kind=Notification.Kind.MEASURE_CURATOR, body__contains=agreed.title)
        assert to_curator.recipients == ["zaharova@example.ru"]
        page.goto(reverse("roadmaps:detail", args=[agreed.roadmap_id]))
        steps = page.locator("#measure-escalation")
        expect(steps).to_contain_text(agreed.title)
        expect(steps).to_contain_text("16.12.2026 — Напоминание руководителю")
        expect(steps).to_contain_text("28.12.2026 — Уведомление управлению образования")
        shot("9a", "programme_measure_escalation")
        page.goto(reverse("roadmaps:overdue"))
        expect(page.locator("#overdue-table")).to_contain_text("Уведомление куратору")
        shot("9b", "overdue_measures_escalation")

        # 7. The department opens the next year.
        page.goto(reverse("roadmaps:period_list"))
        page.click("#year-open-link")
        expect(page.locator("#year-statuses")).to_contain_text(other_school.organisation.short_name)
        expect(page.locator("#year-periods")).to_contain_text("2027/2028 учебный год, I полугодие")
        shot(10, "year_open_preview")
        page.click("#year-open")
        expect(page.locator("main")).to_contain_text("Учебный год 2027/2028 открыт")
        shot(11, "year_opened")
        next_year = AcademicYear.objects.get(start_year=2027)
        assert SchoolStatus.objects.filter(year=next_year, school=other_school, revoked_at=None).exists()

        # 8. A ШССУ run for the new year proposes ``school`` and a third school, not ``other_school``:
        #    the department approves it and sees 2 to add and 1 to revoke before confirming.
        third = district["extra"][0]
        amounts = [(school, 40), (third, 45), (other_school, 95)] + [
            (s, 80 + i) for i, s in enumerate(district["extra"][1:])
        ]
        for each, amount in amounts:
            value(school=each, year=next_year, indicator="isbsh", amount=amount)
        version = MethodologyVersion.objects.get(
            methodology__kind=StatusKind.DIFFICULT_CONDITIONS, methodology__region=None
        )
        run = identification.identification_run_create(
            user=department, version=version, year=next_year, municipality=department.municipality
        )
        identification.identification_run_execute(run_id=run.pk)
        page.goto(reverse("identification:run_detail", args=[run.pk]))
        shot(12, "run_proposals")
        page.click("#approve-form button[type=submit]")
        expect(page.locator("#plan-add")).to_contain_text(school.organisation.short_name)
        expect(page.locator("#plan-revoke")).to_contain_text(other_school.organisation.short_name)
        page.fill("#id_decision_number", "101-од")
        page.fill("#id_decision_date", "2027-08-25")
        page.locator("#id_decision_file").set_input_files(
            files=[{"name": "prikaz.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf()}]
        )
        shot(13, "approve_confirm")
        page.click("#confirm-approve")
        expect(page.locator("main")).to_contain_text("добавлено 2, оставлено 0, отменено 1")
        shot(14, "decision")
        page.goto(reverse("identification:decisions"))
        expect(page.locator("#decisions")).to_contain_text("№ 101-од от 25.08.2027")
        shot(15, "decisions_register")

        # 9. The audit log reads in Russian words; the public site shows the system.
        page.goto(reverse("core:audit_log"))
        expect(page.locator("main")).to_contain_text("Номер приказа")
        expect(page.locator("main")).not_to_contain_text("decision_number")
        shot(16, "audit_log")
        page.goto(reverse("roadmaps:visit_brief", args=[school.pk]))
        shot(17, "visit_brief_as_department")
        _sign_out(page)
        page.goto(reverse("core:public_home"))
        expect(page.locator("#public-links")).to_contain_text("Система работы со ШНОР")
        shot(18, "public_home")
        page.click("text=Система работы со ШНОР")
        expect(page.locator("#system-decisions")).to_contain_text("№ 101-од")
        shot(19, "public_system")

    decision = Decision.objects.get()
    assert sorted(decision.added.values_list("school_id", flat=True)) == sorted([school.pk, third.pk])
    assert list(decision.revoked.values_list("school_id", flat=True)) == [other_school.pk]
    assert page.failed_requests == []
