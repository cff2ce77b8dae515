"""Registry of the education system: regions, municipalities, organisations, schools, years."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from schools.validators import validate_inn, validate_ogrn

# ФИС ОКО login of a school, e.g. edu203389 (seen in ВПР exports as «(edu203389)»).
SCHOOL_CODE_RE = re.compile(r"^edu\d{4,7}$")
school_code_validator = RegexValidator(SCHOOL_CODE_RE, "Код ОО в ФИС ОКО имеет вид edu203389: «edu» и от 4 до 7 цифр.")
oktmo_validator = RegexValidator(r"^\d{8}(\d{3})?$", "ОКТМО состоит из 8 или 11 цифр.")


class Region(models.Model):
    name = models.CharField("название", max_length=200, unique=True)
    code = models.CharField("код субъекта", max_length=4, unique=True, help_text="Например, 16")

    class Meta:
        ordering = ["name"]
        verbose_name = "регион"
        verbose_name_plural = "регионы"

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name="регион")
    name = models.CharField("название", max_length=200)
    oktmo = models.CharField("ОКТМО", max_length=11, unique=True, validators=[oktmo_validator])
    # Code of the municipality in ФИС ОКО reports, e.g. reg20_m012 («Ф3 Статистика»).
    fis_oko_code = models.CharField("код в ФИС ОКО", max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", "Управление образования"
        METHODOLOGICAL_CENTRE = "imc", "Методический центр (ИМЦ)"
        ASSOCIATION = "association", "Методическое объединение (ММО)"
        SCHOOL = "school", "Общеобразовательная организация"
        ADDITIONAL = "additional", "Организация дополнительного образования"
        UNIVERSITY = "university", "Вуз / организация ДПО"
        OTHER = "other", "Другая организация"

    kind = models.CharField("вид", max_length=20, choices=Kind.choices, db_index=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="organisations", verbose_name="муниципалитет"
    )
    name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200, blank=True)
    inn = models.CharField("ИНН", max_length=10, blank=True, validators=[validate_inn])
    ogrn = models.CharField("ОГРН", max_length=13, blank=True, validators=[validate_ogrn])
    address = models.CharField("адрес", max_length=500, blank=True)
    latitude = models.DecimalField(
        "широта",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        "долгота",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    website = models.URLField("сайт", blank=True)
    email = models.EmailField("эл. почта", blank=True)
    phone = models.CharField("телефон", max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "организация"
        verbose_name_plural = "организации"
        indexes = [models.Index(fields=["municipality", "kind"])]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError("Координаты задаются парой: широта и долгота.")


class School(models.Model):
    class Type(models.TextChoices):
        SOSH = "sosh", "СОШ"
        OOSH = "oosh", "ООШ"
        NOSH = "nosh", "НОШ"
        GYMNASIUM = "gymnasium", "Гимназия"
        LYCEUM = "lyceum", "Лицей"
        CADET = "cadet", "Кадетская школа-интернат"
        CORRECTIONAL = "correctional", "Коррекционная школа"

    class Settlement(models.TextChoices):
        URBAN = "urban", "Городская"
        RURAL = "rural", "Сельская"

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="school", verbose_name="организация"
    )
    # Denormalised from the organisation: every scoped query filters on it, so it saves
    # a join on the hottest path. Kept in step by schools.services only.
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="schools", verbose_name="муниципалитет"
    )
    code = models.CharField("код ОО (ФИС ОКО)", max_length=20, unique=True, validators=[school_code_validator])
    school_type = models.CharField("тип", max_length=20, choices=Type.choices)
    settlement = models.CharField("местность", max_length=10, choices=Settlement.choices)
    has_primary = models.BooleanField("НОО (1–4 классы)", default=True)
    has_basic = models.BooleanField("ООО (5–9 классы)", default=True)
    has_secondary = models.BooleanField("СОО (10–11 классы)", default=True)
    head_name = models.CharField("руководитель", max_length=200, blank=True)
    contingent = models.PositiveIntegerField("контингент, чел.", null=True, blank=True)
    is_active = models.BooleanField("действует", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = "школа"
        verbose_name_plural = "школы"
        indexes = [
            models.Index(fields=["municipality", "school_type"]),
            models.Index(fields=["municipality", "settlement"]),
        ]

    def __str__(self) -> str:
        return self.organisation.display_name

    def get_absolute_url(self) -> str:
        return reverse("schools:detail", args=[self.pk])

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def short_name(self) -> str:
        return self.organisation.display_name

    @property
    def levels_display(self) -> str:
        levels = [
            label
            for flag, label in ((self.has_primary, "НОО"), (self.has_basic, "ООО"), (self.has_secondary, "СОО"))
            if flag
        ]
        return ", ".join(levels) or "—"


class AcademicYear(models.Model):
    """An academic year, 1 September to 31 August; named like «2025/2026»."""

    start_year = models.PositiveSmallIntegerField("год начала", unique=True)
    is_current = models.BooleanField("текущий", default=False)

    class Meta:
        ordering = ["-start_year"]
        verbose_name = "учебный год"
        verbose_name_plural = "учебные годы"
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=models.Q(is_current=True), name="one_current_year")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.start_year}/{self.start_year + 1}"


def registry_upload_path(instance: "RegistryImport", filename: str) -> str:
    # The stored name never reuses the user's file name (it may hold anything).
    return f"registry_imports/{timezone.now():%Y/%m}/{instance.sha256[:16]}.{instance.file_kind}"


class RegistryImport(models.Model):
    """One upload of the school registry: stored, then validated and written by a worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        RUNNING = "running", "Выполняется"
        DONE = "done", "Загружено"
        FAILED = "failed", "Ошибки, ничего не записано"

    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="registry_imports", verbose_name="кто загрузил"
    )
    # The department's municipality: rows of other municipalities are refused.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registry_imports",
        verbose_name="муниципалитет",
    )
    file = models.FileField("файл", upload_to=registry_upload_path)
    original_name = models.CharField("имя файла", max_length=255)
    file_kind = models.CharField(max_length=4, default="xlsx")
    sha256 = models.CharField(max_length=64)
    status = models.CharField("статус", max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    total_rows = models.PositiveIntegerField("строк в файле", default=0)
    processed_rows = models.PositiveIntegerField("проверено строк", default=0)
    created_count = models.PositiveIntegerField("добавлено", default=0)
    updated_count = models.PositiveIntegerField("обновлено", default=0)
    unchanged_count = models.PositiveIntegerField("без изменений", default=0)
    errors = models.JSONField("ошибки", default=list, blank=True)
    uploaded_at = models.DateTimeField("загружен", auto_now_add=True)
    started_at = models.DateTimeField("начат", null=True, blank=True)
    finished_at = models.DateTimeField("завершён", null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = "загрузка реестра"
        verbose_name_plural = "загрузки реестра"

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("schools:import_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def progress_percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.total_rows:
            return 0
        return min(99, round(100 * self.processed_rows / self.total_rows))
