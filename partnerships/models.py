"""Partner candidates, cooperation agreements and their history (issue #6).

The seeds ask for cooperation agreements between high-result schools and schools with low
results — «не менее 5 договоров о сотрудничестве в год» in one district — and for partners
picked by their strengths. Candidates are the schools with an approved HIGH_RESULTS status
(identification) plus organisations the department adds here (``PartnerCandidate``).

An agreement moves draft → signed → active → completed, or → terminated (with a reason) from
signed or active; ``partnerships.services.agreement_transition`` is the only writer of
``status`` and refuses everything else. Every change is written to ``AgreementEvent``: a
small history of our own rather than django-simple-history, whose releases (3.13) do not
declare Django 6.1 support, and whose row snapshots say less than «подписан, 12.03.2026».
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils import timezone

DEFAULT_AGREEMENT_CAP = 3
DEFAULT_YEARLY_TARGET = 5  # «не менее 5 договоров в год» (seeds, municipal models)


class PartnershipSettings(models.Model):
    """The department's numbers: how many agreements one partner may carry, the yearly target."""

    municipality = models.OneToOneField(
        "schools.Municipality", on_delete=models.CASCADE, related_name="partnership_settings"
    )
    agreement_cap = models.PositiveSmallIntegerField(
        "действующих договоров у одного партнёра, не более",
        default=DEFAULT_AGREEMENT_CAP,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    yearly_target = models.PositiveSmallIntegerField(
        "новых договоров за учебный год, цель",
        default=DEFAULT_YEARLY_TARGET,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )

    class Meta:
        verbose_name = "настройки партнёрства"
        verbose_name_plural = "настройки партнёрства"

    def __str__(self) -> str:
        return f"Партнёрство: {self.municipality}"


class PartnerCandidate(models.Model):
    """An organisation the department adds to the candidates (ИМЦ, вуз, доп. образование, …)."""

    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name="муниципалитет"
    )
    organisation = models.ForeignKey(
        "schools.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="организация"
    )
    strengths = models.CharField("чем может помочь", max_length=500, blank=True)
    added_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    added_at = models.DateTimeField("добавлена", auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = "кандидат в партнёры"
        verbose_name_plural = "кандидаты в партнёры"
        constraints = [
            models.UniqueConstraint(fields=["municipality", "organisation"], name="candidate_unique_in_municipality")
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class SupportForm(models.TextChoices):
    CONSULTING = "consulting", "Консультационная"
    METHODICAL = "methodical", "Методическая"
    ORGANISATIONAL = "organisational", "Организационная"
    STAFFING = "staffing", "Кадровая"
    RESOURCE = "resource", "Ресурсная"
    INFORMATIONAL = "informational", "Информационная"


def scan_upload_path(instance: Agreement, filename: str) -> str:
    # Never the user's file name; the kind was checked by content (services.agreement_scan_attach).
    return f"agreements/{timezone.now():%Y/%m}/{instance.pk}-{timezone.now():%H%M%S%f}.{instance.scan_kind}"


class Agreement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Проект"
        SIGNED = "signed", "Подписан"
        ACTIVE = "active", "Действует"
        COMPLETED = "completed", "Исполнен"
        TERMINATED = "terminated", "Расторгнут"

    # Statuses in which the agreement loads its partners (counted against the cap).
    LOADING = (Status.SIGNED, Status.ACTIVE)
    CLOSED = (Status.COMPLETED, Status.TERMINATED)

    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name="муниципалитет"
    )
    number = models.CharField("номер договора", max_length=50, blank=True)
    signed_on = models.DateField("дата договора", null=True, blank=True)
    supported_school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="support_agreements", verbose_name="школа"
    )
    partners = models.ManyToManyField(
        "schools.Organisation", related_name="partner_agreements", verbose_name="организации-партнёры"
    )
    starts_on = models.DateField("начало срока", null=True, blank=True)
    ends_on = models.DateField("окончание срока", null=True, blank=True)
    support_forms = models.JSONField("формы поддержки", default=list, blank=True)
    subjects = models.ManyToManyField("monitoring.Subject", blank=True, related_name="+", verbose_name="предметы")
    activities = models.TextField("планируемые совместные мероприятия", blank=True)
    status = models.CharField("статус", max_length=12, choices=Status.choices, default=Status.DRAFT)
    termination_reason = models.TextField("причина расторжения", blank=True)
    scan = models.FileField("скан подписанного договора", upload_to=scan_upload_path, blank=True, max_length=255)
    scan_kind = models.CharField(max_length=4, blank=True)
    scan_name = models.CharField("имя файла скана", max_length=255, blank=True)
    assessment_results = models.TextField("итоги сотрудничества", blank=True)
    assessment_rating = models.PositiveSmallIntegerField(
        "оценка результативности (1–5)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    assessed_at = models.DateTimeField("оценено", null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "договор о сотрудничестве"
        verbose_name_plural = "договоры о сотрудничестве"
        indexes = [
            models.Index(fields=["municipality", "status"], name="agreement_muni_status"),
            models.Index(fields=["supported_school", "status"], name="agreement_school_status"),
        ]
        constraints = [
            # A department numbers its agreements per year: one number, one agreement (a double
            # submit of «new agreement» made two). Undated drafts count as one year of their own.
            models.UniqueConstraint(
                "municipality",
                "number",
                Coalesce(ExtractYear("signed_on"), Value(0)),
                condition=~Q(number=""),
                name="agreement_number_unique_per_municipality_year",
                violation_error_message="Договор с таким номером за этот год уже есть.",
            ),
        ]

    def __str__(self) -> str:
        return f"Договор № {self.number}" if self.number else f"Проект договора #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("partnerships:agreement_detail", args=[self.pk])

    @property
    def support_forms_display(self) -> str:
        labels = dict(SupportForm.choices)
        return ", ".join(labels.get(value, value) for value in self.support_forms)

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED


class AgreementEvent(models.Model):
    """One line of an agreement's history: who did what, and what changed."""

    class Action(models.TextChoices):
        CREATED = "created", "Создан проект"
        EDITED = "edited", "Изменены сведения"
        TRANSITION = "transition", "Смена статуса"
        SCAN = "scan", "Загружен скан"
        ASSESSED = "assessed", "Оценка по итогам срока"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("действие", max_length=12, choices=Action.choices)
    from_status = models.CharField(max_length=12, choices=Agreement.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Agreement.Status.choices, blank=True)
    # {field verbose name: [old, new]} as text, for the page; never read back into the model.
    changes = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "запись истории договора"
        verbose_name_plural = "история договоров"

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.at:%d.%m.%Y})"
