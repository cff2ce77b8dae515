"""Risk levels of the «500+» factors from data and from the self-diagnosis, set-based.

A handful of aggregate queries per call (context rows, shares of «2», mean answers per factor),
whatever the number of schools; Python then combines at most schools × factors small rows.
A factor with a data source and data is scored from data; otherwise from the submitted
self-diagnosis; otherwise it stays «нет данных».
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q
from django.utils import timezone

from core.charts import fmt_number
from monitoring.models import CURRENT, ContextData, ParticipantResult, Procedure, Subject
from risks import rules
from risks.models import DataSource, RiskFactor, RiskLevel, SchoolRisk, SelfDiagnosis, SelfDiagnosisAnswer
from risks.signals import dec, percent
from schools.models import AcademicYear

RUSSIAN_CODES = ("01",)


@dataclass
class Scored:
    level: str
    source: str
    value: Decimal | None = None
    explanation: str = ""
    details: dict = field(default_factory=dict)


def level_from(value: Decimal, medium_from: Decimal | None, high_from: Decimal | None) -> str:
    if high_from is not None and value >= high_from:
        return RiskLevel.HIGH
    if medium_from is not None and value >= medium_from:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def _level_word(level: str) -> str:
    return RiskLevel(level).label


def _thresholds(factor: RiskFactor, unit: str = "%") -> str:
    return f"средний от {fmt_number(factor.medium_from, 1, unit)}, высокий от {fmt_number(factor.high_from, 1, unit)}"


def _fail_shares(year: AcademicYear, school_ids: list[int], subject_filter: Q | None = None) -> dict[int, tuple]:
    qs = ParticipantResult.objects.filter(
        CURRENT, year=year, school_id__in=school_ids, mark__isnull=False, procedure__in=(Procedure.VPR, Procedure.OGE)
    )
    if subject_filter is not None:
        qs = qs.filter(subject_filter)
    return {
        r["school_id"]: (r["n"], r["fails"])
        for r in qs.values("school_id").annotate(n=Count("id"), fails=Count("id", filter=Q(mark=2)))
    }


def score_schools(*, year: AcademicYear, school_ids: list[int], factors: list[RiskFactor]) -> dict[tuple, Scored]:
    """(school_id, factor_id) → Scored for every school and factor given."""
    context = {
        c.school_id: c for c in ContextData.objects.filter(CURRENT, year=year, school_id__in=school_ids).only(*FIELDS)
    }
    sources = {f.data_source for f in factors}
    fails = _fail_shares(year, school_ids) if DataSource.FAIL_SHARE in sources else {}
    russian = {}
    if DataSource.LANGUAGE_BARRIERS in sources:
        russian_ids = list(
            Subject.objects.filter(Q(code__in=RUSSIAN_CODES) | Q(name__iexact="Русский язык")).values_list(
                "pk", flat=True
            )
        )
        russian = _fail_shares(year, school_ids, Q(subject_id__in=russian_ids))
    answers: dict[tuple[int, str], tuple[float, int]] = {}
    for r in (
        SelfDiagnosisAnswer.objects.filter(
            diagnosis__year=year,
            diagnosis__school_id__in=school_ids,
            diagnosis__status__in=(SelfDiagnosis.Status.SUBMITTED, SelfDiagnosis.Status.LOCKED),
        )
        .values("diagnosis__school_id", "question__factor__code")
        .annotate(mean=Avg("value"), n=Count("id"))
    ):
        answers[(r["diagnosis__school_id"], r["question__factor__code"])] = (r["mean"], r["n"])

    out = {}
    for school_id in school_ids:
        for factor in factors:
            scored = _from_data(factor, context.get(school_id), fails.get(school_id), russian.get(school_id))
            if scored is None and (school_id, factor.code) in answers:
                mean, n = answers[(school_id, factor.code)]
                mean = dec(mean)
                level = level_from(mean, rules.SELF_MEDIUM_FROM, rules.SELF_HIGH_FROM)
                scored = Scored(
                    level,
                    SchoolRisk.Source.SELF_DIAGNOSIS,
                    mean,
                    f"Самодиагностика: средний ответ {fmt_number(mean, 2)} из 4 по {n} утверждениям "
                    f"(средний уровень от {fmt_number(rules.SELF_MEDIUM_FROM, 0)}, высокий от "
                    f"{fmt_number(rules.SELF_HIGH_FROM, 0)}) — {_level_word(level)}.",
                    {"mean": float(mean), "answers": n},
                )
            out[(school_id, factor.pk)] = scored or Scored(
                RiskLevel.UNKNOWN, SchoolRisk.Source.NONE, None, "Нет данных и нет ответов самодиагностики."
            )
    return out


FIELDS = ("school_id", "teacher_posts", "teacher_vacancies", "ovz_share", "non_native_share")


def _from_data(factor: RiskFactor, context, fails, russian) -> Scored | None:
    source = factor.data_source
    data = SchoolRisk.Source.DATA
    if source == DataSource.TEACHER_VACANCIES and context and context.teacher_posts:
        value = dec(Decimal(100) * (context.teacher_vacancies or 0) / context.teacher_posts)
        level = level_from(value, factor.medium_from, factor.high_from)
        return Scored(
            level,
            data,
            value,
            f"Вакансий педагогов {fmt_number(context.teacher_vacancies or 0, 1)} на "
            f"{fmt_number(context.teacher_posts, 1)} ставок — {fmt_number(value, 1, '%')} "
            f"({_thresholds(factor)}) — {_level_word(level)}.",
            {"vacancies": float(context.teacher_vacancies or 0), "posts": float(context.teacher_posts)},
        )
    if source == DataSource.OVZ_SHARE and context and context.ovz_share is not None:
        value = dec(context.ovz_share)
        level = level_from(value, factor.medium_from, factor.high_from)
        return Scored(
            level,
            data,
            value,
            f"Доля обучающихся с ОВЗ {fmt_number(value, 1, '%')} ({_thresholds(factor)}) — {_level_word(level)}.",
            {"ovz_share": float(value)},
        )
    if source == DataSource.FAIL_SHARE and fails and fails[0] >= rules.MIN_GROUP:
        n, f = fails
        value = percent(f, n)
        level = level_from(value, factor.medium_from, factor.high_from)
        return Scored(
            level,
            data,
            value,
            f"Доля «2» по ВПР и ОГЭ: {f} из {n} ({fmt_number(value, 1, '%')}; {_thresholds(factor)}) — "
            f"{_level_word(level)}.",
            {"fails": f, "participants": n},
        )
    if source == DataSource.LANGUAGE_BARRIERS and context and context.non_native_share is not None:
        share = dec(context.non_native_share)
        if share < rules.LANGUAGE_MIN_NON_NATIVE:
            return Scored(
                RiskLevel.LOW,
                data,
                share,
                f"Доля обучающихся, для которых русский язык неродной, {fmt_number(share, 1, '%')} — меньше "
                f"{fmt_number(rules.LANGUAGE_MIN_NON_NATIVE, 0, '%')}: низкий.",
                {"non_native_share": float(share)},
            )
        if russian and russian[0] >= rules.MIN_GROUP:
            n, f = russian
            value = percent(f, n)
            level = level_from(value, factor.medium_from, factor.high_from)
            return Scored(
                level,
                data,
                value,
                f"Неродной русский язык у {fmt_number(share, 1, '%')} обучающихся; доля «2» по русскому языку "
                f"{f} из {n} ({fmt_number(value, 1, '%')}; {_thresholds(factor)}) — {_level_word(level)}.",
                {"non_native_share": float(share), "russian_fails": f, "russian_participants": n},
            )
    return None


def store_levels(*, year: AcademicYear, school_ids: list[int], factors: list[RiskFactor]) -> int:
    """Write the levels (idempotent: one row per school, year, factor version); returns rows written."""
    scored = score_schools(year=year, school_ids=school_ids, factors=factors)
    existing = {(r.school_id, r.factor_id): r for r in SchoolRisk.objects.filter(year=year, school_id__in=school_ids)}
    current_ids = {f.pk for f in factors}
    # Levels of factor versions that are no longer current are replaced by the current version's.
    stale = [r.pk for key, r in existing.items() if key[1] not in current_ids]
    if stale:
        SchoolRisk.objects.filter(pk__in=stale).delete()
    create, update = [], []
    for (school_id, factor_id), s in scored.items():
        row = existing.get((school_id, factor_id))
        if row is None:
            create.append(
                SchoolRisk(
                    school_id=school_id,
                    year=year,
                    factor_id=factor_id,
                    level=s.level,
                    source=s.source,
                    value=s.value,
                    details=s.details,
                    explanation=s.explanation,
                )
            )
        elif (row.level, row.source, row.value, row.details, row.explanation) != (
            s.level,
            s.source,
            s.value,
            s.details,
            s.explanation,
        ):
            row.level, row.source, row.value, row.details, row.explanation = (
                s.level,
                s.source,
                s.value,
                s.details,
                s.explanation,
            )
            update.append(row)
    SchoolRisk.objects.bulk_create(create, batch_size=1000)
    SchoolRisk.objects.bulk_update(update, ["level", "source", "value", "details", "explanation"], batch_size=1000)
    # bulk_update skips auto_now, and unchanged rows are not written: stamp them all, so
    # computed_at says when the levels were last computed (risks_requeue_stale compares it).
    SchoolRisk.objects.filter(year=year, school_id__in=school_ids).update(computed_at=timezone.now())
    return len(create) + len(update)
