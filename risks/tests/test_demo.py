"""risks.demo: on the demo district, deterministic and idempotent."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import User
from monitoring.models import ContextData, ImportJob
from risks.demo import demo_seed
from risks.models import ObjectivitySignal, SchoolRisk, SelfDiagnosis, SelfDiagnosisAnswer


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def rows() -> tuple:
    return (
        sorted(SchoolRisk.objects.values_list("school_id", "year_id", "factor_id", "level", "value")),
        sorted(ObjectivitySignal.objects.values_list("school_id", "kind", "value")),
        sorted(SelfDiagnosisAnswer.objects.values_list("question_id", "value")),
    )


def test_demo_fills_the_directors_self_diagnosis_and_scores_the_district_once(db):
    call_command("seed_demo", "--i-know-this-is-demo", verbosity=0)
    director = User.objects.get(username="director")
    year = SelfDiagnosis.objects.get().year
    staffing = {"teacher_posts": Decimal(40), "teacher_vacancies": Decimal(5)}
    # The results demo may already hold the school's context for the year: set the staffing there.
    if not ContextData.objects.filter(year=year, school=director.school, replaced_by__isnull=True).update(**staffing):
        job = ImportJob.objects.create(original_name="demo.xlsx", sha256="d" * 64, status="done")
        ContextData.objects.create(year=year, school=director.school, import_job=job, **staffing)

    demo_seed()
    first = rows()
    line = demo_seed()

    assert rows() == first
    assert "самодиагностика уже была" in line and "записано уровней риска 0" in line
    diagnosis = SelfDiagnosis.objects.get(school=director.school)
    assert diagnosis.status == "submitted" and diagnosis.answers.exists()
    staff = SchoolRisk.objects.get(school=director.school, year=year, factor__code="staff_shortage")
    assert (staff.source, staff.level) == ("data", "high")  # 5 of 40 posts vacant: 12,5 %
    motivation = SchoolRisk.objects.get(school=director.school, year=year, factor__code="low_motivation")
    assert motivation.source == "self_diagnosis" and motivation.level != "unknown"
