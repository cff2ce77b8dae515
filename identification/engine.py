"""Evaluation of a methodology version's criteria over the stored indicator values.

Percentiles and the tie rule. In a pool (the schools of the municipality or region that
have a value counted in the year), a school's percentile is the share of the pool that is
strictly worse than it, in per cent: ``100 · #worse / n``. «Worse» follows the indicator's
direction (a higher share of «2» is worse). «In the bottom N%» holds when that percentile
is below N, «in the top N%» when the share strictly better is below N. Tied schools have
the same percentile, so a tie is never split: all of them are in, or none. The threshold
shown in the explanation is the boundary value — the best value still inside the group.

Values are ranked at their stored precision (``catalogue.stored_precision``: 15 significant
digits), so two schools whose values differ only in the last bits of a double are tied on
every database. Thresholds («≥ 70%», «выросла на 10 п.п.») are compared at the displayed
precision of the indicator (``catalogue.at_precision``), so the verdict agrees with the figures
the page prints.

«Вошла в нижние N%» needs a value in the year before: without it «впервые» cannot be told
from «no data last year», and the criterion does not fire (the explanation says so).

Consecutive years: a criterion with ``consecutive_years = k`` holds only if it holds in
the run's year and in each of the k − 1 years before, each against that year's pool.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from core.text import compact
from identification.catalogue import (
    BY_CODE,
    STORED_SIGNIFICANT,
    IndicatorSpec,
    at_precision,
    digits_of,
    format_value,
    stored_precision,
)
from identification.isbsh import COMPONENTS, REFERENCE, Scale, decompose, explain
from identification.models import Criterion, IndicatorValue, Operator, Pool


@dataclass
class PoolStats:
    """Values of one indicator in one pool and year, sorted ascending, for rank look-ups."""

    values: list[float]
    higher_is_better: bool
    _thresholds: dict[tuple[str, float], float | None] = field(default_factory=dict, repr=False, compare=False)

    def worse_share(self, value: float) -> float:
        n = len(self.values)
        worse = bisect_left(self.values, value) if self.higher_is_better else n - bisect_right(self.values, value)
        return 100.0 * worse / n

    def better_share(self, value: float) -> float:
        n = len(self.values)
        better = n - bisect_right(self.values, value) if self.higher_is_better else bisect_left(self.values, value)
        return 100.0 * better / n

    def in_bottom(self, value: float, percent: float) -> bool:
        return self.worse_share(value) < percent

    def in_top(self, value: float, percent: float) -> bool:
        return self.better_share(value) < percent

    def bottom_threshold(self, percent: float) -> float | None:
        """The best value that is still in the bottom ``percent`` (None if nobody is).

        The same for every school of the pool: computed once per percent (a run judges each
        school against it; recomputing it per school made a 2,000-school run quadratic)."""
        key = ("bottom", percent)
        if key not in self._thresholds:
            inside = [v for v in set(self.values) if self.in_bottom(v, percent)]
            best = max if self.higher_is_better else min
            self._thresholds[key] = best(inside) if inside else None
        return self._thresholds[key]

    def top_threshold(self, percent: float) -> float | None:
        key = ("top", percent)
        if key not in self._thresholds:
            inside = [v for v in set(self.values) if self.in_top(v, percent)]
            worst = min if self.higher_is_better else max
            self._thresholds[key] = worst(inside) if inside else None
        return self._thresholds[key]


@dataclass
class Outcome:
    """One criterion for one school."""

    criterion: int
    label: str
    fired: bool
    value: float | None = None
    percentile: float | None = None
    threshold: float | None = None
    text: str = ""
    years: list[int] = field(default_factory=list)
    pooled: bool = False

    def as_dict(self) -> dict:
        return {
            "criterion": self.criterion,
            "label": self.label,
            "fired": self.fired,
            "value": self.value,
            "percentile": self.percentile,
            "threshold": self.threshold,
            "text": self.text,
            "years": self.years,
            "pooled": self.pooled,
        }


def indicator_label(spec: IndicatorSpec, subject_name: str | None, grade: int | None) -> str:
    """«доля «2» по ВПР (русский язык, 4 кл.)» — the indicator as it reads inside a sentence."""
    # Lower-case the first word unless it is an abbreviation («ВПР выше…», «ИСБШ»).
    name = spec.name if spec.name[1:2].isupper() else spec.name[0].lower() + spec.name[1:]
    if "ИСБШ" in name:
        name = "ИСБШ"
    scope = [part for part in (subject_name and subject_name.lower(), grade and f"{grade} кл.") if part]
    return f"{name} ({', '.join(scope)})" if scope else name


def _years_phrase(k: int) -> str:
    ordinals = {2: "второй", 3: "третий", 4: "четвёртый", 5: "пятый"}
    return f" {ordinals.get(k, f'{k}-й')} год подряд" if k > 1 else ""


_POOL_GENITIVE = {Pool.MUNICIPALITY: "муниципалитета", Pool.REGION: "региона"}
# Each compares the value at the displayed precision (a Decimal) with the criterion's value.
_COMPARE = {
    Operator.LT: ("<", lambda v, x: v < x, "меньше порога"),
    Operator.LE: ("≤", lambda v, x: v <= x, "не больше порога"),
    Operator.GT: (">", lambda v, x: v > x, "больше порога"),
    Operator.GE: ("≥", lambda v, x: v >= x, "не меньше порога"),
}


def _exact(value: float) -> Decimal:
    """A criterion's typed value as a Decimal («10» stays 10, «0.1» stays 0.1)."""
    return Decimal(f"{value:.{STORED_SIGNIFICANT}g}")


def _fmt_number(value: float | Decimal, digits: int = 1) -> str:
    text = f"{at_precision(float(value), digits):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


class Evaluator:
    """Loads the values a version needs for one year and pool once, then judges schools.

    Queries: one per (criterion, year) — bounded by the methodology, not by the data.
    """

    def __init__(
        self,
        *,
        criteria: list[Criterion],
        start_year: int,
        year_ids: dict[int, int],
        pool_schools,
        max_interval_width: float | None = None,
        pool_two_years: bool = False,
        isbsh_scale: Scale = REFERENCE,
        schools: QuerySet | None = None,
    ):
        self.criteria = criteria
        # The query of the schools the pools are drawn from (``values("pk")``): the values are
        # read for them through a subquery — a list of 2,000 ids in each of the version's
        # queries cost more to prepare in Python than the query took. None: the pools' lists.
        self.schools = schools
        # The version's ИСБШ weights and scaling: the stored index is by the reference scale; a
        # version with its own computes the index from the stored components (identification.isbsh).
        self.isbsh_scale = isbsh_scale
        # (start year, school) → the ИСБШ components' stored values (for the explanation).
        self.isbsh_components: dict[tuple[int, int], dict[str, float]] = {}
        self.max_interval_width = max_interval_width
        self.pool_two_years = pool_two_years
        self.start_year = start_year
        self.year_ids = year_ids  # start year → AcademicYear id
        self.pool_schools = pool_schools  # Pool → {school_id: pool key}
        # (criterion pk, start year) → {school_id: (value, participants)}
        self.values: dict[tuple[int, int], dict[int, tuple[float, int]]] = {}
        # (criterion pk, start year) → {pool key: PoolStats}
        self.stats: dict[tuple[int, int], dict[object, PoolStats]] = {}
        # (criterion pk, start year, school) of values computed from pooled grades (issue #18).
        self.pooled: set[tuple[int, int, int]] = set()
        # … and of values pooled over the year and the year before (the version's option).
        self.two_years: set[tuple[int, int, int]] = set()

    def _years_needed(self, criterion: Criterion) -> list[int]:
        span = max(criterion.consecutive_years, 1)
        if criterion.operator in (Operator.RISE, Operator.FALL, Operator.ENTER_BOTTOM):
            span += 1
        return [self.start_year - offset for offset in range(span)]

    def load(self) -> None:
        for criterion in self.criteria:
            spec = BY_CODE[criterion.indicator]
            membership = self.pool_schools[criterion.pool]
            for start in self._years_needed(criterion):
                year_id = self.year_ids.get(start)
                rows: dict[int, tuple[float, int]] = {}
                if year_id is not None and criterion.indicator == "isbsh":
                    rows = self._load_isbsh(start, year_id, list(membership))
                elif year_id is not None:
                    qs = IndicatorValue.objects.filter(
                        year_id=year_id,
                        indicator=criterion.indicator,
                        subject_id=criterion.subject_id,
                        grade=criterion.grade,
                        school_id__in=self._scope(membership),
                    )
                    rows = {}
                    for pk, value, n, pooled in qs.values_list("school_id", "value", "participants", "pooled"):
                        if pk not in membership:
                            continue
                        rows[pk] = (stored_precision(value), n)
                        if pooled:
                            self.pooled.add((criterion.pk, start, pk))
                self.values[(criterion.pk, start)] = rows
                if self.pool_two_years and year_id is not None:
                    self._add_two_years(criterion, start, rows, membership)
                by_pool: dict[object, list[float]] = defaultdict(list)
                for school, (value, n) in rows.items():
                    if (criterion.pk, start, school) in self.two_years:
                        continue  # judged against the year's own values, never one of them
                    if n >= criterion.min_participants and self.reliable(criterion, value, n):
                        by_pool[membership[school]].append(value)
                self.stats[(criterion.pk, start)] = {
                    key: PoolStats(sorted(values), spec.higher_is_better) for key, values in by_pool.items()
                }

    def _scope(self, membership) -> QuerySet | list[int]:
        return self.schools if self.schools is not None else list(membership)

    def _add_two_years(self, criterion: Criterion, start: int, rows: dict, membership) -> None:
        """Schools without a counted value in the year (under the minimum even with the grades of
        a level pooled): their results of the year and the year before together, where both
        years have some and the two reach the criterion's minimum (issue #18 item 5). Only the
        share of «2» and the mean mark of ВПР/ОГЭ, which pool exactly over participants."""
        from django.db.models import Count, Q, Sum

        from monitoring.models import CURRENT, ParticipantResult

        procedure, _, name = criterion.indicator.partition("_")
        if procedure not in ("vpr", "oge") or name not in ("share_2", "mean_mark"):
            return
        before = self.year_ids.get(start - 1)
        missing = [s for s in membership if s not in rows or rows[s][1] < criterion.min_participants]
        if before is None or not missing:
            return
        qs = ParticipantResult.objects.filter(
            CURRENT,
            school_id__in=missing,
            year_id__in=[self.year_ids[start], before],
            procedure=procedure,
            mark__isnull=False,
        )
        if criterion.subject_id is not None:
            qs = qs.filter(subject_id=criterion.subject_id)
        if criterion.grade is not None:
            qs = qs.filter(grade=criterion.grade)
        found = (
            qs.values("school_id")
            .annotate(
                n=Count("id"),
                n2=Count("id", filter=Q(mark=2)),
                marks=Sum("mark"),
                years=Count("year_id", distinct=True),
            )
            .order_by()
        )
        for row in found:
            if row["years"] < 2 or row["n"] < criterion.min_participants:
                continue
            value = 100.0 * row["n2"] / row["n"] if name == "share_2" else row["marks"] / row["n"]
            rows[row["school_id"]] = (stored_precision(value), row["n"])
            self.two_years.add((criterion.pk, start, row["school_id"]))

    def _load_isbsh(self, start: int, year_id: int, school_ids: list[int]) -> dict[int, tuple[float, int]]:
        """ИСБШ of the schools in one year by the version's scale, with each school's components
        kept for the explanation. The reference scale reads the stored index (one definition);
        another scale computes it from the same stored components the recompute used."""
        members = set(school_ids)
        if (start, -1) not in self.isbsh_components:
            components: dict[int, dict[str, float]] = defaultdict(dict)
            qs = IndicatorValue.objects.filter(
                year_id=year_id, indicator__in=COMPONENTS, subject__isnull=True, grade__isnull=True
            ).filter(school_id__in=self._scope(school_ids))
            for school, code, value in qs.values_list("school_id", "indicator", "value"):
                if school in members:
                    components[school][code] = value
            for school, values in components.items():
                self.isbsh_components[(start, school)] = values
            self.isbsh_components[(start, -1)] = {}
        if self.isbsh_scale == REFERENCE:
            qs = IndicatorValue.objects.filter(
                year_id=year_id,
                indicator="isbsh",
                subject__isnull=True,
                grade__isnull=True,
                school_id__in=self._scope(school_ids),
            )
            return {
                pk: (stored_precision(value), n)
                for pk, value, n in qs.values_list("school_id", "value", "participants")
                if pk in members
            }
        rows = {}
        for school in school_ids:
            values = self.isbsh_components.get((start, school))
            parts = decompose(values, self.isbsh_scale) if values else None
            if parts is not None:
                rows[school] = (stored_precision(parts.index), int(values.get("contingent") or 0))
        return rows

    def reliable(self, criterion: Criterion, value: float, n: int) -> bool:
        """A share is judged only when its Wilson interval is narrow enough (the version's
        ``max_interval_width``, issue #18); other indicators and versions without it always are."""
        limit = self.max_interval_width
        if limit is None or not BY_CODE[criterion.indicator].is_share or n <= 0:
            return True
        successes = max(0.0, min(1.0, value / 100.0)) * n
        p, z = successes / n, 1.959963984540054
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return 200 * half <= limit

    def _holds(self, criterion: Criterion, school: int, start: int) -> tuple[bool, float | None, float | None, Any]:
        """(holds, value, percentile, threshold) of the criterion for one school in one year."""
        row = self.values.get((criterion.pk, start), {}).get(school)
        if row is None or row[1] < criterion.min_participants or not self.reliable(criterion, row[0], row[1]):
            return False, None, None, None
        value = row[0]
        stats = self.stats[(criterion.pk, start)].get(self.pool_schools[criterion.pool][school])
        percentile = stats.worse_share(value) if stats else None
        op = criterion.operator
        if op in (Operator.BOTTOM, Operator.ENTER_BOTTOM):
            return stats.in_bottom(value, criterion.value), value, percentile, stats.bottom_threshold(criterion.value)
        if op == Operator.TOP:
            return stats.in_top(value, criterion.value), value, percentile, stats.top_threshold(criterion.value)
        digits = digits_of(BY_CODE[criterion.indicator].unit)
        if op == Operator.RISE:
            before = self.previous(criterion, school, start)
            if before is None:
                return False, value, percentile, None
            return at_precision(value - before, digits) >= _exact(criterion.value), value, percentile, before
        if op == Operator.FALL:
            before = self.previous(criterion, school, start)
            if before is None:
                return False, value, percentile, None
            return at_precision(before - value, digits) >= _exact(criterion.value), value, percentile, before
        _, compare, _ = _COMPARE[op]
        return compare(at_precision(value, digits), _exact(criterion.value)), value, percentile, criterion.value

    def previous(self, criterion: Criterion, school: int, start: int) -> float | None:
        """The school's counted value in the year before ``start`` (None: no data or too few)."""
        before = self.values.get((criterion.pk, start - 1), {}).get(school)
        if before is None or before[1] < criterion.min_participants:
            return None
        return before[0]

    def judge(self, criterion: Criterion, school: int, subject_name: str | None) -> Outcome:
        spec = BY_CODE[criterion.indicator]
        label = indicator_label(spec, subject_name, criterion.grade)
        held, value, percentile, threshold = self._holds(criterion, school, self.start_year)
        outcome = Outcome(criterion.pk, label, False, value, percentile, threshold)
        if value is None:
            outcome.text = f"{label}: нет данных (или меньше {criterion.min_participants} участников)"
            if self.max_interval_width is not None:
                outcome.text += f" или интервал шире {compact(self.max_interval_width)} п.п."
            return outcome
        shown = format_value(value, spec.unit)
        n = self.values[(criterion.pk, self.start_year)][school][1]
        if criterion.indicator == "isbsh":
            parts = decompose(self.isbsh_components.get((self.start_year, school), {}), self.isbsh_scale)
            if parts is not None and parts.counted():
                shown += f" (больше всего снижают: {explain(parts)})"
        if (criterion.pk, self.start_year, school) in self.pooled:
            # A small school's figure: several grades of one level pooled, said where it is read.
            shown += f" (объединённая группа параллелей, {n} уч.)"
            outcome.pooled = True
        if (criterion.pk, self.start_year, school) in self.two_years:
            # Too few even pooled by level: the year and the year before (the version's option).
            start = self.start_year
            shown += f" (объединено за 2 года: {start - 1}/{str(start)[-2:]} и {start}/{str(start + 1)[-2:]}, {n} уч.)"
            outcome.pooled = True
        digits = digits_of(spec.unit)
        no_previous = was_before = False
        if criterion.operator == Operator.ENTER_BOTTOM and held:
            if self.previous(criterion, school, self.start_year) is None:
                held, no_previous = False, True
            else:
                was_before, _, _, _ = self._holds(criterion, school, self.start_year - 1)
                held = not was_before
        years = [self.start_year] if held else []
        for back in range(1, max(criterion.consecutive_years, 1)):
            if not held:
                break
            held, _, _, _ = self._holds(criterion, school, self.start_year - back)
            if held:
                years.append(self.start_year - back)
        outcome.fired = held
        outcome.years = years if held else []
        pool = _POOL_GENITIVE[criterion.pool]
        op = criterion.operator
        if op in (Operator.BOTTOM, Operator.TOP, Operator.ENTER_BOTTOM):
            where = "нижних" if op != Operator.TOP else "верхних"
            limit = f" (порог {format_value(threshold, spec.unit)})" if threshold is not None else ""
            if held:
                first = "впервые " if op == Operator.ENTER_BOTTOM else ""
                outcome.text = (
                    f"{label} {shown} — {first}в {where} {compact(criterion.value)}% {pool}{limit}"
                    f"{_years_phrase(criterion.consecutive_years)}"
                )
            elif no_previous:
                outcome.text = (
                    f"{label} {shown} — в {where} {_fmt_number(criterion.value)}% {pool}{limit}, "
                    "но за прошлый год данных нет: «впервые» не установить"
                )
            elif was_before:
                outcome.text = (
                    f"{label} {shown} — в {where} {_fmt_number(criterion.value)}% {pool}{limit}, "
                    "но школа была там и год назад (не впервые)"
                )
            else:
                outcome.text = f"{label} {shown} — не в {where} {_fmt_number(criterion.value)}% {pool}{limit}"
        elif op in (Operator.RISE, Operator.FALL):
            if threshold is None:
                outcome.text = f"{label} {shown} — нет данных за прошлый год"
            else:
                change = at_precision(value - threshold, digits)
                was, limit = format_value(threshold, spec.unit), _fmt_number(criterion.value, digits)
                step = "п.п." if spec.is_share else spec.unit
                kind = "роста" if op == Operator.RISE else "снижения"
                if spec.is_share:
                    sign = "выросла" if change >= 0 else "снизилась"
                    moved = f"{sign} за год на {_fmt_number(abs(change), digits)} {step}"
                else:
                    moved = f"изменение за год {'+' if change >= 0 else '−'}{_fmt_number(abs(change), digits)} {step}"
                outcome.text = f"{label} {shown} — {moved} (было {was}; порог {kind} {limit} {step})"
        else:
            symbol, _, words = _COMPARE[op]
            verdict = words if held else f"не выполнено: {symbol}"
            outcome.text = (
                f"{label} {shown} — {verdict} {format_value(criterion.value, spec.unit)}"
                f"{_years_phrase(criterion.consecutive_years) if held else ''}"
            )
        return outcome
