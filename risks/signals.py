"""Objectivity signals computed from the current participant results, set-based.

A handful of queries per year, whatever the number of rows: per (school, subject, grade) counts of
ВПР marks against the journal (or the imported «сравнение с журналом» report where there are no
participant rows); the lowest primary score that got each mark (the boundaries, from the
data of the whole year); the counts at and around those boundaries per school; the mean ВПР and
ОГЭ mark per (school, subject). Python then walks the aggregates (a few rows per school), never
the result rows. Rules and thresholds: ``risks.rules``.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_

from django.db.models import Avg, Count, F, Min, Q

from core.text import number as fmt_number
from monitoring.models import CURRENT, ParticipantResult, Procedure, SchoolAggregate, Subject
from risks import rules
from risks.models import SignalKind
from schools.models import AcademicYear, School

TWO = Decimal("0.01")


def dec(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(TWO, rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal:
    return dec(Decimal(100) * part / whole) if whole else Decimal(0)


@dataclass
class Found:
    """One signal as computed (not yet stored)."""

    school_id: int
    kind: str
    subject_id: int | None
    grade: int
    value: Decimal
    reference: Decimal | None
    participants: int
    explanation: str
    details: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return (self.school_id, self.kind, self.subject_id, self.grade)


def _slice_name(subjects: dict[int, str], subject_id: int, grade: int) -> str:
    name = subjects.get(subject_id, "предмет")
    return f"ВПР, {name}, {grade} класс" if grade else name


def compute_signals(*, year: AcademicYear, school_ids: list[int] | None = None) -> list[Found]:
    """Signals of the schools (all with results in the year when ``school_ids`` is None)."""
    base = ParticipantResult.objects.filter(CURRENT, year=year)
    vpr = base.filter(procedure=Procedure.VPR)
    subjects = dict(Subject.objects.values_list("pk", "name"))
    wanted = set(school_ids) if school_ids is not None else None
    found: list[Found] = []

    # --- 1, 2: ВПР against the journal; the municipality's figures are the sum of its schools'.
    pairs = vpr.filter(mark__isnull=False, journal_mark__isnull=False)
    if wanted is not None:
        municipalities = School.objects.filter(pk__in=wanted).values("municipality_id")
        pairs = pairs.filter(school__municipality_id__in=municipalities)
    rows = list(
        pairs.values("school_id", "school__municipality_id", "subject_id", "grade").annotate(
            n=Count("id"),
            raised=Count("id", filter=Q(mark__gt=F("journal_mark"))),
            gap_up=Count("id", filter=Q(mark__gte=F("journal_mark") + rules.GAP_MIN_MARKS)),
            gap_down=Count("id", filter=Q(journal_mark__gte=F("mark") + rules.GAP_MIN_MARKS)),
        )
    )
    # Slices without participant rows may come as imported reports («Сравнение отметок с отметками по
    # журналу»): they give the raised share, not the gaps.
    have = {(r["school_id"], r["subject_id"], r["grade"]) for r in rows}
    aggregates = SchoolAggregate.objects.filter(
        CURRENT, year=year, procedure=Procedure.VPR, source=SchoolAggregate.Source.IMPORTED, raised__isnull=False
    )
    if wanted is not None:
        aggregates = aggregates.filter(school__municipality_id__in=municipalities)
    for a in aggregates.values(
        "school_id", "school__municipality_id", "subject_id", "grade", "lowered", "confirmed", "raised"
    ):
        if (a["school_id"], a["subject_id"], a["grade"]) not in have:
            n = (a["lowered"] or 0) + (a["confirmed"] or 0) + a["raised"]
            rows.append(a | {"n": n, "gap_up": None, "gap_down": None, "from_report": True})
    municipal: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        totals = municipal[(r["school__municipality_id"], r["subject_id"], r["grade"])]
        totals[0] += r["n"]
        totals[1] += r["raised"]
    for r in rows:
        if (wanted is not None and r["school_id"] not in wanted) or r["n"] < rules.MIN_GROUP:
            continue
        name = _slice_name(subjects, r["subject_id"], r["grade"])
        share = percent(r["raised"], r["n"])
        m_n, m_raised = municipal[(r["school__municipality_id"], r["subject_id"], r["grade"])]
        m_share = percent(m_raised, m_n)
        # The test: how likely is this many raised or more among the school's n, were its pupils
        # raised as often as in the rest of the municipality (the school itself left out)?
        rest_n, rest_raised = m_n - r["n"], m_raised - r["raised"]
        chance = binomial_tail(r["raised"], r["n"], rest_raised / rest_n) if rest_n >= rules.MIN_GROUP else None
        if (
            share >= rules.RAISED_MIN_SHARE
            and share - m_share >= rules.RAISED_MARGIN_PP
            and chance is not None
            and chance < rules.RAISED_MAX_CHANCE
        ):
            found.append(
                Found(
                    r["school_id"],
                    SignalKind.RAISED_SHARE,
                    r["subject_id"],
                    r["grade"],
                    share,
                    m_share,
                    r["n"],
                    f"{name}: отметку по ВПР выше отметки по журналу получили {r['raised']} из {r['n']} "
                    f"({fmt_number(share, 1, '%')}) — в муниципалитете {fmt_number(m_share, 1, '%')}, "
                    f"разница {fmt_number(share - m_share, 1)} п. п. (порог {fmt_number(rules.RAISED_MARGIN_PP, 0)}); "
                    f"в остальных школах муниципалитета {rest_raised} из {rest_n} "
                    f"({fmt_number(percent(rest_raised, rest_n), 1, '%')}): при такой доле {r['raised']} и более "
                    f"из {r['n']} случайно — {_chance_phrase(chance)} "
                    f"(порог — реже 1 раза из {round(1 / rules.RAISED_MAX_CHANCE)}).",
                    {
                        "raised": r["raised"],
                        "participants": r["n"],
                        "municipal_raised": m_raised,
                        "municipal": m_n,
                        "rest_raised": rest_raised,
                        "rest": rest_n,
                        "chance": chance,
                    },
                )
            )
        if r.get("from_report"):
            continue
        gaps = r["gap_up"] + r["gap_down"]
        gap_share = percent(gaps, r["n"])
        if gaps >= rules.GAP_MIN_COUNT and gap_share >= rules.GAP_MIN_SHARE:
            found.append(
                Found(
                    r["school_id"],
                    SignalKind.MARK_GAP,
                    r["subject_id"],
                    r["grade"],
                    gap_share,
                    None,
                    r["n"],
                    f"{name}: у {gaps} из {r['n']} участников ({fmt_number(gap_share, 1, '%')}) отметка по ВПР "
                    f"и по журналу расходятся на {rules.GAP_MIN_MARKS} балла и более: ВПР выше — {r['gap_up']}, "
                    f"ниже — {r['gap_down']}.",
                    {"gap_up": r["gap_up"], "gap_down": r["gap_down"], "participants": r["n"]},
                )
            )

    found.extend(_boundary_peaks(vpr=vpr, wanted=wanted, subjects=subjects))
    found.extend(_vpr_above_oge(base=base, wanted=wanted, subjects=subjects, year=year))
    found.extend(_easy_below_hard(year=year, wanted=wanted, subjects=subjects))
    return found


def _chance_phrase(chance: float) -> str:
    """«1 раз из 2 300» — a small probability as people read it."""
    if chance <= 0:
        return "практически невозможно"
    return f"1 раз из {fmt_number(Decimal(round(1 / chance)), 0)}"


def binomial_tail(count: int, trials: int, p: float) -> float:
    """P(X ≥ count) for X ~ Binomial(trials, p)."""
    if count <= 0:
        return 1.0
    if p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    return min(1.0, sum(math.comb(trials, k) * p**k * (1 - p) ** (trials - k) for k in range(count, trials + 1)))


def _boundary_peaks(*, vpr, wanted: set[int] | None, subjects: dict[int, str]) -> list[Found]:
    # Boundaries from the data: the lowest primary score that got each mark, over every school.
    lowest: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for r in vpr.filter(mark__isnull=False).values("subject_id", "grade", "mark").annotate(lo=Min("primary_score")):
        lowest[(r["subject_id"], r["grade"])][r["mark"]] = r["lo"]
    boundaries: dict[tuple[int, int], dict[int, int]] = {}  # slice → {boundary score: mark}
    for key, by_mark in lowest.items():
        marks = sorted(by_mark)
        # A mark's lowest score is a boundary only if it lies above the lower mark's lowest score.
        b = {by_mark[m]: m for prev, m in itertools.pairwise(marks) if by_mark[m] > by_mark[prev]}
        if b:
            boundaries[key] = b
    if not boundaries:
        return []
    around = reduce(
        or_,
        (
            Q(subject_id=s, grade=g, primary_score__in=sorted({x + d for x in b for d in range(-2, 3)}))
            for (s, g), b in boundaries.items()
        ),
    )
    # How common each boundary score is over the whole year's participants of the slice: the
    # school's count is tested against that share, not against its own (noisy) neighbours alone.
    slice_totals = {
        (r["subject_id"], r["grade"]): r["n"] for r in vpr.values("subject_id", "grade").annotate(n=Count("id"))
    }
    at_boundary = reduce(
        or_, (Q(subject_id=s, grade=g, primary_score__in=sorted(b)) for (s, g), b in boundaries.items())
    )
    share_at = {
        (r["subject_id"], r["grade"], r["primary_score"]): r["c"] / slice_totals[(r["subject_id"], r["grade"])]
        for r in vpr.filter(at_boundary).values("subject_id", "grade", "primary_score").annotate(c=Count("id"))
    }
    scoped = vpr if wanted is None else vpr.filter(school_id__in=wanted)
    totals = {
        (r["school_id"], r["subject_id"], r["grade"]): r["n"]
        for r in scoped.values("school_id", "subject_id", "grade").annotate(n=Count("id"))
    }
    counts: dict[tuple, dict[int, int]] = defaultdict(dict)
    for r in scoped.filter(around).values("school_id", "subject_id", "grade", "primary_score").annotate(c=Count("id")):
        counts[(r["school_id"], r["subject_id"], r["grade"])][r["primary_score"]] = r["c"]
    found = []
    for (school_id, subject_id, grade), at in counts.items():
        n = totals.get((school_id, subject_id, grade), 0)
        if n < rules.MIN_GROUP:
            continue
        peaks = []
        for score, mark in sorted(boundaries[(subject_id, grade)].items()):
            c = at.get(score, 0)
            # Expected count: the mean of two scores on each side (one each side is too noisy in a class).
            neighbours = sum(at.get(score + d, 0) for d in (-2, -1, 1, 2)) / 4
            ratio = Decimal(c) / Decimal(str(max(neighbours, 0.5)))
            share = share_at.get((subject_id, grade, score), 0.0)
            if (
                c >= rules.PEAK_MIN_COUNT
                and ratio >= rules.PEAK_RATIO
                and binomial_tail(c, n, share) < rules.PEAK_MAX_CHANCE
            ):
                peaks.append(
                    {
                        "mark": mark,
                        "score": score,
                        "count": c,
                        "below": at.get(score - 1, 0),
                        "above": at.get(score + 1, 0),
                        "expected": neighbours,
                        "year_share": round(share * 100, 1),
                        "ratio": float(dec(ratio)),
                    }
                )
        if not peaks:
            continue
        name = _slice_name(subjects, subject_id, grade)
        parts = [
            f"на границе «{p['mark']}» ({p['score']} б.) — {p['count']} чел., на баллах рядом {p['below']} и "
            f"{p['above']} (в среднем по двум баллам с каждой стороны {fmt_number(p['expected'], 1)}; "
            f"у всех участников года на этом балле {fmt_number(p['year_share'], 1, '%')})"
            for p in peaks
        ]
        found.append(
            Found(
                school_id,
                SignalKind.BOUNDARY_PEAK,
                subject_id,
                grade,
                dec(max(p["ratio"] for p in peaks)),
                None,
                n,
                f"{name}: пик распределения первичных баллов у границы отметки: {'; '.join(parts)} "
                f"(порог: в {fmt_number(rules.PEAK_RATIO, 1)} раза больше среднего соседних баллов, и при доле "
                f"этого балла по всем участникам случайно реже 1 раза из {round(1 / rules.PEAK_MAX_CHANCE)}).",
                {"peaks": peaks, "participants": n},
            )
        )
    return found


# The ОГЭ cohort's earlier ВПР: (years back, grade) — grade 9 in year Y was in grade 8 in Y − 1, …
COHORT_VPR = ((1, 8), (2, 7), (3, 6), (4, 5))


def _vpr_above_oge(*, base, wanted: set[int] | None, subjects: dict[int, str], year: AcademicYear) -> list[Found]:
    """ОГЭ of grade 9 in ``year`` against the same cohort's ВПР in the school in an earlier year
    (the latest of grade 8 a year before … grade 5 four years before with a group): one cohort,
    not two different classes of the same year (issue #19)."""
    oge = base.filter(mark__isnull=False, procedure=Procedure.OGE, grade=9)
    cohort = Q()
    for back, grade in COHORT_VPR:
        cohort |= Q(year__start_year=year.start_year - back, grade=grade)
    vpr = ParticipantResult.objects.filter(CURRENT, cohort, procedure=Procedure.VPR, mark__isnull=False)
    if wanted is not None:
        oge, vpr = oge.filter(school_id__in=wanted), vpr.filter(school_id__in=wanted)
    oge_means = {
        (r["school_id"], r["subject_id"]): (r["mean"], r["n"])
        for r in oge.values("school_id", "subject_id").annotate(mean=Avg("mark"), n=Count("id"))
    }
    if not oge_means:
        return []
    earlier: dict[tuple[int, int], tuple[int, int, float, int]] = {}  # → (start year, grade, mean, n)
    for r in vpr.values("school_id", "subject_id", "year__start_year", "grade").annotate(
        mean=Avg("mark"), n=Count("id")
    ):
        key = (r["school_id"], r["subject_id"])
        if key not in oge_means or r["n"] < rules.MIN_GROUP:
            continue
        if key not in earlier or r["year__start_year"] > earlier[key][0]:
            earlier[key] = (r["year__start_year"], r["grade"], r["mean"], r["n"])
    found = []
    for (school_id, subject_id), (oge_mean, oge_n) in oge_means.items():
        if (school_id, subject_id) not in earlier or oge_n < rules.MIN_GROUP:
            continue
        start, grade, vpr_mean, vpr_n = earlier[(school_id, subject_id)]
        vpr_mean, oge_mean = dec(vpr_mean), dec(oge_mean)
        if vpr_mean - oge_mean >= rules.VPR_OVER_OGE_MARKS:
            name = subjects.get(subject_id, "предмет")
            found.append(
                Found(
                    school_id,
                    SignalKind.VPR_ABOVE_OGE,
                    subject_id,
                    0,
                    vpr_mean,
                    oge_mean,
                    vpr_n,
                    f"{name}: этот выпуск 9 класса в {start}/{start + 1} учебном году писал ВПР в {grade} "
                    f"классе со средней отметкой {fmt_number(vpr_mean, 2)} ({vpr_n} уч.), а ОГЭ сдал со средней "
                    f"{fmt_number(oge_mean, 2)} ({oge_n} уч.): ниже на {fmt_number(vpr_mean - oge_mean, 2)} "
                    f"(порог {fmt_number(rules.VPR_OVER_OGE_MARKS, 1)}).",
                    {
                        "vpr_mean": float(vpr_mean),
                        "vpr_n": vpr_n,
                        "vpr_year": start,
                        "vpr_grade": grade,
                        "oge_mean": float(oge_mean),
                        "oge_n": oge_n,
                    },
                )
            )
    return found


def _easy_below_hard(*, year: AcademicYear, wanted: set[int] | None, subjects: dict[int, str]) -> list[Found]:
    """The Рособрнадзор marker: in a school's ВПР slice the tasks of basic difficulty («Б») are
    done worse than those of advanced and high difficulty («П», «В») — pupils who manage the hard
    tasks and fail the easy ones point to answers that were not their own. From the per-task
    sums the recompute keeps (analytics.TaskResult) and the difficulty of each task kept with
    the test's structure on import. Two queries."""
    from analytics.models import TaskResult
    from monitoring.models import AssessmentTask, Difficulty

    level_of = {
        (subject, grade, number): ("basic" if difficulty == Difficulty.BASIC else "hard")
        for subject, grade, number, difficulty in AssessmentTask.objects.filter(
            structure__year=year, structure__procedure=Procedure.VPR, structure__variant=""
        )
        .exclude(difficulty="")
        .values_list("structure__subject_id", "structure__grade", "number", "difficulty")
    }
    if not level_of:
        return []
    results = TaskResult.objects.filter(year=year, procedure=Procedure.VPR, level="school")
    if wanted is not None:
        results = results.filter(school_id__in=wanted)
    sums: dict[tuple[int, int, int], dict] = defaultdict(lambda: {"basic": [0, 0, 0], "hard": [0, 0, 0], "n": 0})
    for school_id, subject_id, grade, number, score, maximum, n in results.values_list(
        "school_id", "subject_id", "grade", "task_number", "score_sum", "max_sum", "participants"
    ):
        level = level_of.get((subject_id, grade, number))
        if level is None:
            continue
        group = sums[(school_id, subject_id, grade)]
        group[level][0] += score
        group[level][1] += maximum
        group[level][2] += 1
        group["n"] = max(group["n"], n)
    found = []
    for (school_id, subject_id, grade), group in sorted(sums.items()):
        (b_score, b_max, b_tasks), (h_score, h_max, h_tasks) = group["basic"], group["hard"]
        if group["n"] < rules.MIN_GROUP or not b_max or not h_max:
            continue
        basic, hard = percent(b_score, b_max), percent(h_score, h_max)
        if hard - basic >= rules.EASY_BELOW_HARD_PP:
            found.append(
                Found(
                    school_id,
                    SignalKind.EASY_BELOW_HARD,
                    subject_id,
                    grade,
                    basic,
                    hard,
                    group["n"],
                    f"{_slice_name(subjects, subject_id, grade)}: задания базового уровня ({b_tasks}) выполнены на "
                    f"{fmt_number(basic, 1, '%')}, а повышенного и высокого ({h_tasks}) — на "
                    f"{fmt_number(hard, 1, '%')} ({group['n']} уч.): трудные выполнены лучше лёгких "
                    f"(порог — на {fmt_number(rules.EASY_BELOW_HARD_PP, 0)} п. п.).",
                    {
                        "basic_score": b_score,
                        "basic_max": b_max,
                        "hard_score": h_score,
                        "hard_max": h_max,
                        "participants": group["n"],
                    },
                )
            )
    return found
