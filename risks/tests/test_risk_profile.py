"""Risk levels from data and from the self-diagnosis; the catalogue's versions; the questionnaire's rules."""

from decimal import Decimal

import pytest

from risks import services
from risks.models import RiskFactor, RiskQuestion, SchoolRisk, SelfDiagnosis, SelfDiagnosisAnswer
from risks.services import RiskActionRefused, risk_factor_update, risk_profile_compute, self_diagnosis_save


def level(school, year, code):
    return SchoolRisk.objects.select_related("factor").get(
        school=school, year=year, factor__code=code, factor__is_current=True
    )


def answers_for(code, value):
    return {q.pk: value for q in RiskQuestion.objects.filter(factor__code=code, factor__is_current=True)}


def test_the_eleven_default_factors_are_loaded_with_questions(db):
    factors = RiskFactor.objects.filter(is_current=True)
    assert factors.count() == 11
    assert "Дефицит педагогических кадров" in set(factors.values_list("name", flat=True))
    assert all(f.questions.exists() for f in factors)


def test_staff_shortage_is_scored_from_vacancies_per_post(school, year, add_context):
    add_context(school, teacher_posts=Decimal(20), teacher_vacancies=Decimal(3))

    risk_profile_compute(year=year, school_ids=[school.pk])

    row = level(school, year, "staff_shortage")
    assert (row.level, row.source, row.value) == ("high", "data", Decimal("15.00"))
    assert "Вакансий педагогов 3,0 на 20,0 ставок — 15,0%" in row.explanation


def test_ovz_share_between_the_thresholds_is_medium(school, year, add_context):
    add_context(school, ovz_share=Decimal("6.5"))

    risk_profile_compute(year=year, school_ids=[school.pk])

    assert level(school, year, "ovz_share").level == "medium"


def test_academic_failure_is_the_share_of_fails_and_needs_ten_participants(school, other_school, year, add_results):
    add_results(school, [(2, 2, 2)] * 3 + [(6, 4, 4)] * 9)  # 3 of 12 = 25 %
    add_results(other_school, [(2, 2, 2)] * 9)  # only 9

    risk_profile_compute(year=year, school_ids=[school.pk, other_school.pk])

    row = level(school, year, "academic_failure")
    assert (row.level, row.value) == ("high", Decimal("25.00"))
    assert level(other_school, year, "academic_failure").level == "unknown"


def test_language_barriers_are_low_with_few_non_native_speakers(school, year, add_context, add_results):
    add_context(school, non_native_share=Decimal(2))
    add_results(school, [(2, 2, 2)] * 12)

    risk_profile_compute(year=year, school_ids=[school.pk])

    assert level(school, year, "language_barriers").level == "low"


def test_language_barriers_follow_russian_results_where_many_are_non_native(
    school, year, add_context, add_results, maths
):
    add_context(school, non_native_share=Decimal(30))
    add_results(school, [(2, 2, 2)] + [(6, 4, 4)] * 11)  # Russian: 1 of 12 = 8,3 %
    add_results(school, [(2, 2, 2)] * 12, subject=maths)  # maths does not count here

    risk_profile_compute(year=year, school_ids=[school.pk])

    row = level(school, year, "language_barriers")
    assert (row.level, row.value) == ("medium", Decimal("8.33"))


def test_factors_without_data_are_scored_from_the_submitted_self_diagnosis(
    school, year, director, django_capture_on_commit_callbacks
):
    answers = answers_for("equipment", 4) | answers_for("parent_involvement", 1)
    first, second = list(answers_for("low_motivation", 0))
    answers |= {first: 3, second: 2}
    with django_capture_on_commit_callbacks(execute=True):
        self_diagnosis_save(school=school, year=year, user=director, answers=answers, submit=True)

    assert (level(school, year, "equipment").level, level(school, year, "equipment").source) == (
        "high",
        "self_diagnosis",
    )
    assert level(school, year, "parent_involvement").level == "low"
    assert level(school, year, "low_motivation").value == Decimal("2.50")
    assert level(school, year, "low_motivation").level == "medium"
    assert level(school, year, "school_climate").level == "unknown"


def test_a_draft_self_diagnosis_does_not_count(school, year, director):
    self_diagnosis_save(school=school, year=year, user=director, answers=answers_for("equipment", 4), submit=False)

    risk_profile_compute(year=year, school_ids=[school.pk])

    assert level(school, year, "equipment").level == "unknown"


def test_a_data_factor_without_data_falls_back_to_the_self_diagnosis(school, year, director):
    self_diagnosis_save(school=school, year=year, user=director, answers=answers_for("staff_shortage", 3), submit=True)

    risk_profile_compute(year=year, school_ids=[school.pk])

    row = level(school, year, "staff_shortage")
    assert (row.level, row.source) == ("high", "self_diagnosis")


def test_saving_the_self_diagnosis_twice_changes_nothing_more(school, year, director):
    answers = answers_for("equipment", 2)
    self_diagnosis_save(school=school, year=year, user=director, answers=answers, submit=True)
    self_diagnosis_save(school=school, year=year, user=director, answers=answers, submit=True)

    assert SelfDiagnosis.objects.count() == 1
    assert SelfDiagnosisAnswer.objects.count() == len(answers)


def test_a_locked_self_diagnosis_refuses_changes(school, year, director, department):
    from risks.services import self_diagnosis_set_locked

    diagnosis = self_diagnosis_save(
        school=school, year=year, user=director, answers=answers_for("equipment", 2), submit=True
    )
    self_diagnosis_set_locked(diagnosis=diagnosis, user=department, locked=True)

    with pytest.raises(RiskActionRefused) as refused:
        self_diagnosis_save(school=school, year=year, user=director, answers=answers_for("equipment", 4), submit=True)
    assert refused.value.message == services.DIAGNOSIS_LOCKED
    assert set(SelfDiagnosisAnswer.objects.values_list("value", flat=True)) == {2}


def test_answers_to_unknown_questions_are_refused_and_nothing_is_written(school, year, director):
    with pytest.raises(RiskActionRefused) as refused:
        self_diagnosis_save(school=school, year=year, user=director, answers={999999: 3}, submit=False)
    assert refused.value.message == services.UNKNOWN_QUESTIONS
    assert SelfDiagnosisAnswer.objects.count() == 0


def test_recompute_of_the_profile_is_idempotent(school, year, add_context):
    add_context(school, ovz_share=Decimal(12))
    assert risk_profile_compute(year=year, school_ids=[school.pk]) == 11
    assert risk_profile_compute(year=year, school_ids=[school.pk]) == 0
    assert SchoolRisk.objects.filter(school=school, year=year).count() == 11


# --- catalogue versions ---------------------------------------------------------------------------


def _edit(factor, user, **overrides):
    fields = {
        "name": factor.name,
        "description": "",
        "data_source": factor.data_source,
        "medium_from": factor.medium_from,
        "high_from": factor.high_from,
        "questions": ["Одно утверждение"],
    } | overrides
    return risk_factor_update(factor=factor, user=user, **fields)


def test_an_unused_factor_is_edited_in_place(db, operator):
    factor = RiskFactor.objects.get(code="ovz_share", is_current=True)

    edited = _edit(factor, operator, high_from=Decimal(20))

    assert edited.pk == factor.pk and edited.version == 1 and edited.high_from == Decimal(20)
    assert list(edited.questions.values_list("text", flat=True)) == ["Одно утверждение"]


def test_editing_a_used_factor_makes_a_new_version_and_old_profiles_keep_theirs(school, year, add_context, operator):
    add_context(school, ovz_share=Decimal(12))
    risk_profile_compute(year=year, school_ids=[school.pk])
    old = RiskFactor.objects.get(code="ovz_share", is_current=True)
    old_row = SchoolRisk.objects.get(school=school, factor=old)

    new = _edit(old, operator, high_from=Decimal(20))

    old.refresh_from_db()
    assert (new.version, new.is_current, old.is_current) == (2, True, False)
    assert new.high_from == Decimal(20) and old.high_from == Decimal(10)
    old_row.refresh_from_db()
    assert old_row.level == "high"  # the stored profile still reads as computed
    risk_profile_compute(year=year, school_ids=[school.pk])
    assert level(school, year, "ovz_share").level == "medium"  # 12 % under the new rule
    assert RiskFactor.objects.filter(is_current=True).count() == 11


def test_a_factor_whose_questions_were_answered_counts_as_used(school, year, director, operator):
    self_diagnosis_save(school=school, year=year, user=director, answers=answers_for("equipment", 3), submit=False)
    factor = RiskFactor.objects.get(code="equipment", is_current=True)

    new = _edit(factor, operator, questions=["Новое утверждение"])

    assert new.pk != factor.pk
    # the answers stay with the old questions and still count for the factor's code
    self_diagnosis_save(school=school, year=year, user=director, answers={}, submit=True)
    risk_profile_compute(year=year, school_ids=[school.pk])
    assert level(school, year, "equipment").level == "high"


def test_thresholds_in_the_wrong_order_are_refused(db, operator):
    factor = RiskFactor.objects.get(code="ovz_share", is_current=True)
    with pytest.raises(RiskActionRefused) as refused:
        _edit(factor, operator, medium_from=Decimal(30), high_from=Decimal(10))
    assert refused.value.message == services.THRESHOLDS_REVERSED
    factor.refresh_from_db()
    assert factor.medium_from == Decimal(5)
