"""The risks part of ``manage.py seed_demo``: signals and risk levels of the demo district, and a
submitted self-diagnosis of the director's school. Deterministic and idempotent."""

from __future__ import annotations

import random

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from accounts.models import User
from monitoring.models import CURRENT, ContextData, ParticipantResult
from risks.models import RiskQuestion, SelfDiagnosis, SelfDiagnosisAnswer
from risks.services import objectivity_recompute, risk_profile_compute
from schools.models import AcademicYear, Municipality

DEMO_DISTRICT = "Заречный муниципальный район"
# A believable profile: the director sees staffing, motivation and parents as their problems.
LEANING = {"staff_shortage": 4, "low_motivation": 3, "parent_involvement": 3, "equipment": 2}


def _years_with_data(municipality: Municipality):
    results = ParticipantResult.objects.filter(CURRENT, year=OuterRef("pk"), school__municipality=municipality)
    context = ContextData.objects.filter(CURRENT, year=OuterRef("pk"), school__municipality=municipality)
    current = AcademicYear.current()
    return AcademicYear.objects.filter(Q(Exists(results)) | Q(Exists(context)) | Q(pk=current.pk if current else None))


def _self_diagnosis_seed(director: User, year: AcademicYear) -> bool:
    """Fill and submit the director's self-diagnosis once; False when it exists already."""
    if SelfDiagnosis.objects.filter(school_id=director.school_id, year=year).exists():
        return False
    rng = random.Random(f"risks-demo-{director.school_id}-{year.start_year}")  # noqa: S311 - demo data, not secrets  # nosec B311 # seeded generator for demo/bench data, not for secrets
    with transaction.atomic():
        diagnosis = SelfDiagnosis.objects.create(
            school_id=director.school_id, year=year, status=SelfDiagnosis.Status.SUBMITTED, updated_by=director
        )
        questions = RiskQuestion.objects.filter(factor__is_current=True).select_related("factor").order_by("pk")
        SelfDiagnosisAnswer.objects.bulk_create(
            SelfDiagnosisAnswer(
                diagnosis=diagnosis,
                question=q,
                value=max(1, min(4, LEANING.get(q.factor.code, 1) + rng.choice((-1, 0, 0, 1)))),
            )
            for q in questions
        )
    return True


def demo_seed() -> str:
    municipality = Municipality.objects.filter(name=DEMO_DISTRICT).first()
    if municipality is None:
        return "Риски: демо-район не найден — нечего считать."
    school_ids = list(municipality.schools.values_list("pk", flat=True))
    director = User.objects.filter(username="director", school__municipality=municipality).first()
    filled = False
    current = AcademicYear.current()
    if director and current:
        filled = _self_diagnosis_seed(director, current)
    signals = levels = 0
    years = list(_years_with_data(municipality))
    for year in years:
        signals += objectivity_recompute(year=year, school_ids=school_ids)
        levels += risk_profile_compute(year=year, school_ids=school_ids)
    diagnosis = "заполнена самодиагностика школы руководителя" if filled else "самодиагностика уже была"
    return (
        f"Риски: {len(years)} уч. г., сигналов объективности {signals}, записано уровней риска {levels}; {diagnosis}."
    )
