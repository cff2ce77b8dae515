"""Identification outcomes that the rest of the portal relies on.

``SchoolStatus`` is the department's decision (DESIGN.md §7: «nothing becomes a status by
itself»): a school has a status of a kind for an academic year, approved by a decision with
its number and date. Roadmaps, agreements, events and teachers' routes target the schools
with a current support status (ШНОР, ШССУ); see ``identification.selectors.supported_schools``.

A status is never deleted or overwritten: revoking sets ``revoked_at`` (with a reason), and
a change of mind is a new row, so the history of decisions stays readable.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


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
