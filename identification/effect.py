"""Effect of the support: supported schools' change against similar unsupported schools.

Difference-in-differences with a matched comparison group (seeds 001–003 ask for an
«оценка результативности»). For each supported school (ШНОР/ШССУ in the programme year) the
``k`` most similar unsupported schools are found before the support started — the same school
type where possible, nearest on the standardised ИСБШ components, size and the starting level
of the outcome. A school's difference is its own change minus the mean change of its matches;
the effect is the mean of these differences, with a t interval (95 %) over the supported
schools. The pages say how many schools stand behind each figure; with fewer than
``MIN_TREATED`` supported schools no interval is given (the figure is shown as too thin).

Pure functions here (tested on constructed data with a planted effect); the selector that
reads the stored indicators is ``identification.selectors.support_effect``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

MIN_TREATED = 3
MATCHES = 2

# Two-sided 95 % quantiles of Student's t by degrees of freedom (1–30); beyond, the normal 1.96.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t975(df: int) -> float:
    return _T975[df - 1] if 1 <= df <= len(_T975) else 1.96


@dataclass(frozen=True)
class Unit:
    """A school with its outcome before and after and its matching features."""

    school_id: int
    before: float
    after: float
    kind: str  # school type: matched exactly where possible
    features: tuple[float | None, ...]  # ИСБШ components, size, starting level

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass
class Estimate:
    effect: float | None
    low: float | None
    high: float | None
    treated_change: float | None
    control_change: float | None
    n_treated: int
    n_control: int
    pairs: dict[int, list[int]] = field(default_factory=dict)

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None

    @property
    def significant(self) -> bool:
        return self.has_interval and (self.high < 0 or self.low > 0)  # type: ignore[operator]


def _standardise(units: Sequence[Unit]) -> dict[int, list[float]]:
    """Features as z-scores over all units; a missing feature counts as the mean (0)."""
    scores = _score_matrix(units)
    return {u.school_id: scores[row].tolist() for row, u in enumerate(units)}


def _score_matrix(units: Sequence[Unit]) -> np.ndarray:
    """The z-scores of ``_standardise``, one row per unit in order.

    Per feature: the mean and the population standard deviation of the values present (a
    feature with one value or none, or no spread, is divided by 1)."""
    width = len(units[0].features) if units else 0
    if not units:
        return np.zeros((0, width))
    width = len(units[0].features)
    raw = np.array([[np.nan if value is None else value for value in u.features] for u in units], dtype=float).reshape(
        len(units), width
    )
    present = ~np.isnan(raw)
    counts = present.sum(axis=0)
    filled = np.where(present, raw, 0.0)
    mean = np.divide(filled.sum(axis=0), counts, out=np.zeros(width), where=counts > 0)
    deviations = np.where(present, raw - mean, 0.0)
    spread = np.sqrt(np.divide((deviations**2).sum(axis=0), counts, out=np.zeros(width), where=counts > 1))
    spread[spread == 0] = 1.0
    return np.where(present, (raw - mean) / spread, 0.0)


def match(treated: Sequence[Unit], pool: Sequence[Unit], k: int = MATCHES) -> dict[int, list[int]]:
    """Each treated school → its ``k`` nearest pool schools (same type first), with replacement;
    ties in distance go to the lower school id.

    Distances of one treated school to its candidates are one array operation (a region's
    dashboard matches hundreds of supported schools against a couple of thousand others on
    every view: sorting all of them in Python per school cost most of the page, issue #20)."""
    if not pool:
        return {unit.school_id: [] for unit in treated}
    scores = _score_matrix([*treated, *pool])
    treated_scores, pool_scores = scores[: len(treated)], scores[len(treated) :]
    pool_ids = np.array([p.school_id for p in pool], dtype=np.int64)
    pairs: dict[int, list[int]] = {}
    by_kind: dict[str, list[int]] = {}
    for position, unit in enumerate(pool):
        by_kind.setdefault(unit.kind, []).append(position)
    everyone = np.arange(len(pool))
    kinds = {kind: np.array(positions) for kind, positions in by_kind.items()}
    for row, unit in enumerate(treated):
        same = kinds.get(unit.kind)
        candidates = same if same is not None and len(same) >= k else everyone
        here = treated_scores[row]
        distances = np.sqrt(((pool_scores[candidates] - here) ** 2).sum(axis=1))
        ids = pool_ids[candidates]
        nearest = np.lexsort((ids, distances))[:k]  # by distance, then by school id
        pairs[unit.school_id] = [int(pk) for pk in ids[nearest]]
    return pairs


def did_estimate(treated: Sequence[Unit], pool: Sequence[Unit], k: int = MATCHES) -> Estimate:
    """Matched difference-in-differences of the outcome's change (see the module docstring)."""
    if not treated or not pool:
        return Estimate(None, None, None, None, None, len(treated), 0)
    pairs = match(treated, pool, k)
    by_id = {p.school_id: p for p in pool}
    differences, control_changes = [], []
    for unit in treated:
        matched = statistics.fmean(by_id[pk].change for pk in pairs[unit.school_id])
        control_changes.append(matched)
        differences.append(unit.change - matched)
    effect = statistics.fmean(differences)
    low = high = None
    n = len(differences)
    if n >= MIN_TREATED:
        half = t975(n - 1) * statistics.stdev(differences) / math.sqrt(n)
        low, high = effect - half, effect + half
    used = {pk for ids in pairs.values() for pk in ids}
    return Estimate(
        effect=effect,
        low=low,
        high=high,
        treated_change=statistics.fmean(u.change for u in treated),
        control_change=statistics.fmean(control_changes),
        n_treated=n,
        n_control=len(used),
        pairs=pairs,
    )
