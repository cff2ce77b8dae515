"""Figures of one group of participants, with their reliability (issue #18, «honest figures»).

Every share shown carries its participant count and a Wilson score interval (95 %): for a
school of 6 pupils «успеваемость 83 %» reads «83 % [44–97], 6 уч.», which says how little it
means. Wilson rather than the normal approximation because it stays inside 0–100 % and is
sensible at p = 0 or 1 and small n (Brown, Cai, DasGupta, «Interval Estimation for a
Binomial Proportion», Statistical Science 16(2), 2001).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of a share, in per cent; None without participants."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, 100 * (centre - half)), min(100.0, 100 * (centre + half))


@dataclass(frozen=True)
class Share:
    """A share of participants: value in per cent, the count behind it, its Wilson interval."""

    successes: int
    n: int

    @property
    def value(self) -> float | None:
        return 100.0 * self.successes / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.successes, self.n)

    @property
    def width(self) -> float | None:
        interval = self.interval
        return interval[1] - interval[0] if interval else None


def pct1(value: float | None) -> float | None:
    """Per cent rounded to one decimal place, half away from zero (as the export prints it)."""
    if value is None:
        return None
    return math.floor(abs(value) * 10 + 0.5) / 10 * (1 if value >= 0 else -1)


@dataclass(frozen=True)
class MarkFigures:
    """Marks of one group: counts, shares, успеваемость (≥ «3») and качество («4» and «5»)."""

    n: int
    mark_2: int
    mark_3: int
    mark_4: int
    mark_5: int
    score_sum: int = 0
    pooled_label: str = ""  # «5–8 кл.» when grades were pooled
    two_years: bool = False  # pooled with the year before («объединено за 2 года»)

    @classmethod
    def of(cls, row, pooled_label: str = "") -> MarkFigures:
        return cls(
            row.participants,
            row.mark_2,
            row.mark_3,
            row.mark_4,
            row.mark_5,
            row.score_sum,
            pooled_label,
            bool(getattr(row, "two_years", False)),
        )

    def share(self, mark: int) -> Share:
        return Share(getattr(self, f"mark_{mark}"), self.n)

    @property
    def twos(self) -> Share:
        """The share of «2»."""
        return self.share(2)

    @property
    def success(self) -> Share:
        """Успеваемость: the share of marks «3», «4» and «5»."""
        return Share(self.mark_3 + self.mark_4 + self.mark_5, self.n)

    @property
    def quality(self) -> Share:
        """Качество: the share of marks «4» and «5»."""
        return Share(self.mark_4 + self.mark_5, self.n)

    @property
    def mean_mark(self) -> float | None:
        if not self.n:
            return None
        return (2 * self.mark_2 + 3 * self.mark_3 + 4 * self.mark_4 + 5 * self.mark_5) / self.n

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.n if self.n else None

    @property
    def pooled(self) -> bool:
        return bool(self.pooled_label)

    @property
    def pool_text(self) -> str:
        """How the pool is marked wherever it is shown (pages, tables, the passport)."""
        if not self.pooled:
            return ""
        return f"объединено за 2 года: {self.pooled_label}" if self.two_years else f"объединено: {self.pooled_label}"

    @property
    def small(self) -> bool:
        from analytics.aggregates import MIN_GROUP

        return self.n < MIN_GROUP
