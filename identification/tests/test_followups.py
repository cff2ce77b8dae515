"""Every import — the upload page or ``manage.py import_results`` — sets off the same chain:
indicators of the touched school-years, then their signals and risk profiles."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from identification.forms import CriterionForm
from identification.models import IndicatorRecompute, IndicatorValue, TaskStatus
from identification.tests.imports import vpr_rows
from monitoring.models import ImportJob
from monitoring.tests.builders import results_csv
from risks.models import RecomputeJob, SchoolRisk


def test_import_results_command_recomputes_indicators_and_risk_profiles(
    tmp_path, school, years, django_capture_on_commit_callbacks
):
    # 12 participants, 3 with «2»: the share is 25 % (3/12), counted (≥ 10 participants).
    path = tmp_path / "vpr.csv"
    path.write_bytes(results_csv(vpr_rows(school.code, twos=3, total=12, year="2025/2026")))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_results", str(path))

    job = ImportJob.objects.get()
    recompute = IndicatorRecompute.objects.get(import_job=job)
    assert recompute.status == TaskStatus.DONE
    share = IndicatorValue.objects.get(school=school, year=years[2025], indicator="vpr_share_2", subject=None)
    assert share.value == 25.0 and share.participants == 12
    risk_job = RecomputeJob.objects.get(municipality=school.municipality, year=years[2025])
    assert risk_job.status == RecomputeJob.Status.DONE
    assert SchoolRisk.objects.filter(school=school, year=years[2025]).exists()


def test_a_recompute_the_department_asks_for_sets_nothing_off(
    school, years, department, django_capture_on_commit_callbacks
):
    from identification.services import indicator_recompute_request

    with django_capture_on_commit_callbacks(execute=True):
        indicator_recompute_request(user=department, municipality=department.municipality)

    assert not RecomputeJob.objects.exists()


def test_a_failed_import_sets_nothing_off(tmp_path, school, years, django_capture_on_commit_callbacks):
    path = tmp_path / "vpr.csv"
    rows = vpr_rows(school.code, twos=3, total=12, year="2025/2026")
    rows[0][10] = 8  # «Отметка» 8: the file is refused whole
    path.write_bytes(results_csv(rows))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError):
        call_command("import_results", str(path))

    assert ImportJob.objects.get().status == ImportJob.Status.FAILED
    assert not IndicatorRecompute.objects.exists()
    assert not RecomputeJob.objects.exists()


# --- The criterion form refuses combinations no indicator value can exist for -------------------


def _criterion(**changes) -> CriterionForm:
    data = {
        "indicator": "vpr_share_2",
        "subject": "",
        "grade": "",
        "pool": "municipality",
        "operator": "bottom",
        "value": "10",
        "min_participants": "10",
        "consecutive_years": "1",
    }
    data.update(changes)
    return CriterionForm(data=data)


def test_criterion_with_a_subject_and_no_grade_is_refused_in_russian(db):
    from monitoring.models import Subject

    form = _criterion(subject=str(Subject.objects.get(code="01").pk))

    assert not form.is_valid()
    assert form.non_field_errors() == [
        "Показатель «Доля «2» по ВПР» считается по школе в целом или по предмету в одном классе: "
        "укажите и предмет, и класс, или оставьте оба пустыми."
    ]


def test_criterion_with_a_grade_and_no_subject_is_refused(db):
    assert not _criterion(grade="4").is_valid()


def test_school_wide_indicator_with_a_subject_is_refused(db):
    from monitoring.models import Subject

    form = _criterion(indicator="isbsh", subject=str(Subject.objects.get(code="01").pk), grade="4")

    assert form.non_field_errors() == [
        "Показатель «Индекс социального благополучия школы (ИСБШ)» считается только по школе в целом: "
        "уберите предмет и класс."
    ]


def test_oge_criterion_outside_grade_nine_is_refused_and_ege_by_subject_is_accepted(db):
    from monitoring.models import Subject

    russian = str(Subject.objects.get(code="01").pk)

    assert _criterion(indicator="oge_share_2", subject=russian, grade="8").non_field_errors() == [
        "ОГЭ сдают в 9 классе: для показателя «Доля «2» по ОГЭ» укажите класс 9."
    ]
    assert _criterion(indicator="oge_share_2", subject=russian, grade="9").is_valid()
    assert _criterion(indicator="ege_below_min", subject=russian).is_valid()
    assert _criterion(indicator="vpr_share_2", subject=russian, grade="4").is_valid()
