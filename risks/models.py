"""Objectivity signals and risk profiles («500+») of schools, per school-year.

Signals (DESIGN.md §1, §7) are things for a person to check, never verdicts: each is stored
with the numbers behind it and a Russian explanation, and a person marks it checked
(confirmed or explained) with a comment. A recompute keeps that review: a signal that no
longer fires is kept with ``is_active=False``, never deleted.

Risk profile: a versioned catalogue of risk factors (the federal «500+» project's eleven by
default). A factor used by a stored level or an answer is never changed in place — editing it
makes a new version (``risks.services.risk_factor_update``), so old profiles still read as they
were computed. Each factor gets a level per school-year, from data where the factor has a data
source and data exist, otherwise from the director's self-diagnosis.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.jobs.models import Job


class SignalKind(models.TextChoices):
    RAISED_SHARE = "raised_share", "Доля повысивших отметку выше муниципальной"
    MARK_GAP = "mark_gap", "Расхождение ВПР и журнала на 2 и более балла"
    BOUNDARY_PEAK = "boundary_peak", "Пик распределения первичных баллов на границе отметки"
    VPR_ABOVE_OGE = "vpr_above_oge", "Результаты ВПР намного выше ОГЭ того же выпуска"
    EASY_BELOW_HARD = "easy_below_hard", "Задания базового уровня выполнены хуже трудных"


class ObjectivitySignal(models.Model):
    class Review(models.TextChoices):
        OPEN = "open", "Не проверен"
        CONFIRMED = "confirmed", "Проверен: признаки подтвердились"
        EXPLAINED = "explained", "Проверен: есть объяснение"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+", verbose_name="школа")
    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+", verbose_name="год")
    kind = models.CharField("сигнал", max_length=20, choices=SignalKind.choices)
    subject = models.ForeignKey(
        "monitoring.Subject", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="предмет"
    )
    grade = models.PositiveSmallIntegerField("класс", default=0)
    value = models.DecimalField("значение", max_digits=8, decimal_places=2)
    reference = models.DecimalField("сравнение", max_digits=8, decimal_places=2, null=True, blank=True)
    participants = models.PositiveIntegerField("участников", default=0)
    details = models.JSONField("числа", default=dict, blank=True)
    explanation = models.TextField("пояснение")
    is_active = models.BooleanField("срабатывает", default=True)
    computed_at = models.DateTimeField("рассчитан", auto_now=True)
    review = models.CharField("проверка", max_length=10, choices=Review.choices, default=Review.OPEN)
    review_comment = models.TextField("комментарий проверки", blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="проверил"
    )
    reviewed_at = models.DateTimeField("проверен", null=True, blank=True)

    class Meta:
        ordering = ["school_id", "kind", "subject_id", "grade"]
        verbose_name = "сигнал объективности"
        verbose_name_plural = "сигналы объективности"
        constraints = [
            # subject NULL (a school-wide signal) must be unique too: NULLS NOT DISTINCT is
            # PostgreSQL-only, so the grade 0 / subject pair is made unique by two constraints.
            models.UniqueConstraint(
                fields=["school", "year", "kind", "subject", "grade"],
                condition=Q(subject__isnull=False),
                name="signal_unique_subject",
            ),
            models.UniqueConstraint(
                fields=["school", "year", "kind", "grade"],
                condition=Q(subject__isnull=True),
                name="signal_unique_school",
            ),
        ]
        indexes = [models.Index(fields=["year", "school"], condition=Q(is_active=True), name="signal_year_school")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: школа {self.school_id}, {self.year_id}"


class RiskLevel(models.TextChoices):
    UNKNOWN = "unknown", "нет данных"
    LOW = "low", "низкий"
    MEDIUM = "medium", "средний"
    HIGH = "high", "высокий"


class DataSource(models.TextChoices):
    """How a factor is scored from data (``risks.scoring``); NONE — only by self-diagnosis."""

    NONE = "", "Только самодиагностика"
    TEACHER_VACANCIES = "teacher_vacancies", "Вакансии педагогов к числу ставок (контекстные данные)"
    OVZ_SHARE = "ovz_share", "Доля обучающихся с ОВЗ (контекстные данные)"
    FAIL_SHARE = "fail_share", "Доля «2» по ВПР и ОГЭ"
    LANGUAGE_BARRIERS = "language_barriers", "Доля неродных для русского языка и «2» по русскому языку"


class RiskFactor(models.Model):
    """One version of one risk factor. ``code`` is stable across versions."""

    code = models.SlugField("код", max_length=40)
    version = models.PositiveIntegerField("версия", default=1)
    is_current = models.BooleanField("действующая версия", default=True)
    order = models.PositiveSmallIntegerField("порядок", default=0)
    name = models.CharField("название", max_length=200)
    description = models.TextField("описание", blank=True)
    data_source = models.CharField("расчёт по данным", max_length=24, choices=DataSource.choices, blank=True)
    # Levels from a data value: ≥ medium_from → средний, ≥ high_from → высокий (both in the source's unit).
    medium_from = models.DecimalField("средний уровень от", max_digits=6, decimal_places=2, null=True, blank=True)
    high_from = models.DecimalField("высокий уровень от", max_digits=6, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["order", "code", "-version"]
        verbose_name = "фактор риска"
        verbose_name_plural = "факторы риска"
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="riskfactor_code_version"),
            models.UniqueConstraint(fields=["code"], condition=Q(is_current=True), name="riskfactor_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (версия {self.version})"


class RiskQuestion(models.Model):
    """A statement of the self-diagnosis about one factor; the answer says how true it is of the school."""

    factor = models.ForeignKey(RiskFactor, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField("утверждение", max_length=300)

    class Meta:
        ordering = ["factor__order", "order", "pk"]
        verbose_name = "вопрос самодиагностики"
        verbose_name_plural = "вопросы самодиагностики"

    def __str__(self) -> str:
        return self.text


class SelfDiagnosis(models.Model):
    """The director's self-diagnosis of one school-year: editable until the department locks it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Черновик"
        SUBMITTED = "submitted", "Отправлена"
        LOCKED = "locked", "Закрыта управлением образования"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("состояние", max_length=10, choices=Status.choices, default=Status.DRAFT)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "самодиагностика школы"
        verbose_name_plural = "самодиагностики школ"
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="selfdiagnosis_school_year")]

    def __str__(self) -> str:
        return f"Самодиагностика школы {self.school_id}, {self.year_id}"


ANSWER_SCALE = (
    (1, "Совсем не про нашу школу"),
    (2, "Скорее не про нас"),
    (3, "Скорее про нас"),
    (4, "Точно про нашу школу"),
)


class SelfDiagnosisAnswer(models.Model):
    diagnosis = models.ForeignKey(SelfDiagnosis, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(RiskQuestion, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(
        "ответ", choices=ANSWER_SCALE, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["diagnosis", "question"], name="answer_unique")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class SchoolRisk(models.Model):
    """The level of one factor (version) for one school-year, with its source and numbers."""

    class Source(models.TextChoices):
        DATA = "data", "По данным"
        SELF_DIAGNOSIS = "self_diagnosis", "По самодиагностике"
        NONE = "none", "Нет данных"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+")
    factor = models.ForeignKey(RiskFactor, on_delete=models.PROTECT, related_name="levels")
    level = models.CharField("уровень", max_length=8, choices=RiskLevel.choices, default=RiskLevel.UNKNOWN)
    source = models.CharField("источник", max_length=16, choices=Source.choices, default=Source.NONE)
    value = models.DecimalField("значение", max_digits=8, decimal_places=2, null=True, blank=True)
    details = models.JSONField("числа", default=dict, blank=True)
    explanation = models.TextField("пояснение", blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "уровень риска"
        verbose_name_plural = "уровни риска"
        constraints = [models.UniqueConstraint(fields=["school", "year", "factor"], name="schoolrisk_unique")]
        indexes = [models.Index(fields=["year", "school"], name="schoolrisk_year_school")]

    def __str__(self) -> str:
        return f"{self.factor.name}: {self.get_level_display()}"

    @property
    def level_rank(self) -> int:
        return {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3}.get(self.level, 0)


class RecomputeJob(Job):
    """An on-demand recompute of signals and risk levels of one municipality-year (core.jobs)."""

    TASK_NAME = "risks.tasks.run_recompute_job"

    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        RUNNING = "running", "Идёт расчёт"
        DONE = "done", "Готово"
        FAILED = "failed", "Ошибка"

    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey("schools.Municipality", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    status = models.CharField("статус", max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Пересчёт №{self.pk} ({self.get_status_display()})"
