"""Report requests (the archive) and frozen snapshots of roadmaps and progress reports.

A ``ReportRequest`` is what a user asked for: the kind, its parameters, and the file the
``reports`` Celery queue rendered (status queued → running → done / failed, with progress).
The file is served only through ``reports:download`` (the owner's own request), never from
``MEDIA_URL`` directly: its name is a random token, and ``var/media`` is not published.

A ``Snapshot`` is the PDF stored when a roadmap is approved or a progress report submitted
(issue #9, «frozen snapshots»): the document as it stood at that moment, whatever is edited later.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.jobs.models import Job


class Kind(models.TextChoices):
    IDENTIFICATION = "identification", "Аналитический отчёт по выявлению"
    PASSPORT = "passport", "Паспорт школы"
    ROADMAP_EXECUTION = "roadmap_execution", "Отчёт о выполнении дорожной карты за период"
    YEAR_RESULTS = "year_results", "Итоги года по программе (муниципалитет)"
    AGREEMENTS = "agreements", "Реестр договоров о сотрудничестве"
    EVENTS = "events", "Мероприятия за период с посещаемостью"
    REGISTRY = "registry", "Реестр школ"
    AGREEMENT_LIST = "agreement_list", "Договоры о сотрудничестве (выгрузка)"
    MUNICIPALITY_ANALYTICS = "municipality_analytics", "Анализ результатов муниципалитета (таблицы)"
    EVENT_PARTICIPANTS = "event_participants", "Участники мероприятия"


class Format(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"


def _token() -> str:
    return secrets.token_hex(16)


def report_upload_path(instance: ReportRequest, filename: str) -> str:
    # Our own name: nothing a user typed reaches the file system.
    return f"reports/{instance.created_at:%Y/%m}/{instance.token}.{instance.format}"


class ReportRequest(Job):
    """A report a user ordered; rendered by the ``reports`` queue (core.jobs)."""

    TASK_NAME = "reports.tasks.render_report"
    CRASH_MESSAGE = (
        "Не удалось сформировать отчёт из-за внутренней ошибки. Попробуйте ещё раз или сообщите администратору."
    )

    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        RUNNING = "running", "Формируется"
        DONE = "done", "Готов"
        FAILED = "failed", "Ошибка"

    kind = models.CharField("вид отчёта", max_length=24, choices=Kind.choices)
    format = models.CharField("формат", max_length=4, choices=Format.choices, default=Format.PDF)
    params = models.JSONField("параметры", default=dict, blank=True)
    title = models.CharField("название", max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_requests", verbose_name="заказал"
    )
    status = models.CharField("статус", max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField("готовность, %", default=0)
    stage = models.CharField("этап", max_length=200, blank=True)
    token = models.CharField(max_length=32, default=_token, unique=True, editable=False)
    file = models.FileField("файл", upload_to=report_upload_path, blank=True, max_length=255)
    file_size = models.PositiveIntegerField("размер, байт", default=0)
    error = models.TextField("ошибка", blank=True)
    created_at = models.DateTimeField("заказан", auto_now_add=True)
    started_at = models.DateTimeField("начат", null=True, blank=True)
    finished_at = models.DateTimeField("готов", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "заказ отчёта"
        verbose_name_plural = "заказы отчётов"
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="report_user_created")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @classmethod
    def failure_fields(cls, message: str) -> dict:
        return {"stage": ""}

    @property
    def download_name(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d} №{self.pk}.{self.format}"

    @property
    def page_url(self) -> str:
        """The page an export was ordered from, with its filters (the registry, the agreements, the
        municipality's analysis, the staff event page); "" for a report ordered on «Новый отчёт»."""
        params = self.params or {}
        query = str(params.get("filters", ""))[:2000]
        try:
            if self.kind == Kind.REGISTRY:
                url = reverse("schools:list")
            elif self.kind == Kind.AGREEMENT_LIST:
                url = reverse("partnerships:agreement_list")
            elif self.kind == Kind.MUNICIPALITY_ANALYTICS:
                url = reverse("analytics:municipality", args=[int(params["municipality"])])
            elif self.kind == Kind.EVENT_PARTICIPANTS:
                return reverse("events:staff_event", args=[int(params["event"])])
            else:
                return ""
        except (KeyError, TypeError, ValueError):
            return ""
        return f"{url}?{query}" if query else url

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


def snapshot_upload_path(instance: Snapshot, filename: str) -> str:
    return f"snapshots/{instance.created_at:%Y/%m}/{instance.token}.pdf"


class Snapshot(Job):
    """A frozen PDF of a roadmap or a progress report at the moment it was approved or submitted (core.jobs)."""

    TASK_NAME = "reports.tasks.render_snapshot"
    CRASH_MESSAGE = "Не удалось сформировать снимок."

    class Event(models.TextChoices):
        ROADMAP_APPROVED = "roadmap_approved", "Утверждение дорожной карты"
        REPORT_SUBMITTED = "report_submitted", "Отправка отчёта о ходе выполнения"

    event = models.CharField("событие", max_length=20, choices=Event.choices)
    roadmap = models.ForeignKey("roadmaps.Roadmap", on_delete=models.CASCADE, related_name="snapshots")
    progress_report = models.ForeignKey(
        "roadmaps.ProgressReport", on_delete=models.CASCADE, null=True, blank=True, related_name="snapshots"
    )
    token = models.CharField(max_length=32, default=_token, unique=True, editable=False)
    file = models.FileField("файл", upload_to=snapshot_upload_path, blank=True, max_length=255)
    # The row is created in the same transaction as the approval/submission; the render task
    # claims it (queued → running) with a conditional UPDATE, so a task run twice stores one file.
    status = models.CharField(
        "статус", max_length=8, choices=ReportRequest.Status.choices, default=ReportRequest.Status.QUEUED
    )
    error = models.TextField("ошибка", blank=True)
    frozen_at = models.DateTimeField("зафиксировано")
    created_at = models.DateTimeField("создан", auto_now_add=True)

    class Meta:
        ordering = ["-frozen_at", "-pk"]
        verbose_name = "снимок документа"
        verbose_name_plural = "снимки документов"

    def __str__(self) -> str:
        return f"{self.get_event_display()}: {self.roadmap} ({self.frozen_at:%d.%m.%Y %H:%M})"

    @property
    def download_name(self) -> str:
        what = "Отчёт" if self.progress_report_id else "Дорожная карта"
        return f"{what} {self.roadmap_id} — снимок {self.frozen_at:%Y-%m-%d %H-%M}.pdf"


def municipal_export_upload_path(instance: MunicipalExport, filename: str) -> str:
    return f"exports/{instance.created_at:%Y/%m}/{instance.token}.zip"


class MunicipalExport(Job):
    """A download of everything one municipality owns (issue #10), ordered from the export page.

    The ``reports`` queue writes the ZIP (``schools.municipal_export``); the file is served only
    through ``reports:municipal_export_download`` to the municipality's department and its
    region, and deleted ``MUNICIPAL_EXPORT_KEEP_DAYS`` after it was made (the row stays).
    """

    TASK_NAME = "reports.tasks.render_municipal_export"
    CRASH_MESSAGE = (
        "Не удалось сформировать выгрузку из-за внутренней ошибки. Попробуйте ещё раз или сообщите администратору."
    )
    Status = ReportRequest.Status

    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.PROTECT, related_name="+", verbose_name="муниципалитет"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="заказал",
    )
    status = models.CharField("статус", max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField("готовность, %", default=0)
    stage = models.CharField("этап", max_length=200, blank=True)
    token = models.CharField(max_length=32, default=_token, unique=True, editable=False)
    file = models.FileField("файл", upload_to=municipal_export_upload_path, blank=True, max_length=255)
    file_size = models.PositiveBigIntegerField("размер, байт", default=0)
    rows_count = models.PositiveIntegerField("записей", default=0)
    error = models.TextField("ошибка", blank=True)
    created_at = models.DateTimeField("заказана", auto_now_add=True)
    started_at = models.DateTimeField("начата", null=True, blank=True)
    # Touched with every progress step: a «running» export whose heartbeat stopped lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField("готова", null=True, blank=True)
    expires_at = models.DateTimeField("файл хранится до", null=True, blank=True)
    file_deleted_at = models.DateTimeField("файл удалён", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "выгрузка данных муниципалитета"
        verbose_name_plural = "выгрузки данных муниципалитета"
        indexes = [models.Index(fields=["municipality", "-created_at"], name="export_muni_created")]

    def __str__(self) -> str:
        return f"Выгрузка №{self.pk}: {self.municipality}"

    @classmethod
    def failure_fields(cls, message: str) -> dict:
        return {"stage": ""}

    @property
    def can_download(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def download_name(self) -> str:
        return f"Выгрузка {self.municipality} {self.created_at:%Y-%m-%d} №{self.pk}.zip"
