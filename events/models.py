"""The methodological centre: events, registrations, programmes, associations, practices, pages.

The seeds ask the centre to publish announcements and reports of its events, programmes of
further professional education (КПК/ДПО), work plans of the associations (ММО) and a bank of
best practices, and to make sure teachers of supported schools actually come. Everything here
belongs to a municipality (the centre's), which is what staff scope is checked against; the
public sees only what has been published.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.jobs.models import Job
from core.queue import RESEND_LETTERS_WITHIN


class EventKind(models.TextChoices):
    SEMINAR = "seminar", "Семинар"
    WEBINAR = "webinar", "Вебинар"
    MASTER_CLASS = "master_class", "Мастер-класс"
    COURSE = "course", "КПК"
    INTERNSHIP = "internship", "Стажировка"
    CONSULTATION = "consultation", "Консультация"
    TUTORING = "tutoring", "Тьюторское сопровождение"
    CONFERENCE = "conference", "Конференция"
    ASSOCIATION_MEETING = "association_meeting", "Заседание ММО"
    OPEN_LESSON = "open_lesson", "Открытый урок"
    OTHER = "other", "Другое"


class Audience(models.TextChoices):
    """Target groups an event is meant for (besides subjects)."""

    SUPPORTED_SCHOOLS = "supported", "Учителя школ, получающих поддержку (ШНОР, ШССУ)"
    TEACHERS = "teachers", "Учителя"
    DIRECTORS = "directors", "Руководители и заместители"
    YOUNG_TEACHERS = "young", "Молодые педагоги"
    MENTORS = "mentors", "Наставники"
    CURATORS = "curators", "Кураторы"


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Черновик"
        PUBLISHED = "published", "Опубликовано, идёт запись"
        REGISTRATION_CLOSED = "closed", "Запись закрыта"
        HELD = "held", "Проведено"
        REPORT_PUBLISHED = "reported", "Опубликован отчёт"
        CANCELLED = "cancelled", "Отменено"

    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.PROTECT, related_name="events", verbose_name="муниципалитет"
    )
    kind = models.CharField("вид", max_length=24, choices=EventKind.choices, default=EventKind.SEMINAR)
    title = models.CharField("название", max_length=300)
    description = models.TextField("описание", blank=True, help_text="Разметка Markdown.")
    organiser = models.ForeignKey(
        "schools.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organised_events",
        verbose_name="организатор",
        help_text="ИМЦ, методическое объединение или школа.",
    )
    association = models.ForeignKey(
        "events.Association",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="в плане работы ММО",
    )
    host_school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_events",
        verbose_name="площадка (стажировочная школа)",
    )
    location = models.CharField("место проведения", max_length=300, blank=True)
    online_url = models.URLField("ссылка на трансляцию", blank=True)
    starts_at = models.DateTimeField("начало")
    ends_at = models.DateTimeField("окончание")
    hours = models.DecimalField(
        "академических часов", max_digits=5, decimal_places=1, default=2, help_text="Засчитываются участникам."
    )
    audience = models.JSONField("целевые группы", default=list, blank=True)
    audience_subjects = models.CharField("предметы", max_length=300, blank=True)
    capacity = models.PositiveIntegerField("мест", null=True, blank=True, help_text="Пусто — без ограничения.")
    publish_at = models.DateTimeField("дата публикации", null=True, blank=True)
    registration_opens = models.DateTimeField("запись открывается", null=True, blank=True)
    registration_closes = models.DateTimeField("запись закрывается", null=True, blank=True)
    status = models.CharField("статус", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    cancel_reason = models.CharField("причина отмены", max_length=300, blank=True)
    report_summary = models.TextField("итоги (отчёт)", blank=True, help_text="Разметка Markdown.")
    report_published_at = models.DateTimeField("отчёт опубликован", null=True, blank=True)
    # The centre asked to send the feedback survey: the letters sweep keeps sending it to those who
    # attended and have not had it (a broker outage at the click loses nothing).
    survey_requested_at = models.DateTimeField("анкета разослана", null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="автор"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = "мероприятие"
        verbose_name_plural = "мероприятия"
        indexes = [models.Index(fields=["municipality", "starts_at"]), models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": "Окончание не может быть раньше начала."})
        if self.registration_opens and self.registration_closes and self.registration_closes < self.registration_opens:
            raise ValidationError({"registration_closes": "Запись не может закрыться раньше, чем откроется."})

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [labels[value] for value in self.audience if value in labels]

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT and self.publish_at is not None and self.publish_at <= timezone.now()

    def registration_window(self) -> tuple:
        """When the public form accepts people: from publication (or the set date) until the start."""
        opens = self.registration_opens or self.publish_at
        closes = self.registration_closes or self.starts_at
        return opens, closes

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status != self.Status.PUBLISHED or not self.is_public:
            return False
        opens, closes = self.registration_window()
        return (opens is None or opens <= now) and now <= closes


class Registration(models.Model):
    """One person's place at an event (or in its waitlist).

    ``attended`` is written only by ``events.services.registration_mark_attended``: the
    teachers' routes hook there, and the school card counts it.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Записан"
        WAITLISTED = "waitlisted", "В листе ожидания"
        CANCELLED = "cancelled", "Отменена"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations", verbose_name="мероприятие")
    full_name = models.CharField("ФИО", max_length=200)
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name="школа",
    )
    position = models.CharField("должность", max_length=200, blank=True)
    subject = models.CharField("предмет", max_length=200, blank=True)
    email = models.EmailField("эл. почта")
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
        verbose_name="учётная запись",
    )
    consent_at = models.DateTimeField("согласие на обработку ПДн (152-ФЗ)")
    status = models.CharField("статус", max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    attended = models.BooleanField("присутствовал", default=False)
    attended_marked_at = models.DateTimeField("посещение отмечено", null=True, blank=True)
    created_at = models.DateTimeField("зарегистрирован", default=timezone.now)
    cancelled_at = models.DateTimeField("отменена", null=True, blank=True)
    promoted_at = models.DateTimeField("переведён из листа ожидания", null=True, blank=True)
    # Set when the letter (Letter, below) is sent, in the transaction that marks the letter done.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    promotion_sent_at = models.DateTimeField(null=True, blank=True)
    cancellation_sent_at = models.DateTimeField(null=True, blank=True)
    survey_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "регистрация"
        verbose_name_plural = "регистрации"
        constraints = [
            # One live registration per address and event; a cancelled one may be renewed.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="cancelled"),
                name="registration_unique_live_email",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["school", "attended"]),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} — {self.event}"


class Letter(Job):
    """One letter of the centre to one registration: its confirmation, the promotion from the
    waitlist, the notice of a cancelled event, the survey invitation (core.jobs).

    One row per registration and kind (a unique constraint): the action that calls for a letter
    creates it with the change, in one transaction, and a second call creates nothing. The task
    claims the row, so a message delivered twice sends one letter; a refusal of the mail server
    gives it back to the queue (the sweep sends it again while it is news: ``RESEND_WITHIN``).
    """

    TASK_NAME = "events.tasks.send_letter"
    RESEND_WITHIN = RESEND_LETTERS_WITHIN

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Подтверждение записи"
        PROMOTION = "promotion", "Место из листа ожидания"
        CANCELLATION = "cancellation", "Отмена мероприятия"
        SURVEY = "survey", "Приглашение к анкете"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField("письмо", max_length=12, choices=Kind.choices)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "письмо участнику"
        verbose_name_plural = "письма участникам"
        constraints = [models.UniqueConstraint(fields=["registration", "kind"], name="letter_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.registration}"


class Feedback(models.Model):
    """The after-event survey: a mark from 1 to 5 and a comment, one per registration."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField("оценка", choices=[(i, str(i)) for i in range(1, 6)])
    comment = models.TextField("комментарий", blank=True, max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "отзыв"
        verbose_name_plural = "отзывы"
        constraints = [models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5")]

    def __str__(self) -> str:
        return f"{self.rating} — {self.registration}"


def _upload_path(folder: str):
    def path(instance, filename: str) -> str:
        # The stored name never reuses the user's file name; the extension comes from the content check.
        return f"{folder}/{timezone.now():%Y/%m}/{instance.token}.{instance.extension}"

    path.__name__ = f"upload_to_{folder}"
    return path


class StoredFile(models.Model):
    """Common fields of files that are served only through permission-checked views."""

    title = models.CharField("название", max_length=300)
    original_name = models.CharField("имя файла", max_length=255)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField(default=0)
    token = models.CharField(max_length=32, unique=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def event_material_path(instance, filename):
    return _upload_path("event_materials")(instance, filename)


class EventMaterial(StoredFile):
    class Kind(models.TextChoices):
        MATERIAL = "material", "Материал"
        PHOTO = "photo", "Фотография"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField("вид", max_length=10, choices=Kind.choices, default=Kind.MATERIAL)
    file = models.FileField(upload_to=event_material_path)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = "материал мероприятия"
        verbose_name_plural = "материалы мероприятий"


class Programme(models.Model):
    """A КПК/ДПО programme of the catalogue."""

    class Form(models.TextChoices):
        FULL_TIME = "full_time", "Очная"
        DISTANCE = "distance", "Дистанционная"
        BLENDED = "blended", "Очно-заочная (смешанная)"

    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.PROTECT, related_name="programmes", verbose_name="муниципалитет"
    )
    title = models.CharField("название", max_length=300)
    hours = models.PositiveSmallIntegerField("часов")
    provider = models.CharField("организация, реализующая программу", max_length=300)
    form = models.CharField("форма", max_length=12, choices=Form.choices, default=Form.BLENDED)
    audience = models.CharField("для кого", max_length=300, blank=True)
    description = models.TextField("описание", blank=True, help_text="Разметка Markdown.")
    starts_on = models.DateField("начало", null=True, blank=True)
    ends_on = models.DateField("окончание", null=True, blank=True)
    is_published = models.BooleanField("опубликована", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = "программа КПК/ДПО"
        verbose_name_plural = "программы КПК/ДПО"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "Окончание не может быть раньше начала."})


class Enrolment(models.Model):
    """A teacher sent to a programme; ``completed_on`` is written by ``enrolment_complete`` only."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    full_name = models.CharField("ФИО", max_length=200)
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name="школа",
    )
    email = models.EmailField("эл. почта", blank=True)
    enrolled_on = models.DateField("зачислен", default=timezone.localdate)
    completed_on = models.DateField("окончил", null=True, blank=True)
    certificate_number = models.CharField("номер удостоверения", max_length=100, blank=True)

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = "слушатель программы"
        verbose_name_plural = "слушатели программ"

    def __str__(self) -> str:
        return f"{self.full_name} — {self.programme}"

    @property
    def is_completed(self) -> bool:
        return self.completed_on is not None


class Association(models.Model):
    """A municipal methodological association (ММО): its members and its yearly plan of events."""

    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.PROTECT, related_name="associations", verbose_name="муниципалитет"
    )
    organisation = models.OneToOneField(
        "schools.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="association",
        verbose_name="организация в реестре",
    )
    name = models.CharField("название", max_length=300)
    subject = models.CharField("предмет или направление", max_length=200, blank=True)
    head = models.CharField("руководитель", max_length=200, blank=True)
    members = models.TextField("состав", blank=True, help_text="По одному человеку в строке: ФИО, школа.")
    plan_notes = models.TextField("план работы: цели и задачи", blank=True, help_text="Разметка Markdown.")
    is_published = models.BooleanField("опубликовано", default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "методическое объединение"
        verbose_name_plural = "методические объединения"

    def __str__(self) -> str:
        return self.name

    @property
    def member_lines(self) -> list[str]:
        return [line.strip() for line in self.members.splitlines() if line.strip()]


class Practice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Черновик"
        PUBLISHED = "published", "Опубликована"

    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.PROTECT, related_name="practices", verbose_name="муниципалитет"
    )
    title = models.CharField("название", max_length=300)
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name="школа",
    )
    authors = models.CharField("авторы", max_length=500, blank=True)
    subjects = models.CharField("предметы", max_length=300, blank=True)
    grades = models.CharField("классы", max_length=100, blank=True)
    # Codes of the risk factors («500+») the practice addresses, comma-separated. The risk
    # catalogue is built in parallel (risks app); this becomes an M2M once it lands.
    risk_factors = models.CharField("факторы риска", max_length=500, blank=True, null=True)
    description = models.TextField("описание", blank=True, help_text="Разметка Markdown.")
    links = models.TextField("ссылки", blank=True, help_text="По одной ссылке в строке.")
    status = models.CharField("статус", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField("опубликована", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "title"]
        verbose_name = "практика"
        verbose_name_plural = "банк практик"

    def __str__(self) -> str:
        return self.title

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip().startswith(("http://", "https://"))]


def practice_file_path(instance, filename):
    return _upload_path("practice_files")(instance, filename)


class PracticeFile(StoredFile):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=practice_file_path)

    class Meta:
        ordering = ["pk"]
        verbose_name = "файл практики"
        verbose_name_plural = "файлы практик"


class Page(models.Model):
    """A small markdown page the centre edits: the programme, regulations, work plans, news."""

    class Kind(models.TextChoices):
        PROGRAMME = "programme", "О программе"
        REGULATIONS = "regulations", "Нормативные документы"
        WORK_PLAN = "work_plan", "План работы"
        NEWS = "news", "Новости"

    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.PROTECT, related_name="pages", verbose_name="муниципалитет"
    )
    kind = models.CharField("раздел", max_length=12, choices=Kind.choices, default=Kind.NEWS)
    slug = models.SlugField("адрес", max_length=100, unique=True, help_text="Латиница, цифры и дефис.")
    title = models.CharField("заголовок", max_length=300)
    body = models.TextField("текст", blank=True, help_text="Разметка Markdown.")
    is_published = models.BooleanField("опубликована", default=False)
    published_at = models.DateTimeField("опубликована", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "title"]
        verbose_name = "страница"
        verbose_name_plural = "страницы"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:page", args=[self.slug])


def page_file_path(instance, filename):
    return _upload_path("page_files")(instance, filename)


class PageAttachment(StoredFile):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=page_file_path)

    class Meta:
        ordering = ["pk"]
        verbose_name = "документ страницы"
        verbose_name_plural = "документы страниц"
