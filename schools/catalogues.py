"""Who owns each shared catalogue, and so who may change it (DESIGN.md §3, issue «catalogues have owners»).

Most rows of the portal belong to one municipality or one school and are fenced by
``schools.scopes``. What is left are catalogues that several territories read. Each of them
is decided here; ``tests/test_catalogue_fence.py`` walks every model and fails on one that
belongs to no territory and is not listed below.

The owners:

* ``OPERATOR`` — national reference data (federal lists, the «500+» risk-factor catalogue):
  every region and municipality reads the same rows, so only the portal's operator changes them. No
  department or region may, since any change would alter what other territories use.
* ``REGION`` — a region's own copy: the staff of that region change it; a shipped preset
  (no region) is copied into the editing region's own methodology on the first change. The
  ИСБШ weights and scaling are part of a methodology version, edited with it.
  Departments read their region's rules and do not change them: a municipality's edit would
  change what the other municipalities of the region use.
* ``CALENDAR`` — academic years: a department opens the next one (a new row); rows are
  never edited.
* ``SYSTEM`` — written by services only (the audit log, an outbox, job rows); no page edits them.
* ``MUNICIPAL`` — belongs to one municipality through a field the walk cannot follow (an
  optional or one-to-one link); fenced by the scopes like the rest. Of those, the ones in
  ``MUNICIPAL_COPIES`` are shipped rows (no municipality, the operator's) that a
  municipality's methodological centre changes in its own copy, made on its first change; the
  municipality's pages read its copy, every other territory still reads the shipped rows.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User


class Owner(StrEnum):
    OPERATOR = "operator"
    REGION = "region"
    CALENDAR = "calendar"
    SYSTEM = "system"
    MUNICIPAL = "municipal"


CATALOGUES: dict[str, tuple[Owner, str]] = {
    "schools.Region": (Owner.OPERATOR, "субъекты РФ"),
    "schools.Municipality": (Owner.REGION, "муниципалитеты региона"),
    "schools.AcademicYear": (Owner.CALENDAR, "учебные годы"),
    "monitoring.Subject": (Owner.OPERATOR, "учебные предметы ВПР и ГИА"),
    "identification.Methodology": (Owner.REGION, "методики выявления"),
    "identification.MethodologyVersion": (Owner.REGION, "версии методик выявления"),
    "identification.Criterion": (Owner.REGION, "критерии методик выявления"),
    "risks.RiskFactor": (Owner.OPERATOR, "каталог факторов риска «500+»"),
    "risks.RiskQuestion": (Owner.OPERATOR, "вопросы самодиагностики по факторам риска"),
    "teachers.Competence": (Owner.OPERATOR, "каталог компетенций педагогов"),
    # The shipped description of a test is the operator's; a municipality's methodological
    # centre edits its own copy (copy on the first change; analytics.catalogue).
    "analytics.TaskCatalogue": (Owner.MUNICIPAL, "описания проверочных работ (общие и копии муниципалитетов)"),
    "analytics.TaskCatalogueItem": (Owner.MUNICIPAL, "задания описаний проверочных работ"),
    "analytics.SkillTag": (Owner.MUNICIPAL, "метки умений у мероприятий, программ и практик муниципалитета"),
    "analytics.MarkResult": (Owner.SYSTEM, "сводные отметки срезов (пересчитываются)"),
    "analytics.TaskResult": (Owner.SYSTEM, "сводные результаты заданий (пересчитываются)"),
    "monitoring.AreaMarkStat": (Owner.SYSTEM, "статистика Ф3 по территориям (из загрузок)"),
    "monitoring.AssessmentStructure": (Owner.SYSTEM, "структура работ из загруженных файлов"),
    "monitoring.AssessmentTask": (Owner.SYSTEM, "задания работ из загруженных файлов"),
    "core.AuditEvent": (Owner.SYSTEM, "журнал действий"),
    "roadmaps.Notification": (Owner.SYSTEM, "очередь писем"),
    "core.Letter": (Owner.SYSTEM, "очередь писем портала: восстановление пароля, приглашения"),
    "core.RateLimitCounter": (Owner.SYSTEM, "счётчики ограничений запросов"),
    "identification.IndicatorMean": (Owner.SYSTEM, "средние показателей муниципалитета и региона (пересчитываются)"),
    "identification.SupportEffect": (Owner.SYSTEM, "эффект поддержки муниципалитета и региона (пересчитывается)"),
    "monitoring.ImportJob": (Owner.MUNICIPAL, "загрузки результатов (муниципалитет или школа загрузившего)"),
    # A municipal run has its municipality; a regional run (region role) its region instead.
    "identification.IdentificationRun": (
        Owner.MUNICIPAL,
        "выявления муниципалитета (региональные — региона), видимые по областям доступа",
    ),
    "identification.IndicatorRecompute": (Owner.MUNICIPAL, "пересчёты показателей муниципалитета"),
    "partnerships.PartnershipSettings": (Owner.MUNICIPAL, "настройки подбора партнёров муниципалитета"),
    "roadmaps.EscalationSettings": (
        Owner.MUNICIPAL,
        "сроки эскалации несданных отчётов и просроченных мероприятий муниципалитета",
    ),
    "events.Feedback": (Owner.MUNICIPAL, "отзывы о мероприятиях муниципалитета"),
    # Keyed by owner_key: a municipality's own mapping (or the operator's for the whole portal).
    "schools.RegistryColumnMapping": (Owner.MUNICIPAL, "сопоставление столбцов реестра муниципалитета"),
}

REFUSED = {
    Owner.OPERATOR: "Этот справочник общий для всех регионов: изменить его может только оператор портала.",
    Owner.REGION: "Этот справочник ведёт региональный уровень: изменения вносят сотрудники региона.",
    Owner.CALENDAR: "Учебные годы не редактируются: управление образования открывает следующий год.",
    Owner.SYSTEM: "Эти записи ведёт сам портал.",
    Owner.MUNICIPAL: "Эти записи принадлежат муниципалитету.",
}


# Municipal copies of shipped rows: who edits them (the roles, attached to a municipality).
MUNICIPAL_COPIES: dict[str, tuple[str, ...]] = {
    "analytics.TaskCatalogue": ("methodologist",),
    "analytics.TaskCatalogueItem": ("methodologist",),
}


def owner_of(label: str) -> Owner:
    return CATALOGUES[label][0]


def may_edit_catalogue(
    user: User, label: str, *, region_id: int | None = None, municipality_id: int | None = None
) -> bool:
    """May ``user`` change rows of the catalogue ``label`` (``app.Model``)?

    ``region_id`` is the region whose copy is changed (None: a shipped preset, which the
    change copies into the user's region); ``municipality_id`` likewise the municipality whose
    copy is changed (None: the shipped rows, which the change copies into the user's own).
    """
    from accounts.models import Role

    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    owner = owner_of(label)
    if owner == Owner.REGION:
        own_region = user.region_id if user.role == Role.REGION else None
        return own_region is not None and region_id in (None, own_region)
    if owner == Owner.CALENDAR:
        return user.role in (Role.DEPARTMENT, Role.REGION)
    if owner == Owner.MUNICIPAL and label in MUNICIPAL_COPIES:
        own = user.municipality_id if user.role in MUNICIPAL_COPIES[label] else None
        return own is not None and municipality_id in (None, own)
    return False


def refusal(label: str) -> str:
    return REFUSED[owner_of(label)]
