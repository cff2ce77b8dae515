"""Real variants of РЦОИ protocols (issue #16): ЕГЭ told from the title and the code table of its
procedure, «Балл» as the test score, titles without a code, trailing summary rows, written and
oral parts of a language, task columns kept as task scores, appeal protocols. Every file is built
here and goes through the import a user triggers."""

from __future__ import annotations

import pytest

from monitoring.models import AssessmentStructure, ImportJob, ParticipantResult, Procedure
from monitoring.tests.builders import OGE_HEADER, rcoi_xlsx

# A ЕГЭ protocol as some regions print it: the test score column says «Балл».
EGE_BALL_HEADER = [
    "№", "Код ОО", "Класс", "Код ППЭ", "Код участника", "Фамилия", "Имя", "Отчество", "Вариант",
    "Ответы в краткой форме", "Ответы в развернутой форме", "Первичный балл", "Балл",
]  # fmt: skip
# Base mathematics has a mark, no test score.
EGE_BASE_HEADER = ["№", "Код ОО", "Класс", "Код участника", "Фамилия", "Имя", "Отчество", "Первичный балл", "Оценка"]


def ege(n, school, surname, short="++-+", long="2(3)1(2)", primary=6, score=70, klass="11А"):
    return [n, school, klass, "0102", f"1{n:05d}", surname, "Анна", "Сергеевна", "301", short, long, primary, score]


def oge(n, school, surname, short="++-+2+", long="1(2)2(2)", primary=10, mark=4):
    return [n, school, "9А", "0101", "12", "01", f"9{n:05d}", surname, "Иван", "Петрович", "1234", f"56{n:04d}",
            short, long, primary, mark]  # fmt: skip


def test_ege_protocol_whose_score_column_says_ball_is_ege(department, school, run_import):
    rows = [ege(1, school.code, "Сидорова", primary=6, score=70), ege(2, school.code, "Орлова", primary=4, score=52)]

    job = run_import(department, rcoi_xlsx(("01 - Русский язык 2025.05.27", EGE_BALL_HEADER, rows)))

    assert job.status == ImportJob.Status.DONE, job.errors
    stored = sorted(ParticipantResult.objects.values_list("procedure", "grade", "subject__code", "test_score", "mark"))
    assert stored == [(Procedure.EGE, 11, "01", 52, None), (Procedure.EGE, 11, "01", 70, None)]


def test_ege_code_22_is_base_mathematics_of_the_ege_not_oge_grade_11(department, school, run_import):
    rows = [[1, school.code, "11Б", "100001", "Петров", "Пётр", "Ильич", 15, 4]]

    job = run_import(department, rcoi_xlsx(("22 - Математика базовая 2025.06.03", EGE_BASE_HEADER, rows)))

    assert job.status == ImportJob.Status.DONE, job.errors
    result = ParticipantResult.objects.get()
    assert (result.procedure, result.subject.name, result.grade, result.mark, result.test_score) == (
        Procedure.EGE, "Математика (базовый уровень)", 11, 4, None,
    )  # fmt: skip
    assert result.max_primary_score == 21


def test_kege_informatics_code_25_is_informatics_never_chinese(department, school, run_import):
    rows = [ege(1, school.code, "Сидорова", short="+-+", long="", primary=2, score=20)]

    job = run_import(department, rcoi_xlsx(("25 - Информатика и ИКТ (КЕГЭ) 2025.06.20", EGE_BALL_HEADER, rows)))

    assert job.status == ImportJob.Status.DONE, job.errors
    result = ParticipantResult.objects.get()
    assert (result.procedure, result.subject.name) == (Procedure.EGE, "Информатика")
    assert result.subject.name != "Китайский язык"


def test_a_code_whose_exam_is_not_the_titles_subject_is_refused(department, school, run_import):
    # «25» is КЕГЭ informatics in the ЕГЭ of 2025: a title calling it Chinese is a mistake, never Chinese.
    job = run_import(department, rcoi_xlsx(("25 - Китайский язык 2025.06.20", OGE_HEADER, [oge(1, school.code, "И")])))

    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == (
        "Код экзамена «25» в ЕГЭ 2025 года — «Информатика», а в заголовке «Китайский язык»: "
        "проверьте код и название экзамена."
    )
    assert ParticipantResult.objects.count() == 0


def test_a_code_the_procedure_does_not_have_in_that_year_is_refused(department, school, run_import):
    # Before the computer exam of 2021 the ЕГЭ had no code 25.
    job = run_import(
        department, rcoi_xlsx(("25 - Информатика 2019.06.20", EGE_BALL_HEADER, [ege(1, school.code, "И")]))
    )

    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == "Код экзамена «25» (Информатика) не известен для ЕГЭ 2019 года."


def test_title_without_a_code_names_the_subject_and_the_dates_of_both_parts(department, school, run_import):
    rows = [ege(1, school.code, "Сидорова", short="", long="", primary=70, score=83)]

    job = run_import(department, rcoi_xlsx(("Английский язык п:2022.06.14; у:2022.06.16", EGE_BALL_HEADER, rows)))

    assert job.status == ImportJob.Status.DONE, job.errors
    result = ParticipantResult.objects.select_related("year", "subject").get()
    assert (result.procedure, result.subject.name, result.year.start_year, result.test_score, result.primary_score) == (
        Procedure.EGE, "Английский язык", 2021, 83, 70,
    )  # fmt: skip


def test_summary_rows_at_the_end_are_skipped_on_purpose_and_counted(department, school, run_import):
    rows = [
        ege(1, school.code, "Сидорова", primary=6, score=70),
        ege(2, school.code, "Орлова", primary=4, score=52),
        ["Средние", "", "", "", "", "", "", "", "", "", "", 5, 61],
        ["Минимальная граница", "", "", "", "", "", "", "", "", "", "", "", 24],
        ["Всего участников: 2"],
    ]

    job = run_import(department, rcoi_xlsx(("01 - Русский язык 2025.05.27", EGE_BALL_HEADER, rows)))

    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.total_rows, job.rows_created, job.rows_skipped, job.error_count) == (5, 2, 3, 0)
    assert job.rows_created + job.rows_skipped + job.error_count == job.total_rows
    assert [(row["row"], row["message"]) for row in job.skipped] == [
        (5, "Итоговая строка протокола («Средние 5 61»): не результат участника."),
        (6, "Итоговая строка протокола («Минимальная граница 24»): не результат участника."),
        (7, "Итоговая строка протокола («Всего участников: 2»): не результат участника."),
    ]


def test_written_and_oral_parts_of_a_language_add_up_to_one_result(department, school, run_import):
    written = [ege(1, school.code, "Сидорова", short="++-", long="3(5)", primary=50, score=""),
               ege(2, school.code, "Орлова", short="+--", long="1(5)", primary=30, score="")]  # fmt: skip
    oral = [ege(1, school.code, "Сидорова", short="", long="1(1)2(2)", primary=17, score=84)]

    job = run_import(
        department,
        rcoi_xlsx(
            ("09 - Английский язык (письменная часть) 2025.06.10", EGE_BALL_HEADER, written),
            ("29 - Английский язык (устная часть) 2025.06.11", EGE_BALL_HEADER, oral),
        ),
    )

    assert job.status == ImportJob.Status.DONE, job.errors
    result = ParticipantResult.objects.get()
    assert (result.procedure, result.subject.code, result.primary_score, result.test_score) == (
        Procedure.EGE, "09", 50 + 17, 84,
    )  # fmt: skip
    assert result.task_scores == "1,1,0,3,1,2"
    # Орлова has no oral part in the file: skipped with the reason, not a wrong score.
    assert (job.total_rows, job.rows_created, job.rows_skipped) == (3, 1, 2)
    reasons = sorted(row["message"].split(":")[0] for row in job.skipped)
    assert reasons[0].startswith("Только письменная часть экзамена «Английский язык»")
    assert reasons[1].startswith("Устная часть сложена с письменной частью того же участника (строка 3)")


def test_task_columns_become_task_scores_and_the_tests_structure(department, school, run_import):
    rows = [
        oge(1, school.code, "Иванов", short="++-2", long="1(2)0(3)", primary=5, mark=3),
        oge(2, school.code, "Петров", short="+-X+", long="2(2)3(3)", primary=9, mark=4),
    ]

    job = run_import(department, rcoi_xlsx(("03 - Физика 2025.06.02", OGE_HEADER, rows)))

    assert job.status == ImportJob.Status.DONE, job.errors
    stored = dict(ParticipantResult.objects.values_list("primary_score", "task_scores"))
    # «+» is the task's full score (task 4: up to 2, seen as «2»), «-» 0, «X» not answered.
    assert stored == {5: "1,1,0,2,1,0", 9: "1,0,X,2,2,3"}
    structure = AssessmentStructure.objects.get(procedure=Procedure.OGE, subject__code="03", grade=9)
    assert list(structure.tasks.values_list("label", "max_score")) == [
        ("1", 1), ("2", 1), ("3", 1), ("4", 2), ("5", 2), ("6", 3),
    ]  # fmt: skip
    # Their sum (10) is not the ОГЭ physics maximum (45): said, not hidden.
    assert any("не равна максимальному первичному баллу 45" in w["message"] for w in job.warnings)


def test_rows_whose_answers_have_another_number_of_tasks_keep_their_scores_with_a_warning(
    department, school, run_import
):
    rows = [
        oge(1, school.code, "Иванов", short="++-+", long="1(2)", primary=4),
        oge(2, school.code, "Петров", short="++-+", long="2(2)", primary=5),
        oge(3, school.code, "Сидоров", short="++", long="2(2)", primary=4),
    ]

    job = run_import(department, rcoi_xlsx(("03 - Физика 2025.06.02", OGE_HEADER, rows)))

    assert job.status == ImportJob.Status.DONE, job.errors
    assert ParticipantResult.objects.get(primary_score=4, task_scores="").class_name == "9А"
    [warning] = [w for w in job.warnings if "не совпадают по числу заданий" in w["message"]]
    assert warning["row"] == 5


APPEAL_HEADER = [
    "№", "Код ОО", "Класс", "Код участника", "Фамилия", "Имя", "Отчество", "Серия", "Номер",
    "Первичный балл до апелляции", "Первичный балл после апелляции", "Оценка до апелляции", "Оценка после апелляции",
]  # fmt: skip


def _appeal_row(n, school, surname, before, after, mark_before, mark_after):
    return [n, school, "9А", f"9{n:05d}", surname, "Иван", "Петрович", "1234", f"56{n:04d}",
            before, after, mark_before, mark_after]  # fmt: skip


def test_appeal_protocol_updates_the_named_participants_only(department, school, run_import):
    rows = [oge(1, school.code, "Иванов", primary=14, mark=3), oge(2, school.code, "Петров", primary=20, mark=4),
            oge(3, school.code, "Сидоров", primary=25, mark=4)]  # fmt: skip
    first = run_import(department, rcoi_xlsx(("01 - Русский язык 2025.06.09", OGE_HEADER, rows)))
    assert first.status == ImportJob.Status.DONE, first.errors

    appeal = rcoi_xlsx(
        ("Протокол рассмотрения апелляций о несогласии с выставленными баллами ОГЭ", [], []),
        (
            "01 - Русский язык 2025.06.09",
            APPEAL_HEADER,
            [_appeal_row(1, school.code, "Иванов", 14, 16, 3, 4), _appeal_row(2, school.code, "Петров", 20, 20, 4, 4)],
        ),
    )
    job = run_import(department, appeal, name="apellyacii.xlsx")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.total_rows, job.rows_replaced, job.rows_created, job.rows_skipped) == (2, 1, 1, 1)
    current = dict(ParticipantResult.objects.filter(replaced_by__isnull=True).values_list("primary_score", "mark"))
    assert current == {16: 4, 20: 4, 25: 4}  # Иванов raised; Петров declined; Сидоров untouched
    ivanov = ParticipantResult.objects.get(primary_score=16)
    assert ivanov.task_scores  # the answers of the protocol stay with the new scores
    assert "баллы участника не изменились" in job.skipped[0]["message"]


def test_appeal_of_a_participant_never_loaded_is_an_error_and_writes_nothing(department, school, run_import):
    appeal = rcoi_xlsx(
        ("Апелляции ОГЭ", [], []),
        ("01 - Русский язык 2025.06.09", APPEAL_HEADER, [_appeal_row(1, school.code, "Иванов", 14, 16, 3, 4)]),
    )

    job = run_import(department, appeal)

    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"].startswith("Участник апелляции не найден среди загруженных результатов")
    assert ParticipantResult.objects.count() == 0


@pytest.mark.parametrize("title", ["01 - Русский язык 2025.06.09", "Русский язык 09.06.2025"])
def test_title_forms(department, school, run_import, title):
    job = run_import(department, rcoi_xlsx((title, OGE_HEADER, [oge(1, school.code, "Иванов", primary=12, mark=3)])))

    assert job.status == ImportJob.Status.DONE, job.errors
    assert ParticipantResult.objects.get().subject.code == "01"


def test_the_job_page_shows_the_skipped_rows_with_their_reasons_and_the_warnings(
    department, school, run_import, client
):
    rows = [oge(1, school.code, "Иванов", short="++-2", long="1(2)0(3)", primary=5, mark=3), ["Средние", "", 5]]
    job = run_import(department, rcoi_xlsx(("03 - Физика 2025.06.02", OGE_HEADER, rows)))
    client.force_login(department)

    page = client.get(job.get_absolute_url()).content.decode()

    assert "пропущено строк: 1" in page
    assert "Итоговая строка протокола («Средние 5»): не результат участника." in page
    assert 'id="import-warnings"' in page and "не равна максимальному первичному баллу 45" in page
