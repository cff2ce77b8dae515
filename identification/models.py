"""Identification outcomes that the rest of the portal relies on.

``SchoolStatus`` is the department's decision (DESIGN.md §7: «nothing becomes a status by
itself»): a school has a status of a kind for an academic year, approved by a decision with
its number and date. Roadmaps, agreements, events and teachers' routes target the schools
with a current support status (ШНОР, ШССУ); see ``identification.selectors.supported_schools``.

A status is never deleted or overwritten: revoking sets ``revoked_at`` (with a reason), and
a change of mind is a new row, so the history of decisions stays readable.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from core.jobs.models import Job, JobStatus


class StatusKind(models.TextChoices):
    LOW_RESULTS = "low_results", "ШНОР — низкие образовательные результаты"
    DIFFICULT_CONDITIONS = "difficult_conditions", "ШССУ — сложные социальные условия"
    HIGH_RESULTS = "high_results", "Высокие результаты (школа-партнёр)"
    RISK_ZONE = "risk_zone", "Зона риска"
    EFFECTIVE = "effective", "Переход в эффективный режим"

    @classmethod
    def supported(cls) -> tuple[str, ...]:
        """Kinds that put a school into the support programme."""
        return (cls.LOW_RESULTS, cls.DIFFICULT_CONDITIONS)


ACTIVE = Q(revoked_at__isnull=True)


def decision_upload_path(instance: Decision, filename: str) -> str:
    # The stored name never reuses the user's file name (it may hold anything).
    owner = instance.municipality_id or f"region-{instance.region_id}"
    return f"decisions/{owner}/{uuid.uuid4().hex}.pdf"


class Decision(models.Model):
    """A department's order (приказ) about the statuses of one kind for a year.

    Approving a run applies all of it under one decision: the statuses it adds (their
    ``decision``), the ones it keeps (``kept``) and the ones it revokes (their
    ``revoked_by_decision``); the register of decisions lists each with what it changed.

    A department's decision is its municipality's; the region's own decision (approving a
    regional run, issue #20) has ``region`` set instead. Exactly one of the two is set.
    """

    municipality = models.ForeignKey(
        "schools.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="муниципалитет",
    )
    region = models.ForeignKey(
        "schools.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="регион"
    )
    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+", verbose_name="год")
    kind = models.CharField("статус", max_length=24, choices=StatusKind.choices)
    number = models.CharField("номер приказа", max_length=50)
    date = models.DateField("дата приказа")
    file = models.FileField("файл приказа", upload_to=decision_upload_path, blank=True)
    run = models.ForeignKey(
        "identification.IdentificationRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="запуск выявления",
    )
    # Statuses in force that the decision confirmed as they were (ids of SchoolStatus).
    kept = models.JSONField("оставлены", default=list, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="внёс")
    created_at = models.DateTimeField("внесён", auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "решение (приказ)"
        verbose_name_plural = "решения (приказы)"
        constraints = [
            # One decision per run: a second approval of the same run (two tabs, two people)
            # is refused by the database, not applied twice.
            models.UniqueConstraint(fields=["run"], condition=Q(run__isnull=False), name="decision_one_per_run"),
            models.CheckConstraint(
                condition=Q(municipality__isnull=True) ^ Q(region__isnull=True), name="decision_one_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"Приказ № {self.number} от {self.date:%d.%m.%Y}"

    @property
    def scope(self):
        """The municipality or, for the region's own decision, the region."""
        return self.municipality if self.municipality_id else self.region


class SchoolStatus(models.Model):
    class Source(models.TextChoices):
        RUN = "run", "По результатам выявления"
        MANUAL = "manual", "Установлен вручную"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="statuses")
    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+", verbose_name="год")
    kind = models.CharField("статус", max_length=24, choices=StatusKind.choices)
    source = models.CharField("основание", max_length=8, choices=Source.choices, default=Source.MANUAL)
    decision_number = models.CharField("номер решения (приказа)", max_length=50, blank=True)
    decision_date = models.DateField("дата решения", null=True, blank=True)
    reason = models.TextField("обоснование", blank=True)
    approved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="утвердил"
    )
    approved_at = models.DateTimeField("утверждён", auto_now_add=True)
    revoked_at = models.DateTimeField("отменён", null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="отменил"
    )
    revoke_reason = models.TextField("причина отмены", blank=True)
    run = models.ForeignKey(
        "identification.IdentificationRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statuses",
        verbose_name="запуск выявления",
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="added", verbose_name="приказ"
    )
    revoked_by_decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revoked",
        verbose_name="отменён приказом",
    )

    class Meta:
        ordering = ["-year__start_year", "kind"]
        verbose_name = "статус школы"
        verbose_name_plural = "статусы школ"
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "kind"], condition=ACTIVE, name="status_unique_active"),
        ]
        indexes = [models.Index(fields=["year", "kind"], condition=ACTIVE, name="status_year_kind_active")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.year}"


# --- Indicators ------------------------------------------------------------------------------


class IndicatorValue(models.Model):
    """One indicator of one school-year (and subject/grade where it applies).

    Written only by ``identification.indicators.indicators_recompute`` (set-based SQL); a
    group under ``MIN_GROUP`` participants has no row at all (DESIGN.md §7). ``subject`` and
    ``grade`` are empty for the school-wide value.

    The foreign keys carry ``db_constraint=False``, as ``monitoring.ParticipantResult``'s do:
    PostgreSQL checks a foreign key row by row in a trigger at commit, and a region's
    recompute writes ~0.6M rows — the checks were 5 s of a 12 s recompute (issue #20). The
    rows are derived: every id comes from a join with the registry inside the same SQL
    statement, nothing else writes them, and CASCADE is carried out by Django's collector on
    every delete through the ORM (``test_indicators.py`` checks it).
    """

    MIN_GROUP = 10

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    indicator = models.CharField("показатель", max_length=32)
    subject = models.ForeignKey(
        "monitoring.Subject",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    grade = models.PositiveSmallIntegerField("класс", null=True, blank=True)
    value = models.FloatField("значение")
    participants = models.PositiveIntegerField("участников (обучающихся)", default=0)
    # Computed from several grades of one level pooled (a small school, issue #18): pages,
    # explanations and reports say so. The recompute's other statements rely on the default.
    pooled = models.BooleanField("объединённая группа", default=False, db_default=False)

    class Meta:
        verbose_name = "значение показателя"
        verbose_name_plural = "значения показателей"
        indexes = [
            # The run: one indicator of one year across the schools of a pool.
            models.Index(fields=["year", "indicator", "subject", "grade"], name="indval_run"),
            # The school pages and the recompute's delete: one school's years.
            models.Index(fields=["school", "year"], name="indval_school_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.school_id}/{self.year_id}: {self.value}"


class IndicatorMean(models.Model):
    """The mean of a school-wide indicator over the schools of a municipality (or of a region)
    in a year, stored by the recompute (``indicators.means_recompute``) so the school's page
    reads one row per year instead of averaging the whole municipality on every view (issue #20).
    Exactly one of ``municipality`` and ``region`` is set. Derived rows, as IndicatorValue's:
    no database constraints on the keys, CASCADE done by Django's collector.
    """

    year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    indicator = models.CharField("показатель", max_length=32)
    municipality = models.ForeignKey(
        "schools.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    region = models.ForeignKey(
        "schools.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    value = models.FloatField("среднее")
    schools = models.PositiveIntegerField("школ со значением", default=0)

    class Meta:
        verbose_name = "среднее значение показателя"
        verbose_name_plural = "средние значения показателей"
        indexes = [
            models.Index(fields=["municipality", "year"], name="indmean_muni_year"),
            models.Index(fields=["region", "year"], name="indmean_region_year"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(municipality__isnull=True) ^ models.Q(region__isnull=True),
                name="indmean_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year_id}: {self.value}"


class SupportEffect(models.Model):
    """The support's effect estimate (``identification.selectors.support_effect``) of a
    municipality's (or a region's) schools in a year, stored by what changes its inputs — the
    indicator recompute and the status decisions (``services.support_effects_recompute``) — so
    the dashboard and «Итоги года» read one row instead of matching thousands of schools on
    every view (issue #20). Exactly one of ``municipality`` and ``region`` is set. Derived rows,
    as IndicatorMean's: no database constraints on the keys.
    """

    year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    outcome = models.CharField("показатель результата", max_length=32)
    municipality = models.ForeignKey(
        "schools.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    region = models.ForeignKey(
        "schools.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    effect = models.FloatField("оценка эффекта", null=True, blank=True)
    low = models.FloatField("нижняя граница интервала", null=True, blank=True)
    high = models.FloatField("верхняя граница интервала", null=True, blank=True)
    treated_change = models.FloatField("изменение в школах программы", null=True, blank=True)
    control_change = models.FloatField("изменение в похожих школах", null=True, blank=True)
    n_treated = models.PositiveIntegerField("школ программы", default=0)
    n_control = models.PositiveIntegerField("похожих школ", default=0)
    computed_at = models.DateTimeField("рассчитано", auto_now=True)

    class Meta:
        verbose_name = "оценка эффекта поддержки"
        verbose_name_plural = "оценки эффекта поддержки"
        indexes = [
            models.Index(fields=["municipality", "year"], name="supeffect_muni_year"),
            models.Index(fields=["region", "year"], name="supeffect_region_year"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(municipality__isnull=True) ^ models.Q(region__isnull=True),
                name="supeffect_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} {self.year_id}: {self.effect}"


# The statuses of runs and recomputes are the job layer's (core.jobs).
TaskStatus = JobStatus


class IndicatorRecompute(Job):
    """One recompute of indicators (after an import, or on the department's request)."""

    TASK_NAME = "identification.tasks.recompute_indicators"

    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    import_job = models.ForeignKey(
        "monitoring.ImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Touched school and year ids; empty lists mean «all of the scope».
    school_ids = models.JSONField(default=list, blank=True)
    year_ids = models.JSONField(default=list, blank=True)
    values_written = models.PositiveIntegerField("записано значений", default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "пересчёт показателей"
        verbose_name_plural = "пересчёты показателей"

    def __str__(self) -> str:
        return f"Пересчёт №{self.pk} ({self.get_status_display()})"


# --- Methodology -------------------------------------------------------------------------------


class Methodology(models.Model):
    """A named methodology that proposes one status kind (ШНОР, ШССУ, …); its rules are versions."""

    name = models.CharField("название", max_length=200)
    kind = models.CharField("предлагаемый статус", max_length=24, choices=StatusKind.choices)
    description = models.TextField("описание", blank=True)
    # Empty: a shipped preset every region sees. A department's edit of a preset makes its
    # region's own copy, so one region's rules never change another's.
    region = models.ForeignKey(
        "schools.Region", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="регион"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "методика"
        verbose_name_plural = "методики"
        constraints = [
            models.UniqueConstraint(fields=["name", "region"], name="methodology_name_region"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(region__isnull=True), name="methodology_preset_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MethodologyVersion(models.Model):
    """The criteria of a methodology as they stood at one time. A version used by a run is
    never changed: editing it makes the next version (``identification.services``)."""

    methodology = models.ForeignKey(Methodology, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("версия", default=1)
    source_document = models.CharField("документ-основание", max_length=300, blank=True)
    first_year = models.PositiveSmallIntegerField("применяется с (год начала)", null=True, blank=True)
    last_year = models.PositiveSmallIntegerField("применяется по (год начала)", null=True, blank=True)
    required_count = models.PositiveSmallIntegerField(
        "сколько критериев должно выполняться", default=1, help_text="0 — все критерии."
    )
    # Issue #18, small schools: a share whose 95 % Wilson interval is wider than this (in
    # percentage points) is too unreliable to judge by and counts as «недостаточно данных».
    max_interval_width = models.FloatField(
        "надёжность: наибольшая ширина интервала доли, п.п.",
        null=True,
        blank=True,
        help_text="Пусто — не проверять. Например, 40: доля по 6 ученикам (интервал шире 40 п.п.) не учитывается.",
    )
    # Issue #18 item 5: a school with too few participants even with the grades of a level
    # pooled is judged by the year and the year before together, marked «объединено за 2 года».
    pool_two_years = models.BooleanField(
        "малые школы: объединять два года",
        default=False,
        help_text="Если даже вместе параллели одного уровня меньше минимума — сложить с прошлым годом.",
    )
    # ИСБШ belongs to the version (issue #19): factor → weight (a factor not listed keeps the
    # catalogue's default) and the scaling of small size; see ``identification.isbsh``.
    isbsh_weights = models.JSONField("веса факторов ИСБШ", default=dict, blank=True)
    isbsh_small_school = models.PositiveIntegerField(
        "ИСБШ: малочисленная школа — меньше стольких обучающихся",
        default=500,
        help_text="Трудность малочисленности = 100 · (1 − контингент / это число); не меньше — 0.",
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["methodology__name", "-number"]
        verbose_name = "версия методики"
        verbose_name_plural = "версии методик"
        constraints = [models.UniqueConstraint(fields=["methodology", "number"], name="methodology_version_unique")]

    def __str__(self) -> str:
        return f"{self.methodology.name}, версия {self.number}"

    def applies_to(self, start_year: int) -> bool:
        return (self.first_year is None or start_year >= self.first_year) and (
            self.last_year is None or start_year <= self.last_year
        )


class Pool(models.TextChoices):
    MUNICIPALITY = "municipality", "муниципалитет"
    REGION = "region", "регион"


class Operator(models.TextChoices):
    BOTTOM = "bottom", "в нижних N% (худшие)"
    TOP = "top", "в верхних N% (лучшие)"
    LT = "lt", "меньше порога (<)"
    LE = "le", "не больше порога (≤)"
    GT = "gt", "больше порога (>)"
    GE = "ge", "не меньше порога (≥)"
    RISE = "rise", "вырос за год не меньше чем на (п.п.)"
    FALL = "fall", "снизился за год не меньше чем на"
    ENTER_BOTTOM = "enter_bottom", "вошёл в нижние N% (год назад не был)"


class Criterion(models.Model):
    version = models.ForeignKey(MethodologyVersion, on_delete=models.CASCADE, related_name="criteria")
    indicator = models.CharField("показатель", max_length=32)
    subject = models.ForeignKey(
        "monitoring.Subject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="предмет",
        help_text="Пусто — по всем предметам.",
    )
    grade = models.PositiveSmallIntegerField("класс", null=True, blank=True, help_text="Пусто — по всем классам.")
    pool = models.CharField("сравнение внутри", max_length=12, choices=Pool.choices, default=Pool.MUNICIPALITY)
    operator = models.CharField("условие", max_length=12, choices=Operator.choices)
    value = models.FloatField("значение (N% или порог)")
    min_participants = models.PositiveIntegerField("минимум участников", default=10)
    consecutive_years = models.PositiveSmallIntegerField("лет подряд", default=1)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "критерий"
        verbose_name_plural = "критерии"

    def __str__(self) -> str:
        return f"{self.indicator} {self.get_operator_display()} {self.value}"


# --- Runs --------------------------------------------------------------------------------------


class IdentificationRun(Job):
    """One application of a methodology version to one year and municipality — or, run by the
    region role, to every school of its region (``region`` set, ``municipality`` empty; issue
    #20). Immutable once done: its results keep the numbers they were computed from."""

    TASK_NAME = "identification.tasks.run_identification"

    version = models.ForeignKey(MethodologyVersion, on_delete=models.PROTECT, related_name="runs")
    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+", verbose_name="год")
    municipality = models.ForeignKey(
        "schools.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="муниципалитет",
    )
    region = models.ForeignKey(
        "schools.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="регион"
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="запустил"
    )
    created_at = models.DateTimeField("создан", auto_now_add=True)
    schools_count = models.PositiveIntegerField("школ", default=0)
    proposed_count = models.PositiveIntegerField("предложено", default=0)
    # A draft run is started by the portal itself after an import (``identification.followups``):
    # it only shows what would change; it is never approved into statuses.
    is_draft = models.BooleanField("черновой (после загрузки)", default=False)
    # The recompute after an import that set the draft off (its import job: «что изменилось»).
    recompute = models.ForeignKey(
        IndicatorRecompute, on_delete=models.SET_NULL, null=True, blank=True, related_name="draft_runs"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "запуск выявления"
        verbose_name_plural = "запуски выявления"
        indexes = [
            models.Index(fields=["municipality", "year"], name="run_muni_year"),
            models.Index(fields=["region", "year"], name="run_region_year"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(municipality__isnull=True) ^ Q(region__isnull=True), name="run_one_scope"
            )
        ]

    def __str__(self) -> str:
        return f"Выявление №{self.pk}: {self.version}, {self.year}"

    @property
    def is_regional(self) -> bool:
        return self.region_id is not None

    @property
    def scope(self):
        """The municipality of the run or, for a regional run, the region."""
        return self.region if self.region_id else self.municipality

    @property
    def kind(self) -> str:
        return self.version.methodology.kind


class RunResult(models.Model):
    """What a run says about one school: values, percentiles, fired criteria, the proposal.

    The foreign keys carry ``db_constraint=False``, as ``IndicatorValue``'s do: a regional run
    writes 2,000 rows at once, and PostgreSQL's commit-time checks of their two keys took twice
    as long as the insert itself (issue #20). The rows are derived: only the run writes them,
    with its own id and the ids of the schools it has just read. PROTECT (a school with
    results) and CASCADE (a run's results) are Django's collector's on every ORM delete
    (``test_regional_runs.py`` checks both). The run's own index is the unique one's prefix.
    """

    run = models.ForeignKey(
        IdentificationRun, on_delete=models.CASCADE, related_name="results", db_index=False, db_constraint=False
    )
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    proposed = models.BooleanField("предложена", default=False)
    fired_count = models.PositiveSmallIntegerField(default=0)
    # One entry per criterion: indicator, value, percentile, threshold, fired, years, note.
    details = models.JSONField(default=list)
    explanation = models.TextField("обоснование", blank=True)
    # No criterion had a value for the school (too few participants even pooled, or no data):
    # counted apart on the run page as «недостаточно данных» (issue #18).
    insufficient = models.BooleanField("недостаточно данных", default=False)
    # The status the school already holds in the run's year that makes a proposal pointless
    # (the same kind, or ШНОР for the risk zone); the school is shown with it, not proposed.
    held_status = models.CharField("уже имеет статус", max_length=24, choices=StatusKind.choices, blank=True)

    class Meta:
        ordering = ["-proposed", "-fired_count", "school__code"]
        constraints = [models.UniqueConstraint(fields=["run", "school"], name="run_result_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.school_id}: {'предложена' if self.proposed else '—'}"
