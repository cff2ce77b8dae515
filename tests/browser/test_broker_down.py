"""The broker down, in a real browser: the department starts an identification run and a visitor
registers for an event; both are saved, and the pages say in Russian that the work (the run, the
letter) is delayed. Screenshots: var/screenshots/broker_down_*.png."""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from core import queue
from events.tests.factories import EventFactory
from identification import services as identification_services
from identification.models import IdentificationRun, Methodology, MethodologyVersion
from tests.factories import PASSWORD, AcademicYearFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def low_results():
    # The presets a migration seeds; a transactional test run earlier flushes them (the seed is idempotent).
    importlib.import_module("identification.migrations.0003_methodology_presets").seed(apps, None)
    return MethodologyVersion.objects.get(methodology=Methodology.objects.get(kind="low_results"), number=1)


def test_a_run_started_with_the_broker_down_says_it_is_delayed_and_runs_when_the_sweep_sends_it(
    page, department, school, low_results, broker, screenshot_dir
):
    from playwright.sync_api import expect

    year = AcademicYearFactory(start_year=2025)
    page.goto("/accounts/login/")
    page.fill("#id_username", department.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/home/$"))
    broker.up = False

    page.goto(reverse("identification:run_create"))
    page.select_option("#id_version", str(low_results.pk))
    page.select_option("#id_year", str(year.pk))
    page.click("button[type=submit] >> text=Запустить")
    page.wait_for_url(re.compile(r"/runs/\d+/$"))

    expect(page.locator(".alert-warning").first).to_contain_text("Запуск сохранён, но расчёт задерживается")
    page.screenshot(path=str(screenshot_dir / "broker_down_1_run_saved.png"), full_page=True)
    run = IdentificationRun.objects.get()
    IdentificationRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - queue.DELAYED_AFTER * 2)
    expect(page.locator("#queue-delayed")).to_contain_text("Расчёт задерживается", timeout=5_000)  # htmx polling
    page.screenshot(path=str(screenshot_dir / "broker_down_2_run_waiting.png"), full_page=True)

    broker.up = True
    IdentificationRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    assert identification_services.identification_requeue_stale() == [("run", run.pk)]
    page.reload()
    expect(page.locator("#queue-delayed")).to_have_count(0)
    assert IdentificationRun.objects.get(pk=run.pk).status == "done"
    assert page.failed_requests == []


def test_a_registration_with_the_broker_down_says_the_letter_is_delayed(page, municipality, broker, screenshot_dir):
    from playwright.sync_api import expect

    event = EventFactory(municipality=municipality, capacity=10)
    broker.up = False

    page.goto(reverse("events:register", args=[event.pk]))
    page.fill("#id_full_name", "Иванова Мария Сергеевна")
    page.fill("#id_position", "учитель")
    page.fill("#id_email", "ivanova@example.ru")
    page.check("#id_consent")
    page.click("form button[type=submit]")

    expect(page.locator("#queue-delayed")).to_contain_text("Письмо задерживается")
    page.screenshot(path=str(screenshot_dir / "broker_down_3_registration.png"), full_page=True)
    assert page.failed_requests == []
