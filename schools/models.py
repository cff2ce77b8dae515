"""Registry of the education system: regions, municipalities, organisations, schools, years."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.jobs.models import Job
from schools import years
from schools.validators import validate_inn, validate_ogrn

# ФИС ОКО login of a school, e.g. edu203389 (seen in ВПР exports as «(edu203389)»).
SCHOOL_CODE_RE = re.compile(r"^edu\d{4,7}$")
school_code_validator = RegexValidator(SCHOOL_CODE_RE, "Код ОО в ФИС ОКО имеет вид edu203389: «edu» и от 4 до 7 цифр.")
rcoi_code_validator = RegexValidator(r"^\d{1,10}$", "Код РЦОИ состоит из цифр, например 9306.")
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
    # Empty only for the region's «региональное подчинение» group (schools the region itself
    # founded belong to no municipality, but every school needs one to be scoped by).
    oktmo = models.CharField("ОКТМО", max_length=11, unique=True, null=True, blank=True, validators=[oktmo_validator])
    is_regional_group = models.BooleanField("региональное подчинение", default=False)
    # Code of the municipality in ФИС ОКО reports, e.g. reg20_m012 («Ф3 Статистика»).
    fis_oko_code = models.CharField("код в ФИС ОКО", max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.oktmo and not self.is_regional_group:
            raise ValidationError({"oktmo": "Укажите ОКТМО муниципалитета (8 или 11 цифр)."})


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
        # Seen in real regional registers (issue 16).
        EVENING = "evening", "Вечерняя (сменная) школа"
        EDUCATION_CENTRE = "centre", "Центр образования"
        BOARDING = "boarding", "Школа-интернат"
        SANATORIUM = "sanatorium", "Санаторная школа"
        BRANCH = "branch", "Филиал"

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
    # A school has several codes: the ФИС ОКО login above, the regional РЦОИ number that
    # exam protocols give (a bare number such as 9306, unique within the region only), and
    # the ИНН/ОГРН of its organisation. Each layout resolves schools by the system it uses.
    rcoi_code = models.CharField(
        "код РЦОИ",
        max_length=20,
        blank=True,
        db_index=True,
        validators=[rcoi_code_validator],
        help_text="Региональный код ОО в протоколах ОГЭ/ЕГЭ, например 9306.",
    )
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


class SchoolAlias(models.Model):
    """A school name as a file wrote it, remembered from a person's choice in the matching step.

    Names resolve within a municipality (the same «СОШ № 1» is in every district). An alias
    without a school records «skip this name on purpose», so the next file asks nothing.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="school_aliases", verbose_name="муниципалитет"
    )
    name_key = models.CharField("ключ названия", max_length=500)
    name = models.CharField("название в файле", max_length=500)
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="aliases", verbose_name="школа"
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="кто выбрал"
    )
    created_at = models.DateTimeField("когда", auto_now_add=True)

    class Meta:
        verbose_name = "название школы в файлах"
        verbose_name_plural = "названия школ в файлах"
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name_key"], name="school_alias_unique_in_municipality")
        ]

    def __str__(self) -> str:
        return self.name


class MunicipalityAlias(models.Model):
    """A municipality (or its education authority) as a regional file names it."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name="регион")
    name_key = models.CharField("ключ названия", max_length=500)
    name = models.CharField("название в файле", max_length=500)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="aliases", verbose_name="муниципалитет"
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="кто выбрал"
    )
    created_at = models.DateTimeField("когда", auto_now_add=True)

    class Meta:
        verbose_name = "название муниципалитета в файлах"
        verbose_name_plural = "названия муниципалитетов в файлах"
        constraints = [models.UniqueConstraint(fields=["region", "name_key"], name="municipality_alias_unique")]

    def __str__(self) -> str:
        return self.name


class AcademicYear(models.Model):
    """An academic year, 1 September to 31 August; named like «2025/2026».

    Which year is current follows the date (``schools.years``), never a flag: a year
    becomes current on its 1 September once the department has opened it (created the
    row); until then the last opened year stays current, with its statuses and periods.
    """

    start_year = models.PositiveSmallIntegerField("год начала", unique=True)

    class Meta:
        ordering = ["-start_year"]
        verbose_name = "учебный год"
        verbose_name_plural = "учебные годы"

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.start_year}/{self.start_year + 1}"

    @property
    def starts_on(self) -> dt.date:
        return years.first_day(self.start_year)

    @property
    def ends_on(self) -> dt.date:
        return years.last_day(self.start_year)

    @property
    def is_current(self) -> bool:
        current = AcademicYear.current()
        return current is not None and current.pk == self.pk

    @staticmethod
    def start_of(day: dt.date) -> int:
        return years.start_year_of(day)

    @classmethod
    def of(cls, day: dt.date) -> AcademicYear | None:
        """The opened year a date falls in; None when that year has not been opened."""
        return cls.objects.filter(start_year=years.start_year_of(day)).first()

    @classmethod
    def current(cls, *, today: dt.date | None = None) -> AcademicYear | None:
        """The year of today's date, or the last opened one before it (the department has not
        opened the new year yet: the old one's statuses and periods stay in force)."""
        today = today or timezone.localdate()
        return cls.objects.filter(start_year__lte=years.start_year_of(today)).order_by("-start_year").first()


def registry_upload_path(instance: RegistryImport, filename: str) -> str:
    # The stored name never reuses the user's file name (it may hold anything).
    return f"registry_imports/{timezone.now():%Y/%m}/{instance.sha256[:16]}.{instance.file_kind}"


class RegistryImport(Job):
    """One upload of the school registry: stored, then validated and written by a worker (core.jobs)."""

    TASK_NAME = "schools.tasks.import_registry"

    class Status(models.TextChoices):
        MAPPING = "mapping", "Сопоставление столбцов"
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
    total_rows = models.PositiveIntegerField("строк в файле", default=0)
    processed_rows = models.PositiveIntegerField("проверено строк", default=0)
    created_count = models.PositiveIntegerField("добавлено", default=0)
    updated_count = models.PositiveIntegerField("обновлено", default=0)
    unchanged_count = models.PositiveIntegerField("без изменений", default=0)
    status = models.CharField("статус", max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    errors = models.JSONField("ошибки", default=list, blank=True)
    # A foreign register: its header row and columns as mapped in the mapping step (or
    # from the mapping saved for files of the same shape); None for the documented layout.
    header_row = models.PositiveIntegerField("строка заголовков", null=True, blank=True)
    column_mapping = models.JSONField("сопоставление столбцов", null=True, blank=True)
    value_mapping = models.JSONField("сопоставление значений", default=dict, blank=True)
    # Write the valid rows and list the rejected ones instead of writing nothing.
    import_valid_only = models.BooleanField("загрузить правильные строки", default=False)
    rejected_count = models.PositiveIntegerField("отклонено строк", default=0)
    notes = models.JSONField("что изменено при загрузке", default=list, blank=True)
    created_at = models.DateTimeField("загружен", auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "загрузка реестра"
        verbose_name_plural = "загрузки реестра"

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("schools:import_detail", args=[self.pk])

    @classmethod
    def failure_fields(cls, message: str) -> dict:
        return {"errors": [{"sheet": "", "row": 0, "column": "", "message": message}]}

    @property
    def is_waiting_for_mapping(self) -> bool:
        return self.status == self.Status.MAPPING

    @property
    def progress_percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.total_rows:
            return 0
        return min(99, round(100 * self.processed_rows / self.total_rows))


class RegistryColumnMapping(models.Model):
    """How a register of a given shape maps onto the registry, saved from the mapping step.

    Keyed by the header's signature (its normalised titles) and by the owner (a
    municipality, or the whole portal for an operator), so the next file of the same
    shape from the same source maps itself.
    """

    owner_key = models.CharField("чьё", max_length=20)
    signature = models.CharField("подпись заголовка", max_length=64)
    headers = models.JSONField("заголовки", default=list)
    columns = models.JSONField("столбцы", default=dict)
    values = models.JSONField("значения", default=dict, blank=True)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="кто"
    )
    updated_at = models.DateTimeField("когда", auto_now=True)

    class Meta:
        verbose_name = "сопоставление столбцов реестра"
        verbose_name_plural = "сопоставления столбцов реестра"
        constraints = [models.UniqueConstraint(fields=["owner_key", "signature"], name="registry_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.owner_key}: {', '.join(self.headers[:4])}…"
