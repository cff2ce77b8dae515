"""Results of assessments and the context of schools, as loaded from files.

Scale: a region holds millions of participant results a year (DESIGN.md §6–7), so the
tables are shaped for the two reads that matter — the indicator recompute, which scans one
(year, procedure, subject, grade) across schools, and the school pages, which read one
school-year — and every index on a result table is partial on ``replaced_by IS NULL``:
only the current rows are ever read by pages and recompute.

Replacement and rollback. An import never deletes result rows. When a file brings data for
a slice (year, procedure, subject, grade, school) that already has rows, those rows are
marked ``replaced_by=<the new job>`` and the new rows are inserted with
``import_job=<the new job>``. Rolling a job back deletes the rows it inserted and clears
``replaced_by`` on the rows it replaced, which is exactly the state before it. A job can be
rolled back only while none of its rows has been replaced by a later job (roll the later
one back first), so the history stays a stack. Context data follow the same scheme.

Personal data: surnames, names and passport fields are never stored; a participant is a
keyed hash (HMAC-SHA256 with ``settings.PARTICIPANT_HASH_KEY``), see ``participant_key``.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.jobs.models import Job

CURRENT = Q(replaced_by__isnull=True)


class Procedure(models.TextChoices):
    VPR = "vpr", "ВПР"
    OGE = "oge", "ОГЭ"
    EGE = "ege", "ЕГЭ"
    GVE = "gve", "ГВЭ"


class Subject(models.Model):
    """A school subject; ``code`` is the РЦОИ exam code where one exists (01 русский язык)."""

    code = models.CharField("код", max_length=8, unique=True)
    name = models.CharField("название", max_length=100, unique=True)
    # Abbreviation used in ФИС ОКО sheet names, e.g. «РУ 4 Индивидуальные результаты».
    fis_oko_abbr = models.CharField("сокращение ФИС ОКО", max_length=4, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "предмет"
        verbose_name_plural = "предметы"

    def __str__(self) -> str:
        return self.name


def import_upload_path(instance: ImportJob, filename: str) -> str:
    # The stored name never reuses the user's file name (it may hold anything).
    return (
        f"result_imports/{timezone.now():%Y/%m}/{instance.sha256[:16]}-{timezone.now():%H%M%S%f}.{instance.file_kind}"
    )


class ImportJob(Job):
    """One uploaded results file: stored, then parsed, validated and written by a worker (core.jobs)."""

    TASK_NAME = "monitoring.tasks.import_results"

    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        PARSING = "parsing", "Чтение файла"
        VALIDATING = "validating", "Проверка строк"
        WRITING = "writing", "Запись"
        # Parked by the worker (core.jobs.job_park): names of schools or municipalities wait for a
        # person (the matching step); nothing is written until they are settled and the job resumes.
        MATCHING = "matching", "Сопоставление названий"
        DONE = "done", "Загружено"
        FAILED = "failed", "Ошибки, ничего не записано"
        ROLLED_BACK = "rolled_back", "Отменено"

    class Layout(models.TextChoices):
        VPR_F1 = "vpr_f1", "ВПР: Ф1 Индивидуальные результаты"
        RCOI_PROTOCOL = "rcoi_protocol", "ОГЭ/ЕГЭ/ГВЭ: протокол РЦОИ"
        CONTEXT = "context", "Контекстные данные школ (шаблон)"
        VPR_F3 = "vpr_f3", "ВПР: Ф3 Статистика по отметкам"
        VPR_JOURNAL = "vpr_journal", "ВПР: сравнение отметок с отметками по журналу"
        EGE_REPORT = "ege_report", "ЕГЭ: региональный отчёт по школам"
        AGGREGATES = "aggregates", "Показатели школ (шаблон)"
        RESULTS_CSV = "results_csv", "Результаты участников (шаблон)"
        SCHOOL_FORM = "school_form", "ВПР: форма сбора результатов школы"

    CLAIMED_STATUS = Status.PARSING
    RUNNING_STATUSES = (Status.PARSING, Status.VALIDATING, Status.WRITING)
    DONE = Status.DONE
    FAILED = Status.FAILED
    FINISHED_STATUSES = (Status.DONE, Status.FAILED, Status.ROLLED_BACK)
    CRASH_MESSAGE = "Внутренняя ошибка при обработке файла; ничего не записано. Сообщите администратору."

    uploaded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="result_imports",
        verbose_name="кто загрузил",
        help_text="Пусто — загружено из командной строки (manage.py import_results).",
    )
    # Scope of the job: rows of schools outside it are refused. Both empty — an operator's job.
    municipality = models.ForeignKey(
        "schools.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="result_imports",
        verbose_name="муниципалитет",
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="result_imports",
        verbose_name="школа (загрузка руководителя)",
    )
    # A school's «форма сбора результатов» of the ВПР names neither the school, nor the subject,
    # nor the grade: the uploader chooses them in the form (monitoring.formats.school_form).
    form_school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="школа формы"
    )
    form_subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="предмет формы"
    )
    form_grade = models.PositiveSmallIntegerField("класс формы", null=True, blank=True)
    file = models.FileField("файл", upload_to=import_upload_path, max_length=255)
    original_name = models.CharField("имя файла", max_length=255)
    file_kind = models.CharField(max_length=4, default="xlsx")
    sha256 = models.CharField(max_length=64, db_index=True)
    layout = models.CharField("формат", max_length=20, choices=Layout.choices, blank=True)
    status = models.CharField("статус", max_length=12, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField("строк в файле", default=0)
    processed_rows = models.PositiveIntegerField("обработано строк", default=0)
    rows_created = models.PositiveIntegerField("записано строк", default=0)
    rows_replaced = models.PositiveIntegerField("заменено строк", default=0)
    # Rows read but left out on purpose (a protocol's «Средние» line…), each with its reason.
    rows_skipped = models.PositiveIntegerField("пропущено строк", default=0)
    skipped = models.JSONField("пропущенные строки", default=list, blank=True)
    # What was written but deserves a look (a task column read only in part…).
    warnings = models.JSONField("предупреждения", default=list, blank=True)
    slices_written = models.PositiveIntegerField("записано наборов", default=0)
    slices_unchanged = models.PositiveIntegerField("наборов без изменений", default=0)
    schools_count = models.PositiveIntegerField("школ в файле", default=0)
    errors = models.JSONField("ошибки", default=list, blank=True)
    error_count = models.PositiveIntegerField("число ошибок", default=0)
    unknown_school_codes = models.JSONField("неизвестные коды ОО", default=list, blank=True)
    # Names the matching step asks about (schools.matching), while the job is parked there.
    pending_names = models.JSONField("названия для сопоставления", default=list, blank=True)
    # A department's region-wide file: import its own municipality's rows, the others skipped.
    own_municipality_only = models.BooleanField("только строки своего муниципалитета", default=False)
    created_at = models.DateTimeField("загружен", auto_now_add=True)
    started_at = models.DateTimeField("начат", null=True, blank=True)
    finished_at = models.DateTimeField("завершён", null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто отменил",
    )
    rolled_back_at = models.DateTimeField("отменён", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "загрузка результатов"
        verbose_name_plural = "загрузки результатов"
        indexes = [
            models.Index(fields=["municipality", "-created_at"], name="importjob_muni_created"),
            models.Index(fields=["status"], name="importjob_status"),
        ]

    def __str__(self) -> str:
        return f"№{self.pk} {self.original_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:import_detail", args=[self.pk])

    @classmethod
    def failure_fields(cls, message: str) -> dict:
        return {"errors": [{"sheet": "", "row": 0, "column": "", "message": message}], "error_count": 1}

    @classmethod
    def job_ended(cls, pk: int) -> None:
        # Written or refused, the job is over: its upload (names and passports in РЦОИ files) goes.
        from monitoring.imports.retention import results_upload_discard

        results_upload_discard(job_id=pk)

    @property
    def requeued(self) -> int:
        """How many times a dead worker's job was queued again (each claim after the first is one)."""
        return self.attempts if self.status == self.Status.QUEUED else max(self.attempts - 1, 0)

    @property
    def progress_percent(self) -> int:
        if self.is_finished:
            return 100
        if self.status == self.Status.WRITING:
            return 99
        if not self.total_rows:
            return 0
        return min(98, round(100 * self.processed_rows / self.total_rows))

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class ParticipantResult(models.Model):
    """One participant's result in one assessment (one row of Ф1 or of a РЦОИ protocol).

    Foreign keys carry ``db_index=False``: each is the prefix of a composite index below,
    and five single-column indexes on ten million rows would cost more than they give.

    They carry ``db_constraint=False`` too. PostgreSQL checks a foreign key row by row, in a
    trigger: five checks for each of a region's million rows took 34 s at commit, a quarter
    of the whole import. Integrity does not rest on them: the import resolves every school,
    year and subject from the registry in its own transaction before writing (an unknown
    code is an error and nothing is written), the job ids are its own, and ``on_delete``
    (PROTECT) is enforced by Django's collector on every delete through the ORM — results
    are never deleted, only marked ``replaced_by`` (``test_write_path.py`` checks PROTECT).
    """

    year = models.ForeignKey(
        "schools.AcademicYear",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="год",
        db_index=False,
        db_constraint=False,
    )
    procedure = models.CharField("процедура", max_length=3, choices=Procedure.choices)
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="+", verbose_name="предмет", db_index=False, db_constraint=False
    )
    grade = models.PositiveSmallIntegerField("класс (параллель)")
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="школа",
        db_index=False,
        db_constraint=False,
    )
    class_name = models.CharField("класс", max_length=10, blank=True)
    variant = models.CharField("вариант", max_length=20, blank=True)
    # 128-bit HMAC-SHA256 of the participant's identity, hex; see monitoring.formats.parsing.participant_key.
    participant_key = models.CharField("участник (ключ)", max_length=32)
    primary_score = models.PositiveSmallIntegerField("первичный балл")
    max_primary_score = models.PositiveSmallIntegerField("максимальный первичный балл", null=True, blank=True)
    mark = models.PositiveSmallIntegerField("отметка", null=True, blank=True)
    journal_mark = models.PositiveSmallIntegerField("отметка по журналу", null=True, blank=True)
    test_score = models.PositiveSmallIntegerField("тестовый балл", null=True, blank=True)
    # Compact text: ВПР — task scores by comma («2,1,X,0»); РЦОИ — «short|long» answer masks.
    task_scores = models.TextField("баллы за задания", blank=True)
    import_job = models.ForeignKey(
        ImportJob, on_delete=models.PROTECT, related_name="results", db_index=False, db_constraint=False
    )
    replaced_by = models.ForeignKey(
        ImportJob,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_results",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = "результат участника"
        verbose_name_plural = "результаты участников"
        constraints = [
            # One current row per participant and slice. Its index also serves the recompute,
            # which reads one (year, procedure, subject, grade) across the schools of a pool.
            models.UniqueConstraint(
                fields=["year", "procedure", "subject", "grade", "school", "participant_key"],
                condition=CURRENT,
                name="result_unique_current",
            ),
        ]
        indexes = [
            # School pages and per-school indicators: one school-year.
            models.Index(fields=["school", "year", "procedure"], condition=CURRENT, name="result_school_year_cur"),
            # Rollback: the rows a job inserted and the rows it replaced.
            models.Index(fields=["import_job"], name="result_job"),
            models.Index(fields=["replaced_by"], condition=Q(replaced_by__isnull=False), name="result_replaced_by"),
        ]

    def __str__(self) -> str:
        return f"{self.get_procedure_display()} {self.subject_id} {self.grade} кл., {self.participant_key[:8]}"


class SchoolAggregate(models.Model):
    """Per-school figures of one assessment slice: mark distribution, ВПР vs journal, ЕГЭ figures.

    Filled from the aggregate reports (Ф3 «Статистика по отметкам», «Сравнение отметок с
    отметками по журналу», regional ЕГЭ per-school reports) and by the indicator recompute
    from participant rows; ``source`` tells which. ``grade`` is 0 where the report does not
    split by grade (ЕГЭ).
    """

    class Source(models.TextChoices):
        COMPUTED = "computed", "Рассчитано по результатам участников"
        IMPORTED = "imported", "Загружено из отчёта"

    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+", verbose_name="год")
    procedure = models.CharField("процедура", max_length=3, choices=Procedure.choices)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", verbose_name="предмет")
    grade = models.PositiveSmallIntegerField("класс (параллель)", default=0)
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+", verbose_name="школа")
    source = models.CharField("источник", max_length=10, choices=Source.choices, default=Source.COMPUTED)
    participants = models.PositiveIntegerField("участников", default=0)
    mark_2 = models.PositiveIntegerField("«2»", null=True, blank=True)
    mark_3 = models.PositiveIntegerField("«3»", null=True, blank=True)
    mark_4 = models.PositiveIntegerField("«4»", null=True, blank=True)
    mark_5 = models.PositiveIntegerField("«5»", null=True, blank=True)
    mean_mark = models.DecimalField("средняя отметка", max_digits=4, decimal_places=2, null=True, blank=True)
    # ВПР against the journal (Отметка < / = / > Отметка по журналу), in participants.
    lowered = models.PositiveIntegerField("понизили", null=True, blank=True)
    confirmed = models.PositiveIntegerField("подтвердили", null=True, blank=True)
    raised = models.PositiveIntegerField("повысили", null=True, blank=True)
    # ЕГЭ per-school figures.
    below_minimum = models.PositiveIntegerField("не преодолели минимальный порог", null=True, blank=True)
    high_scorers = models.PositiveIntegerField("высокобалльники 80–99", null=True, blank=True)
    full_scorers = models.PositiveIntegerField("100 баллов", null=True, blank=True)
    mean_score = models.DecimalField("средний балл", max_digits=5, decimal_places=2, null=True, blank=True)
    import_job = models.ForeignKey(ImportJob, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    replaced_by = models.ForeignKey(ImportJob, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    computed_at = models.DateTimeField("рассчитано", default=timezone.now)

    VALUE_FIELDS = (
        "participants",
        "mark_2",
        "mark_3",
        "mark_4",
        "mark_5",
        "mean_mark",
        "lowered",
        "confirmed",
        "raised",
        "below_minimum",
        "high_scorers",
        "full_scorers",
        "mean_score",
    )

    class Meta:
        verbose_name = "показатели школы по процедуре"
        verbose_name_plural = "показатели школ по процедурам"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "procedure", "subject", "grade", "school", "source"],
                condition=CURRENT,
                name="aggregate_unique_current",
            )
        ]
        indexes = [
            models.Index(fields=["school", "year"], condition=CURRENT, name="aggregate_school_year_cur"),
        ]

    def __str__(self) -> str:
        return f"{self.get_procedure_display()} {self.subject_id} {self.grade} кл., школа {self.school_id}"


_share = [MinValueValidator(0), MaxValueValidator(100)]


class ContextData(models.Model):
    """Context of one school in one academic year (canonical template, one row per school-year).

    Shares are in per cent of the contingent (0–100), as the municipal models state their
    ИСБШ inputs (DESIGN.md §7).
    """

    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+", verbose_name="год")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+", verbose_name="школа")
    contingent = models.PositiveIntegerField("контингент", null=True, blank=True)
    low_income_share = models.DecimalField(
        "доля малоимущих, %", max_digits=5, decimal_places=2, null=True, validators=_share
    )
    ovz_share = models.DecimalField(
        "доля обучающихся с ОВЗ, %", max_digits=5, decimal_places=2, null=True, validators=_share
    )
    non_native_share = models.DecimalField(
        "доля неродных для русского языка, %", max_digits=5, decimal_places=2, null=True, validators=_share
    )
    single_parent_share = models.DecimalField(
        "доля из неполных семей, %", max_digits=5, decimal_places=2, null=True, validators=_share
    )
    preventive_register_share = models.DecimalField(
        "доля на профилактическом учёте, %", max_digits=5, decimal_places=2, null=True, validators=_share
    )
    parents_higher_ed_share = models.DecimalField(
        "доля родителей с высшим образованием, %", max_digits=5, decimal_places=2, null=True, validators=_share
    )
    missed_lessons = models.PositiveIntegerField("пропущено уроков", null=True, blank=True)
    discipline_incidents = models.PositiveIntegerField("дисциплинарные нарушения", null=True, blank=True)
    teacher_posts = models.DecimalField("ставок педагогов", max_digits=7, decimal_places=2, null=True, blank=True)
    teacher_vacancies = models.DecimalField("вакансий педагогов", max_digits=7, decimal_places=2, null=True, blank=True)
    graduates_9 = models.PositiveIntegerField("выпускников 9 класса", null=True, blank=True)
    certificates_9 = models.PositiveIntegerField("получили аттестат (9)", null=True, blank=True)
    graduates_11 = models.PositiveIntegerField("выпускников 11 класса", null=True, blank=True)
    certificates_11 = models.PositiveIntegerField("получили аттестат (11)", null=True, blank=True)
    import_job = models.ForeignKey(ImportJob, on_delete=models.PROTECT, related_name="context_rows")
    replaced_by = models.ForeignKey(
        ImportJob, on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_context_rows"
    )

    VALUE_FIELDS = (
        "contingent",
        "low_income_share",
        "ovz_share",
        "non_native_share",
        "single_parent_share",
        "preventive_register_share",
        "parents_higher_ed_share",
        "missed_lessons",
        "discipline_incidents",
        "teacher_posts",
        "teacher_vacancies",
        "graduates_9",
        "certificates_9",
        "graduates_11",
        "certificates_11",
    )

    class Meta:
        verbose_name = "контекстные данные школы"
        verbose_name_plural = "контекстные данные школ"
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], condition=CURRENT, name="context_unique_current"),
        ]
        indexes = [
            models.Index(fields=["year", "school"], condition=CURRENT, name="context_year_school_cur"),
            models.Index(fields=["import_job"], name="context_job"),
            models.Index(fields=["replaced_by"], condition=Q(replaced_by__isnull=False), name="context_replaced_by"),
        ]

    def __str__(self) -> str:
        return f"Контекст школы {self.school_id}, год {self.year_id}"


# --- The structure of a test (issue #18) --------------------------------------------------------
# What the import keeps besides the participants' rows: the tasks of the test in order, the
# maximum and difficulty (Б/П/В) of each, the mark boundaries; and the Ф3 rows of the whole
# sample, the region and the municipality. The analytics app (analytics.aggregates) reads them.


class Difficulty(models.TextChoices):
    BASIC = "Б", "базовый"
    ADVANCED = "П", "повышенный"
    HIGH = "В", "высокий"


class AssessmentStructure(models.Model):
    """The tasks of one test as the file gave them; the last import of the slice wins."""

    class BoundarySource(models.TextChoices):
        NONE = "", "неизвестны"
        FILE = "file", "из файла или описания работы"
        INFERRED = "inferred", "по данным (наименьший балл с отметкой)"

    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+", verbose_name="год")
    procedure = models.CharField("процедура", max_length=3, choices=Procedure.choices)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField("класс (параллель)")
    variant = models.CharField("вариант", max_length=20, blank=True, help_text="Пусто — одинаков для всех вариантов.")
    max_primary_score = models.PositiveSmallIntegerField("максимальный первичный балл", null=True, blank=True)
    # The lowest primary score that gives the mark (the mark boundaries drawn on the histogram).
    boundary_3 = models.PositiveSmallIntegerField("граница «3»", null=True, blank=True)
    boundary_4 = models.PositiveSmallIntegerField("граница «4»", null=True, blank=True)
    boundary_5 = models.PositiveSmallIntegerField("граница «5»", null=True, blank=True)
    boundaries_source = models.CharField(
        "источник границ", max_length=8, choices=BoundarySource.choices, default="", blank=True
    )
    import_job = models.ForeignKey(ImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField("обновлено", auto_now=True)

    class Meta:
        verbose_name = "структура работы"
        verbose_name_plural = "структуры работ"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "procedure", "subject", "grade", "variant"], name="assessment_structure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_procedure_display()} {self.subject} {self.grade} кл."

    @property
    def boundaries(self) -> list[tuple[int, int]]:
        """(mark, lowest score) for the known boundaries, «3» first."""
        pairs = ((3, self.boundary_3), (4, self.boundary_4), (5, self.boundary_5))
        return [(mark, score) for mark, score in pairs if score is not None]


class AssessmentTask(models.Model):
    structure = models.ForeignKey(AssessmentStructure, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveSmallIntegerField("порядковый номер")  # 1-based position in the score text
    label = models.CharField("задание", max_length=20)  # as the file names it: «1», «3.1», «4К1»
    max_score = models.PositiveSmallIntegerField("максимальный балл")
    difficulty = models.CharField("уровень сложности", max_length=1, choices=Difficulty.choices, blank=True)

    class Meta:
        ordering = ["structure", "number"]
        verbose_name = "задание работы"
        verbose_name_plural = "задания работ"
        constraints = [models.UniqueConstraint(fields=["structure", "number"], name="assessment_task_unique")]

    def __str__(self) -> str:
        return f"{self.label} ({self.max_score} б.)"


class AreaMarkStat(models.Model):
    """A Ф3 «Статистика по отметкам» row of an area: the whole sample (Russia), a region, a
    municipality. Marks in per cent of participants, as the report gives them."""

    class Area(models.TextChoices):
        RUSSIA = "russia", "Вся выборка (Россия)"
        REGION = "region", "Регион"
        MUNICIPALITY = "municipality", "Муниципалитет"

    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+")
    procedure = models.CharField(max_length=3, choices=Procedure.choices)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField()
    area = models.CharField(max_length=12, choices=Area.choices)
    region = models.ForeignKey("schools.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField("группа участников", max_length=300, blank=True)
    schools_count = models.PositiveIntegerField(null=True, blank=True)
    participants = models.PositiveIntegerField(default=0)
    share_2 = models.DecimalField(max_digits=5, decimal_places=2)
    share_3 = models.DecimalField(max_digits=5, decimal_places=2)
    share_4 = models.DecimalField(max_digits=5, decimal_places=2)
    share_5 = models.DecimalField(max_digits=5, decimal_places=2)
    import_job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="+")
    replaced_by = models.ForeignKey(ImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "статистика по отметкам (территория)"
        verbose_name_plural = "статистика по отметкам (территории)"
        indexes = [models.Index(fields=["year", "procedure", "subject", "grade"], name="areamark_slice")]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.subject_id} {self.grade} кл."
