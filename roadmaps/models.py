"""Roadmaps (дорожные карты) and school programmes, their reporting periods and progress.

The seeds put the roadmap at the centre of support: the department writes a municipal one,
each supported school (ШНОР/ШССУ) writes its programme for improving quality, and directors
report progress every period while the curator and the department answer.

A roadmap has a level and exactly one owner of that level (a check constraint holds it):
municipal → municipality, school → school, teacher → teacher (a teacher's individual route,
ИОМ, DESIGN.md §4; the level exists so it fits without a migration of the others). The
municipality is stored on every roadmap, whatever the level, because every scoped query
starts from it.

Statuses move only through ``roadmaps.services`` (see ``ROADMAP_TRANSITIONS`` there); the
history of changes is django-simple-history's (who, when, what).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.jobs.models import Job
from core.queue import RESEND_LETTERS_WITHIN


class Level(models.TextChoices):
    MUNICIPAL = "municipal", "Муниципальная дорожная карта"
    SCHOOL = "school", "Программа школы"
    TEACHER = "teacher", "Индивидуальный маршрут учителя (ИОМ)"


class Direction(models.TextChoices):
    """Directions of work named by the seeds' municipal models (the catalogue of the issue)."""

    ORGANISATIONAL = "organisational", "Организационно-управленческое"
    METHODOLOGICAL = "methodological", "Информационно-методическое"
    STAFF = "staff", "Кадровое"
    SOCIAL = "social", "Социально-педагогическое"
    IMAGE = "image", "Имиджевое"
    DIAGNOSTIC = "diagnostic", "Контрольно-диагностическое"
    MATERIAL = "material", "Материально-техническое"


class Roadmap(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Черновик"
        SUBMITTED = "submitted", "На согласовании"
        RETURNED = "returned", "Возвращена на доработку"
        APPROVED = "approved", "Утверждена"
        COMPLETED = "completed", "Выполнена"
        ARCHIVED = "archived", "В архиве"

    level = models.CharField("уровень", max_length=10, choices=Level.choices)
    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.PROTECT, related_name="roadmaps", verbose_name="муниципалитет"
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="roadmaps", verbose_name="школа"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="routes",
        verbose_name="учитель",
    )
    title = models.CharField("название", max_length=300)
    start_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.PROTECT, related_name="+", verbose_name="с учебного года"
    )
    end_year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.PROTECT, related_name="+", verbose_name="по учебный год"
    )
    status = models.CharField("статус", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Where the content was copied from: a municipal template or last year's programme.
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="создана на основе"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="создал"
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    submitted_at = models.DateTimeField("отправлена", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="утвердил",
    )
    approved_at = models.DateTimeField("утверждена", null=True, blank=True)
    return_comment = models.TextField("замечания при возврате", blank=True)
    published_at = models.DateTimeField("опубликована", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-start_year__start_year", "title"]
        verbose_name = "дорожная карта"
        verbose_name_plural = "дорожные карты"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(level=Level.MUNICIPAL, school__isnull=True, teacher__isnull=True)
                    | Q(level=Level.SCHOOL, school__isnull=False, teacher__isnull=True)
                    | Q(level=Level.TEACHER, school__isnull=False, teacher__isnull=False)
                ),
                name="roadmap_owner_matches_level",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status__in=["approved", "completed"]),
                name="roadmap_published_only_when_approved",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "level", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("roadmaps:detail", args=[self.pk])

    @property
    def owner_display(self) -> str:
        if self.level == Level.MUNICIPAL:
            return str(self.municipality)
        if self.level == Level.TEACHER:
            return str(self.teacher)
        return self.school.short_name

    @property
    def period_display(self) -> str:
        if self.start_year_id == self.end_year_id:
            return self.start_year.name
        return f"{self.start_year.start_year}–{self.end_year.start_year + 1}"

    @property
    def period_start(self) -> dt.date:
        return self.start_year.starts_on

    @property
    def period_end(self) -> dt.date:
        return self.end_year.ends_on

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Objective(models.Model):
    """A task of the roadmap. Objectives of one risk factor form that risk's anti-risk programme («500+»)."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="objectives")
    direction = models.CharField("направление", max_length=16, choices=Direction.choices)
    title = models.CharField("задача", max_length=500)
    # The code of a factor of the risks app's catalogue (e.g. «R3»); a plain code for now,
    # because that catalogue is being built in parallel. A FK can replace it by migration.
    risk_factor_code = models.CharField("фактор риска (код)", max_length=20, blank=True)
    indicator = models.CharField("целевой показатель", max_length=300, blank=True)
    # A computed indicator of the catalogue (identification.catalogue): each reporting period
    # then shows its actual value from the data beside the base and the target.
    indicator_code = models.CharField(
        "показатель из данных портала",
        max_length=32,
        blank=True,
        help_text="Если выбран, в каждом отчётном периоде рядом с базовым и целевым значением "
        "показывается фактическое значение школы из загруженных данных.",
    )
    unit = models.CharField("единица", max_length=30, blank=True)
    baseline_value = models.DecimalField("базовое значение", max_digits=12, decimal_places=2, null=True, blank=True)
    target_value = models.DecimalField("целевое значение", max_digits=12, decimal_places=2, null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "задача"
        verbose_name_plural = "задачи"

    def __str__(self) -> str:
        return self.title


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", "Запланировано"
    IN_PROGRESS = "in_progress", "Выполняется"
    DONE = "done", "Выполнено"
    CANCELLED = "cancelled", "Отменено"


# A measure in one of these is finished: it is never overdue. «Просрочено» is not a status: it is
# computed when read (roadmaps.selectors.overdue_q; Measure.is_overdue_on for one measure).
CLOSED_STATUSES = (MeasureStatus.DONE, MeasureStatus.CANCELLED)


class Measure(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="measures")
    # Denormalised from the objective (set by services only): every list of a roadmap's
    # measures and every scoped query of measures starts from the roadmap.
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="measures")
    title = models.CharField("мероприятие", max_length=500)
    description = models.TextField("описание", blank=True)
    responsible = models.CharField("ответственный", max_length=300, blank=True)
    responsible_organisation = models.ForeignKey(
        "schools.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ответственная организация",
    )
    starts_on = models.DateField("начало")
    due_on = models.DateField("срок")
    expected_result = models.TextField("ожидаемый результат", blank=True)
    evidence_required = models.BooleanField("нужны подтверждающие документы", default=False)
    status = models.CharField(
        "статус", max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED, db_index=True
    )
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "order", "pk"]
        verbose_name = "мероприятие"
        verbose_name_plural = "мероприятия"
        constraints = [models.CheckConstraint(condition=Q(due_on__gte=models.F("starts_on")), name="measure_dates")]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue_on(self, day: dt.date) -> bool:
        """Overdue: the deadline has passed and the measure is neither done nor cancelled."""
        return self.due_on < day and self.status not in CLOSED_STATUSES


class ReportingPeriod(models.Model):
    """A period the department asks progress for (e.g. a quarter)."""

    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.PROTECT, related_name="reporting_periods", verbose_name="муниципалитет"
    )
    name = models.CharField("название", max_length=100)
    opens_on = models.DateField("открывается")
    due_on = models.DateField("срок сдачи")
    # Claimed once by the reminder task (conditional UPDATE): a period is reminded of once.
    reminder_sent_at = models.DateTimeField("напоминание отправлено", null=True, blank=True)
    summary_published_at = models.DateTimeField("сводка опубликована", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_on"]
        verbose_name = "отчётный период"
        verbose_name_plural = "отчётные периоды"
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="period_unique_name"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("opens_on")), name="period_dates"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("roadmaps:period_detail", args=[self.pk])


class ProgressReport(models.Model):
    """A school's progress on its programme for one period.

    ``version`` is the optimistic lock: every save is ``UPDATE … WHERE version = <seen>``,
    so the second of two people saving the same report is refused instead of overwriting.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Заполняется"
        SUBMITTED = "submitted", "Отправлен на проверку"
        RETURNED = "returned", "Возвращён на доработку"
        ACCEPTED = "accepted", "Принят"

    roadmap = models.ForeignKey(Roadmap, on_delete=models.PROTECT, related_name="reports")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField("статус", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    version = models.PositiveIntegerField(default=1)
    self_assessment = models.TextField("самооценка", blank=True)
    updated_at = models.DateTimeField("сохранён", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("отправлен", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("проверен", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-period__due_on"]
        verbose_name = "отчёт о ходе выполнения"
        verbose_name_plural = "отчёты о ходе выполнения"
        constraints = [models.UniqueConstraint(fields=["roadmap", "period"], name="report_unique_per_period")]

    def __str__(self) -> str:
        return f"{self.roadmap} — {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("roadmaps:review", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class ObjectiveRating(models.Model):
    """The curator's confirmation of an objective's progress rating in one period's report.

    The portal computes the rating from the data (``selectors.objective_progress``); the curator
    confirms it or sets another with a reason (``services.objective_rating_confirm``, audited).
    The computed rating and the actual value are kept as they were when confirmed.
    """

    class Rating(models.TextChoices):
        ON_TRACK = "on_track", "по плану"
        AT_RISK = "at_risk", "есть риск"
        OFF_TRACK = "off_track", "отстаёт"

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="ratings")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="ratings")
    rating = models.CharField("оценка куратора", max_length=10, choices=Rating.choices)
    computed = models.CharField("оценка по данным", max_length=10, choices=Rating.choices, blank=True)
    actual = models.FloatField("фактическое значение", null=True, blank=True)
    comment = models.TextField("комментарий", blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField("подтверждено", auto_now=True)

    class Meta:
        verbose_name = "оценка задачи"
        verbose_name_plural = "оценки задач"
        constraints = [models.UniqueConstraint(fields=["report", "objective"], name="objective_rating_once")]

    def __str__(self) -> str:
        return f"{self.objective_id}: {self.get_rating_display()}"


class MeasureProgress(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="items")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField("статус", max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    percent = models.PositiveSmallIntegerField(
        "% выполнения", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    comment = models.TextField("комментарий", blank=True)

    class Meta:
        ordering = ["measure__due_on", "measure__pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "measure"], name="progress_unique_measure"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="progress_percent_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.percent} %"


def evidence_upload_path(instance: Evidence, filename: str) -> str:
    # A name of our own: the user's file name may hold anything (paths, scripts, homoglyphs).
    return f"roadmap_evidence/{instance.uploaded_at:%Y/%m}/{instance.token}.{instance.kind}"


class Evidence(models.Model):
    """A file that proves a measure's progress; served only by a permission-checked view."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (DOCX)"
        XLSX = "xlsx", "Excel (XLSX)"
        JPG = "jpg", "Изображение JPEG"
        PNG = "png", "Изображение PNG"

    item = models.ForeignKey(MeasureProgress, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_upload_path, max_length=200)
    token = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    original_name = models.CharField("имя файла", max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = "подтверждающий документ"
        verbose_name_plural = "подтверждающие документы"

    def __str__(self) -> str:
        return self.original_name


class ReviewComment(models.Model):
    """A reviewer's or a director's remark on a report, threaded per measure (measure NULL: the whole report)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="comments")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("комментарий")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Notification(Job):
    """An e-mail to send, written in the same transaction as the change it tells about (core.jobs).

    The task claims it, so a message delivered twice sends one letter; a refusal of the mail
    server gives it back to the queue (the sweep sends it again, while it is news:
    ``RESEND_WITHIN``). A worker killed after the mail server took the letter and before the
    row says so sends it again: a letter is sent at least once, never lost.
    """

    TASK_NAME = "roadmaps.tasks.send_notification"
    RESEND_WITHIN = RESEND_LETTERS_WITHIN

    class Kind(models.TextChoices):
        ROADMAP_SUBMITTED = "roadmap_submitted", "Дорожная карта отправлена на согласование"
        ROADMAP_RETURNED = "roadmap_returned", "Дорожная карта возвращена"
        ROADMAP_APPROVED = "roadmap_approved", "Дорожная карта утверждена"
        REPORT_SUBMITTED = "report_submitted", "Отчёт отправлен"
        REPORT_RETURNED = "report_returned", "Отчёт возвращён"
        REPORT_ACCEPTED = "report_accepted", "Отчёт принят"
        PERIOD_REMINDER = "period_reminder", "Напоминание о сроке отчёта"
        REPORT_OVERDUE = "report_overdue", "Отчёт не сдан в срок"
        ESCALATE_CURATOR = "escalate_curator", "Отчёт не сдан: куратору"
        ESCALATE_DEPARTMENT = "escalate_department", "Отчёт не сдан: управлению"
        MEASURE_OVERDUE = "measure_overdue", "Мероприятие просрочено"
        MEASURE_CURATOR = "measure_curator", "Мероприятие просрочено: куратору"
        MEASURE_DEPARTMENT = "measure_department", "Мероприятие просрочено: управлению"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class EscalationSettings(models.Model):
    """How long a missing report or an overdue measure waits before each escalation step, per municipality."""

    municipality = models.OneToOneField(
        "schools.Municipality",
        on_delete=models.CASCADE,
        related_name="escalation_settings",
        verbose_name="муниципалитет",
    )
    curator_after_days = models.PositiveSmallIntegerField(
        "дней после срока до уведомления куратора", default=3, validators=[MinValueValidator(1)]
    )
    department_after_days = models.PositiveSmallIntegerField(
        "дней после срока до уведомления управления", default=7, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = "настройки эскалации"
        verbose_name_plural = "настройки эскалации"
        constraints = [
            models.CheckConstraint(
                condition=Q(department_after_days__gt=models.F("curator_after_days")), name="escalation_order"
            )
        ]

    def __str__(self) -> str:
        return f"куратору через {self.curator_after_days} дн., управлению через {self.department_after_days} дн."


class EscalationStep(models.Model):
    """One step of the escalation of a school's missing report, written once (unique) when sent."""

    class Step(models.TextChoices):
        DIRECTOR = "director", "Напоминание руководителю"
        CURATOR = "curator", "Уведомление куратору"
        DEPARTMENT = "department", "Уведомление управлению образования"

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="escalations")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    step = models.CharField("шаг", max_length=12, choices=Step.choices)
    recipients = models.JSONField("кому", default=list)
    sent_at = models.DateTimeField("отправлено")

    class Meta:
        ordering = ["period", "school", "sent_at"]
        verbose_name = "шаг эскалации"
        verbose_name_plural = "шаги эскалации"
        constraints = [models.UniqueConstraint(fields=["period", "school", "step"], name="escalation_step_once")]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.school}, {self.period}"


class MeasureEscalationStep(models.Model):
    """One step of the escalation of an overdue measure, written once (unique) when sent.

    The steps and their days are those of a missing report (``EscalationStep.Step``,
    ``EscalationSettings``); «overdue» is computed when read (``selectors.overdue_q``).
    """

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="escalations")
    step = models.CharField("шаг", max_length=12, choices=EscalationStep.Step.choices)
    recipients = models.JSONField("кому", default=list)
    sent_at = models.DateTimeField("отправлено")

    class Meta:
        ordering = ["measure", "sent_at", "pk"]
        verbose_name = "шаг эскалации просроченного мероприятия"
        verbose_name_plural = "шаги эскалации просроченных мероприятий"
        constraints = [models.UniqueConstraint(fields=["measure", "step"], name="measure_escalation_step_once")]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.measure}"


class CuratorVisit(models.Model):
    """A curator's visit to a school: what was seen and what was agreed.

    Each agreed action with a deadline becomes a measure of the school's programme (under the
    objective «Договорённости по итогам посещений куратора»), so it is reported on and
    becomes overdue like any other measure.
    """

    class Format(models.TextChoices):
        ONSITE = "onsite", "Очно"
        REMOTE = "remote", "Дистанционно"

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="curator_visits")
    curator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField("дата посещения")
    format = models.CharField("формат", max_length=8, choices=Format.choices, default=Format.ONSITE)
    findings = models.TextField("что увидели")
    measures = models.ManyToManyField(Measure, blank=True, related_name="+", verbose_name="договорённости")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = "посещение куратора"
        verbose_name_plural = "посещения куратора"

    def __str__(self) -> str:
        return f"Посещение {self.visited_on:%d.%m.%Y}"
