"""Teachers of a school, their professional deficits, routes (ИОМ) and mentoring.

The seeds' first task is to raise teachers' subject and methodological competence; support
reaches a school through its teachers. A deficit is never typed in: it is derived from
diagnostics (teachers.services.deficits_sync) — a result below the competence's threshold
opens one, a later result at or above it closes it.

Personal data: a teacher's name is shown only to the school, the department and the
methodological centre (teachers.selectors.teachers_for); curators, the region and the
public see figures only.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Teacher(models.Model):
    class Category(models.TextChoices):
        NONE = "none", "Без категории"
        CONFORMITY = "conformity", "Соответствие занимаемой должности"
        FIRST = "first", "Первая"
        HIGHEST = "highest", "Высшая"
        # Categories introduced by the 2024 attestation rules (Приказ Минпросвещения № 196).
        METHODIST = "methodist", "Педагог-методист"
        MENTOR = "mentor", "Педагог-наставник"

    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="teachers", verbose_name="школа"
    )
    # An optional account: a teacher who logs in sees their own route and marks self-study.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teacher_record",
        verbose_name="учётная запись",
    )
    last_name = models.CharField("фамилия", max_length=100)
    first_name = models.CharField("имя", max_length=100)
    middle_name = models.CharField("отчество", max_length=100, blank=True)
    subjects = models.CharField("предметы", max_length=300, blank=True)
    position = models.CharField("должность", max_length=200, default="Учитель")
    experience_years = models.PositiveSmallIntegerField(
        "педагогический стаж, лет", null=True, blank=True, validators=[MaxValueValidator(70)]
    )
    category = models.CharField(
        "квалификационная категория", max_length=20, choices=Category.choices, default=Category.NONE
    )
    is_young_specialist = models.BooleanField("молодой специалист", default=False)
    email = models.EmailField("эл. почта", blank=True)
    is_active = models.BooleanField("работает", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "middle_name"]
        verbose_name = "педагог"
        verbose_name_plural = "педагоги"
        constraints = [
            # The import's upsert key: a school lists a person once.
            models.UniqueConstraint(
                fields=["school", "last_name", "first_name", "middle_name"],
                name="teacher_unique_name_in_school",
                violation_error_message="Педагог с такими фамилией, именем и отчеством в этой школе уже есть.",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("teachers:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)


class Competence(models.Model):
    """An entry of the deficit catalogue: a competence or topic a diagnostic measures."""

    class Area(models.TextChoices):
        SUBJECT = "subject", "Предметные"
        METHODOLOGICAL = "methodological", "Методические"
        PSYCHOLOGICAL = "psychological", "Психолого-педагогические"
        ASSESSMENT = "assessment", "Оценивание и объективность"
        DIGITAL = "digital", "Цифровые"
        COMMUNICATION = "communication", "Коммуникативные"

    area = models.CharField("направление", max_length=20, choices=Area.choices)
    name = models.CharField("компетенция или тема", max_length=300, unique=True)
    subject = models.ForeignKey(
        "monitoring.Subject", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="предмет"
    )
    threshold = models.DecimalField(
        "порог, %",
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Результат диагностики ниже порога означает дефицит.",
    )
    is_active = models.BooleanField("используется", default=True)

    class Meta:
        ordering = ["area", "name"]
        verbose_name = "компетенция (каталог дефицитов)"
        verbose_name_plural = "каталог дефицитов"

    def __str__(self) -> str:
        return self.name


class DiagnosticImport(models.Model):
    """One file of diagnostic results, kept so the rows can be traced to their source."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+", verbose_name="школа")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="кто загрузил"
    )
    original_name = models.CharField("имя файла", max_length=255)
    rows = models.PositiveIntegerField("строк", default=0)
    uploaded_at = models.DateTimeField("загружен", auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = "загрузка диагностики"
        verbose_name_plural = "загрузки диагностики"

    def __str__(self) -> str:
        return self.original_name


class Diagnosis(models.Model):
    """One measured result: a teacher × a competence, in per cent, with its source and date."""

    class Method(models.TextChoices):
        MANUAL = "manual", "Введено вручную"
        IMPORT = "import", "Загружено из файла"

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="diagnoses", verbose_name="педагог")
    competence = models.ForeignKey(
        Competence, on_delete=models.PROTECT, related_name="diagnoses", verbose_name="компетенция"
    )
    score = models.DecimalField(
        "результат, %", max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    # The threshold in force when the result was recorded: a later change of the catalogue
    # does not rewrite past verdicts.
    threshold = models.DecimalField("порог, %", max_digits=5, decimal_places=2)
    date = models.DateField("дата")
    source = models.CharField("источник", max_length=300, help_text="Например: диагностика ЦНППМ, ВПР-анализ, КИМ.")
    method = models.CharField("способ ввода", max_length=10, choices=Method.choices, default=Method.MANUAL)
    import_batch = models.ForeignKey(
        DiagnosticImport, on_delete=models.PROTECT, null=True, blank=True, related_name="diagnoses"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "результат диагностики"
        verbose_name_plural = "результаты диагностики"
        constraints = [
            # A re-import of the same file changes nothing: one result per teacher, competence, date, source.
            models.UniqueConstraint(
                fields=["teacher", "competence", "date", "source"],
                name="diagnosis_unique_per_source_and_date",
                violation_error_message="Такой результат (компетенция, дата, источник) уже записан.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.competence}: {self.score}% ({self.date:%d.%m.%Y})"

    @property
    def is_deficit(self) -> bool:
        return self.score < self.threshold


class Deficit(models.Model):
    """A professional deficit: opened by a diagnosis below the threshold, closed by a later one at or above it."""

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="deficits", verbose_name="педагог")
    competence = models.ForeignKey(
        Competence, on_delete=models.PROTECT, related_name="deficits", verbose_name="компетенция"
    )
    opened_by = models.OneToOneField(
        Diagnosis, on_delete=models.CASCADE, related_name="opened_deficit", verbose_name="выявлен диагностикой"
    )
    closed_by = models.OneToOneField(
        Diagnosis,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="closed_deficit",
        verbose_name="закрыт диагностикой",
    )

    class Meta:
        ordering = ["competence__area", "competence__name"]
        verbose_name = "дефицит"
        verbose_name_plural = "дефициты"
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "competence"], condition=Q(closed_by__isnull=True), name="one_open_deficit"
            )
        ]

    def __str__(self) -> str:
        return str(self.competence)

    @property
    def is_open(self) -> bool:
        return self.closed_by_id is None


class Route(models.Model):
    """Individual educational route (ИОМ) of a teacher for one academic year."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Черновик"
        ACTIVE = "active", "Выполняется"
        COMPLETED = "completed", "Завершён"

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="routes", verbose_name="педагог")
    year = models.ForeignKey(
        "schools.AcademicYear", on_delete=models.PROTECT, related_name="+", verbose_name="учебный год"
    )
    status = models.CharField("статус", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year__start_year"]
        verbose_name = "индивидуальный образовательный маршрут"
        verbose_name_plural = "индивидуальные образовательные маршруты"
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "year"],
                name="one_route_per_teacher_year",
                violation_error_message="Маршрут педагога на этот год уже есть.",
            )
        ]

    def __str__(self) -> str:
        return f"ИОМ {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("teachers:route_detail", args=[self.pk])


class RouteGoal(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="goals", verbose_name="маршрут")
    title = models.CharField("цель", max_length=500)
    deficits = models.ManyToManyField(Deficit, blank=True, related_name="goals", verbose_name="дефициты")

    class Meta:
        ordering = ["pk"]
        verbose_name = "цель маршрута"
        verbose_name_plural = "цели маршрута"

    def __str__(self) -> str:
        return self.title


class RouteStep(models.Model):
    class Kind(models.TextChoices):
        COURSE = "course", "Курсы повышения квалификации (КПК)"
        EVENT = "event", "Методическое мероприятие"
        MENTORING = "mentoring", "Наставничество"
        SELF_STUDY = "self_study", "Самообразование"
        OPEN_LESSON = "open_lesson", "Открытый урок"

    class Status(models.TextChoices):
        PLANNED = "planned", "Запланирован"
        IN_PROGRESS = "in_progress", "Выполняется"
        DONE = "done", "Выполнен"
        CANCELLED = "cancelled", "Отменён"

    class Completion(models.TextChoices):
        MANUAL = "manual", "Отмечено вручную"
        TEACHER = "teacher", "Отмечено педагогом"
        ATTENDANCE = "attendance", "По отметке о посещении"
        COURSE = "course", "По завершении курса"

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="steps", verbose_name="маршрут")
    goal = models.ForeignKey(
        RouteGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="steps", verbose_name="цель"
    )
    kind = models.CharField("вид", max_length=12, choices=Kind.choices)
    title = models.CharField("содержание", max_length=500)
    starts_on = models.DateField("начало", null=True, blank=True)
    due_on = models.DateField("срок")
    status = models.CharField("статус", max_length=12, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField("выполнен", null=True, blank=True)
    completed_via = models.CharField("как отмечено", max_length=12, choices=Completion.choices, blank=True)
    # A step linked to an event or a КПК programme of the methodological centre is marked
    # done by itself when attendance or completion is recorded (events.services calls
    # teachers.services.route_steps_complete_from_attendance / _from_course).
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="route_steps",
        verbose_name="мероприятие методического центра",
    )
    programme = models.ForeignKey(
        "events.Programme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="route_steps",
        verbose_name="программа КПК",
    )
    mentorship = models.ForeignKey(
        "Mentorship",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="route_steps",
        verbose_name="наставничество",
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "шаг маршрута"
        verbose_name_plural = "шаги маршрута"
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", done_on__isnull=False) | ~Q(status="done"),
                name="done_step_has_date",
                violation_error_message="У выполненного шага должна быть дата выполнения.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def teacher_may_mark(self) -> bool:
        return self.kind == self.Kind.SELF_STUDY


class Mentorship(models.Model):
    """A mentoring pair (наставничество); the mentor may work at another (partner) school."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Действует"
        FINISHED = "finished", "Завершено"

    mentor = models.ForeignKey(Teacher, on_delete=models.PROTECT, related_name="mentoring", verbose_name="наставник")
    mentee = models.ForeignKey(
        Teacher, on_delete=models.PROTECT, related_name="mentored_by", verbose_name="наставляемый"
    )
    topic = models.CharField("тема", max_length=300)
    starts_on = models.DateField("начало")
    ends_on = models.DateField("окончание")
    plan = models.TextField("план работы", blank=True)
    status = models.CharField("статус", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = "пара наставничества"
        verbose_name_plural = "наставничество"
        constraints = [
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")),
                name="mentor_is_not_mentee",
                violation_error_message="Наставник и наставляемый — разные люди.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="mentorship_period_order",
                violation_error_message="Окончание раньше начала.",
            ),
        ]

    def __str__(self) -> str:
        return self.topic

    def get_absolute_url(self) -> str:
        return reverse("teachers:mentorship_detail", args=[self.pk])

    @property
    def is_cross_school(self) -> bool:
        return self.mentor.school_id != self.mentee.school_id


class MentoringMeeting(models.Model):
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField("дата")
    topic = models.CharField("тема встречи", max_length=300)
    notes = models.TextField("итоги", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "встреча наставника"
        verbose_name_plural = "журнал встреч"

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.topic}"
