"""Results analytics: the structure of a test, the task catalogue, and per-task figures.

What the import keeps of a test lives with the results (``monitoring.models.AssessmentStructure``,
``AssessmentTask``, ``AreaMarkStat``: the tasks, their maxima and difficulty, the mark boundaries,
the Ф3 rows of the areas). Here (DESIGN.md §7, «Task structure»):

* ``TaskCatalogue`` / ``TaskCatalogueItem`` — the methodological centre's description of the
  test: per task the checked skill, the content elements (КЭС) and requirements (КТ), the
  section/topic. Versioned by year (one catalogue per year, subject and grade).
* ``TaskResult`` / ``MarkResult`` — figures computed by ``analytics.aggregates`` in SQL with
  the indicator recompute (never per page view): per task the sum of scores and the sum of
  maxima, per slice the counts of marks, for a class, a school, a municipality and a region.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from monitoring.models import Difficulty, Procedure


class TaskCatalogue(models.Model):
    """The description of one test («описание проверочной работы»): a version per year.

    The shipped one (``municipality`` empty) is the operator's and every territory reads it;
    a municipality's methodological centre edits its own copy, made on its first change
    (``analytics.catalogue``), and that municipality's pages read the copy instead.
    """

    year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+", verbose_name="год")
    procedure = models.CharField("процедура", max_length=3, choices=Procedure.choices, default=Procedure.VPR)
    subject = models.ForeignKey(
        "monitoring.Subject", on_delete=models.PROTECT, related_name="+", verbose_name="предмет"
    )
    grade = models.PositiveSmallIntegerField("класс")
    municipality = models.ForeignKey(
        "schools.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="копия муниципалитета",
    )
    source_document = models.CharField("документ-основание", max_length=300, blank=True)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="изменил"
    )
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        ordering = ["-year__start_year", "procedure", "subject__code", "grade"]
        verbose_name = "кодификатор работы"
        verbose_name_plural = "кодификаторы работ"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "procedure", "subject", "grade"],
                condition=Q(municipality__isnull=True),
                name="task_catalogue_unique",
            ),
            models.UniqueConstraint(
                fields=["year", "procedure", "subject", "grade", "municipality"],
                condition=Q(municipality__isnull=False),
                name="task_catalogue_copy_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_procedure_display()} {self.subject} {self.grade} кл., {self.year}"


class TaskCatalogueItem(models.Model):
    catalogue = models.ForeignKey(TaskCatalogue, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("порядок", default=0)
    task_label = models.CharField("задание", max_length=20)
    skill = models.CharField("проверяемое умение (требование)", max_length=500)
    kes = models.CharField("КЭС (коды через «;»)", max_length=200, blank=True)
    kt = models.CharField("КТ (коды через «;»)", max_length=200, blank=True)
    section = models.CharField("раздел / тема", max_length=200, blank=True)
    difficulty = models.CharField("уровень сложности", max_length=1, choices=Difficulty.choices, blank=True)

    class Meta:
        ordering = ["catalogue", "order", "pk"]
        verbose_name = "задание кодификатора"
        verbose_name_plural = "задания кодификатора"
        constraints = [models.UniqueConstraint(fields=["catalogue", "task_label"], name="catalogue_item_unique")]

    def __str__(self) -> str:
        return f"{self.task_label}: {self.skill[:60]}"

    @property
    def kes_codes(self) -> list[str]:
        return [code.strip() for code in self.kes.replace(",", ";").split(";") if code.strip()]


class Level(models.TextChoices):
    CLASS = "class", "класс"
    SCHOOL = "school", "школа"
    MUNICIPALITY = "municipality", "муниципалитет"
    REGION = "region", "регион"


class _SliceFigures(models.Model):
    """The key of a computed figure: one slice (year, procedure, subject, grade) at one level.

    The keys have no database constraint (``db_constraint=False``): the rows are derived, written
    only by ``analytics.aggregates`` from rows whose keys are checked, and rewritten in full —
    PostgreSQL's commit-time check of five keys per row took as long as the aggregation itself
    (bench/task_figures_bench.py). CASCADE stays Django's: deleting a school, a year or a subject
    through the ORM deletes its figures (analytics/tests/test_task_figures.py)."""

    year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    procedure = models.CharField(max_length=3, choices=Procedure.choices)
    subject = models.ForeignKey(
        "monitoring.Subject", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    grade = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=12, choices=Level.choices)
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, null=True, related_name="+", db_index=False, db_constraint=False
    )
    municipality = models.ForeignKey(
        "schools.Municipality",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    region = models.ForeignKey(
        "schools.Region", on_delete=models.CASCADE, null=True, related_name="+", db_index=False, db_constraint=False
    )
    class_name = models.CharField(max_length=10, blank=True)
    participants = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class TaskResult(_SliceFigures):
    """Per-task sums: completion = score_sum / max_sum (ФИС ОКО: «X» counts as 0 points)."""

    task_number = models.PositiveSmallIntegerField()
    score_sum = models.PositiveIntegerField(default=0)
    max_sum = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "выполнение задания"
        verbose_name_plural = "выполнение заданий"
        indexes = [
            models.Index(fields=["school", "year"], condition=Q(school__isnull=False), name="taskres_school_year"),
            models.Index(
                fields=["municipality", "year"], condition=Q(municipality__isnull=False), name="taskres_muni_year"
            ),
            models.Index(fields=["region", "year"], condition=Q(region__isnull=False), name="taskres_region_year"),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.subject_id} {self.grade} кл., задание №{self.task_number}"

    @property
    def completion(self) -> float | None:
        return 100.0 * self.score_sum / self.max_sum if self.max_sum else None


class MarkResult(_SliceFigures):
    """Counts of marks of one slice, and whether it pools several grades (small schools).

    A pooled row (``grade_to`` set) pools the grades ``grade``…``grade_to`` of one level of
    education of a school whose every slice of that subject and level is under
    ``IndicatorValue.MIN_GROUP`` participants. A row with ``two_years`` set pools, where even
    the level's grades of the year stay under the minimum, the level's grades of the year
    and of the year before (``year`` is the later one): «объединено за 2 года».
    """

    grade_to = models.PositiveSmallIntegerField(null=True, blank=True)
    two_years = models.BooleanField(default=False, db_default=False)
    mark_2 = models.PositiveIntegerField(default=0)
    mark_3 = models.PositiveIntegerField(default=0)
    mark_4 = models.PositiveIntegerField(default=0)
    mark_5 = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveIntegerField(default=0)
    journal_n = models.PositiveIntegerField(default=0)
    lowered = models.PositiveIntegerField(default=0)
    confirmed = models.PositiveIntegerField(default=0)
    raised = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "распределение отметок"
        verbose_name_plural = "распределения отметок"
        indexes = [
            models.Index(fields=["school", "year"], condition=Q(school__isnull=False), name="markres_school_year"),
            models.Index(
                fields=["municipality", "year"], condition=Q(municipality__isnull=False), name="markres_muni_year"
            ),
            models.Index(fields=["region", "year"], condition=Q(region__isnull=False), name="markres_region_year"),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.subject_id} {self.grade} кл.: {self.participants} уч."

    @property
    def pooled(self) -> bool:
        return self.grade_to is not None


class SkillTag(models.Model):
    """A skill, content element (КЭС code) or topic an event, a КПК programme or a bank practice
    works on: what the weak-skills suggestions match (``analytics.actions``). The methodological
    centre tags its offers in the admin or on the catalogue page."""

    tag = models.CharField("умение, код КЭС или тема", max_length=300)
    subject = models.ForeignKey(
        "monitoring.Subject", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="предмет"
    )
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    programme = models.ForeignKey("events.Programme", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    practice = models.ForeignKey("events.Practice", on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "метка умения"
        verbose_name_plural = "метки умений"
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False) | Q(programme__isnull=False) | Q(practice__isnull=False),
                name="skilltag_has_target",
            )
        ]

    def __str__(self) -> str:
        return self.tag
