"""ИСБШ explained: its weights and scaling belong to a methodology version, and every figure of
the index can be taken apart into what each factor contributes (issue #19, item 5).

The index: ИСБШ = 100 − Σ wᵢ·xᵢ / Σ wᵢ over the factors with data, where xᵢ is the factor's
«difficulty» in 0–100 — an adverse share as it is, a favourable one inverted (100 − share of
parents with higher education), a rural school 100, a small school 100·(1 − contingent / N)
below N pupils (N is the version's scaling; 500 by default, so 100 − contingent / 5).

A factor's contribution is wᵢ·xᵢ / Σ wᵢ points: the contributions add up to 100 − ИСБШ, the
«social difficulty» the index measures; its share is that contribution over their sum.

The recompute stores the index by the reference scale (the catalogue's default weights,
``REFERENCE``); a version whose weights or scaling differ has its runs compute the index from
the stored components (``identification.engine``) with this same function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from identification.catalogue import ISBSH_FACTORS

# Stored indicator values the index is made of (school-wide, subject and grade empty).
COMPONENTS: tuple[str, ...] = (
    "low_income_share",
    "ovz_share",
    "non_native_share",
    "single_parent_share",
    "preventive_share",
    "parents_higher_ed",
    "rural",
    "contingent",
)
# The factor as the difficulty it measures (a favourable share is read inverted).
NAMES: dict[str, str] = {
    **{code: name for code, name, _, _ in ISBSH_FACTORS},
    "parents_higher_ed": "Родители без высшего образования",
    "small_school": "Малочисленная школа",
}
DEFAULT_SMALL_SCHOOL = 500


@dataclass(frozen=True)
class Scale:
    """The weights (factor → weight) and the small-school size of one methodology version."""

    weights: tuple[tuple[str, float], ...]
    small_school: int = DEFAULT_SMALL_SCHOOL

    @classmethod
    def of(cls, weights: Mapping[str, float] | None = None, small_school: int | None = None) -> Scale:
        """Factors not given keep the catalogue's default weight."""
        given = weights or {}
        return cls(
            tuple((code, float(given.get(code, default))) for code, _, default, _ in ISBSH_FACTORS),
            int(small_school or DEFAULT_SMALL_SCHOOL),
        )

    def weight(self, code: str) -> float:
        return dict(self.weights)[code]


REFERENCE = Scale.of()


def scale_of(version) -> Scale:
    """The scale of a ``MethodologyVersion``."""
    return Scale.of(version.isbsh_weights, version.isbsh_small_school)


def difficulties(
    values: Mapping[str, float | None], small_school: int = DEFAULT_SMALL_SCHOOL
) -> dict[str, float | None]:
    """Each factor's difficulty in 0–100 from the stored component values (None: no data)."""

    def get(code: str) -> float | None:
        return values.get(code)

    contingent = get("contingent")
    parents = get("parents_higher_ed")
    small = None
    if contingent is not None:
        small = 0.0 if contingent >= small_school else 100.0 - contingent * 100.0 / small_school
    return {
        "low_income_share": get("low_income_share"),
        "ovz_share": get("ovz_share"),
        "non_native_share": get("non_native_share"),
        "single_parent_share": get("single_parent_share"),
        "preventive_share": get("preventive_share"),
        "parents_higher_ed": None if parents is None else 100.0 - parents,
        "rural": get("rural"),
        "small_school": small,
    }


@dataclass(frozen=True)
class Part:
    code: str
    name: str
    difficulty: float | None  # None: no data, the factor is left out
    weight: float
    contribution: float  # points of 100 − ИСБШ
    share: float  # % of 100 − ИСБШ (0 when the index shows no difficulty at all)


@dataclass(frozen=True)
class Decomposition:
    index: float
    difficulty: float  # 100 − index = Σ contributions
    parts: tuple[Part, ...]

    def counted(self) -> list[Part]:
        """Factors with data and a weight, the largest contribution first."""
        return sorted(
            (p for p in self.parts if p.difficulty is not None and p.weight > 0), key=lambda p: -p.contribution
        )


def decompose(values: Mapping[str, float | None], scale: Scale = REFERENCE) -> Decomposition | None:
    """The index and each factor's contribution; None when no weighted factor has data."""
    x = difficulties(values, scale.small_school)
    counted = [(code, weight) for code, weight in scale.weights if weight > 0 and x[code] is not None]
    total_weight = sum(weight for _, weight in counted)
    if total_weight <= 0:
        return None
    # The same order of operations as the recompute's SQL: 100 − (Σ w·x) / (Σ w).
    weighted = sum(weight * x[code] for code, weight in counted)  # type: ignore[operator]
    difficulty = weighted / total_weight
    parts = []
    for code, weight in scale.weights:
        value = x[code]
        contribution = weight * value / total_weight if value is not None and weight > 0 else 0.0
        parts.append(
            Part(
                code, NAMES[code], value, weight, contribution, 100.0 * contribution / difficulty if difficulty else 0.0
            )
        )
    return Decomposition(100.0 - difficulty, difficulty, tuple(parts))


def shares_in_data(
    rows: Iterable[Mapping[str, float | None]], scale: Scale = REFERENCE
) -> tuple[int, list[tuple[str, str, float]]]:
    """What share of the index's difficulty each factor drives over many schools: the sum of its
    contributions over the sum of all contributions. Returns (schools counted, [(code, name, %)])."""
    totals = dict.fromkeys(NAMES, 0.0)
    schools = 0
    for values in rows:
        parts = decompose(values, scale)
        if parts is None:
            continue
        schools += 1
        for part in parts.parts:
            totals[part.code] += part.contribution
    whole = sum(totals.values())
    return schools, [(code, NAMES[code], 100.0 * totals[code] / whole if whole else 0.0) for code in NAMES]


def explain(decomposition: Decomposition, *, top: int = 3) -> str:
    """«сельская местность 7,7 (38 %), малочисленность 6,2 (31 %), …» — the largest contributions."""
    from identification.catalogue import format_value

    parts = decomposition.counted()[:top]
    return ", ".join(f"{p.name.lower()} −{format_value(p.contribution, 'балл')} ({round(p.share)} %)" for p in parts)
