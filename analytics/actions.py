"""Weak skills → action (issue #18, «Weak skills to action»).

A school's weak skills in a slice (below ``WEAK_BELOW`` % completion, or ``FAR_BELOW_PP`` points
under the municipality: ``analytics.selectors.SkillRow.weak``) drive suggestions, each with its
reason in Russian:

* partner schools of the municipality strong on the same skills (completion at least
  ``FAR_BELOW_PP`` above the municipality), the most shared strong skills first;
* events, КПК programmes and bank practices tagged with the skill, one of its КЭС codes or its
  section (``analytics.models.SkillTag``);
* a step of the ИОМ for the school's teachers of the subject;
* the next year's completion of the same skills, where it is loaded — whether it helped.

Reads only: suggestions are advice for a person, nothing is created from them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from analytics.models import SkillTag, TaskResult
from analytics.selectors import FAR_BELOW_PP, Analysis, SkillRow, SliceKey, catalogue_items, task_rows
from schools.models import AcademicYear, School


@dataclass
class Suggestion:
    kind: str
    title: str
    url: str
    reason: str


@dataclass
class FollowUp:
    skill: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class Suggestions:
    weak: list[SkillRow]
    items: list[Suggestion]
    follow_up: list[FollowUp]
    next_year: str = ""


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def _strong_partners(school: School, analysis: Analysis, weak: list[SkillRow]) -> list[Suggestion]:
    """Schools of the municipality whose completion of a weak skill is far above the municipality."""
    key = analysis.key
    tasks_of_skill = {row.name: set(row.tasks) for row in weak}
    max_of = {task.label: task.max_score for task in analysis.tasks}
    label_of = {task.number: task.label for task in analysis.tasks}
    sums: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    rows = TaskResult.objects.filter(
        level="school",
        school__municipality_id=school.municipality_id,
        year=key.year,
        procedure=key.procedure,
        subject=key.subject,
        grade=key.grade,
    ).exclude(school=school)
    for school_id, number, score, maximum in rows.values_list("school_id", "task_number", "score_sum", "max_sum"):
        label = label_of.get(number)
        for skill, labels in tasks_of_skill.items():
            if label in labels and label in max_of:
                sums[school_id][skill][0] += score
                sums[school_id][skill][1] += maximum
    ranked = []
    for school_id, by_skill in sums.items():
        strong = []
        for row in weak:
            score, maximum = by_skill.get(row.name, (0, 0))
            value = 100.0 * score / maximum if maximum else None
            if value is not None and row.municipality is not None and value >= row.municipality + FAR_BELOW_PP:
                strong.append((row, value))
        if strong:
            ranked.append((len(strong), sum(v for _, v in strong) / len(strong), school_id, strong))
    ranked.sort(key=lambda item: (-item[0], -item[1], item[2]))
    names = School.objects.in_bulk([item[2] for item in ranked[:3]])
    suggestions = []
    for _, _, school_id, strong in ranked[:3]:
        partner = names[school_id]
        strong.sort(key=lambda pair: pair[0].school if pair[0].school is not None else 0)
        reason = "; ".join(
            f"«{row.name}»: {_fmt(value)} % против {_fmt(row.school)} % у школы"
            f" (муниципалитет {_fmt(row.municipality)} %)"
            for row, value in strong[:3]
        )
        if len(strong) > 3:
            reason += f"; и ещё умений: {len(strong) - 3}"
        suggestions.append(
            Suggestion(
                "partner",
                f"Школа-партнёр: {partner.short_name}",
                "",  # the school's own staff may not open another school's card: named, not linked
                f"Сильна в тех же умениях — {reason}.",
            )
        )
    return suggestions


def _tagged(school: School, analysis: Analysis, weak: list[SkillRow]) -> list[Suggestion]:
    words: dict[str, SkillRow] = {}
    items = catalogue_items(analysis.key, school.municipality_id)
    for row in weak:
        words[row.name.lower()] = row
        for task_label in row.tasks:
            item = items.get(task_label)
            if item is None:
                continue
            for code in item.kes_codes:
                words.setdefault(code.lower(), row)
            if item.section:
                words.setdefault(item.section.lower(), row)
    if not words:
        return []
    tags = (
        SkillTag.objects.filter(Q(subject__isnull=True) | Q(subject=analysis.key.subject))
        .filter(
            Q(event__municipality_id=school.municipality_id)
            | Q(programme__municipality_id=school.municipality_id, programme__is_published=True)
            | Q(practice__municipality_id=school.municipality_id, practice__status="published")
        )
        .exclude(event__status="cancelled")
        .select_related("event", "programme", "practice")
    )
    found: dict[tuple[str, int], Suggestion] = {}
    for tag in tags:
        matched = words.get(tag.tag.strip().lower())
        if matched is None:
            continue
        if tag.event is not None:
            kind, pk, title = "event", tag.event.pk, f"Мероприятие: {tag.event.title}"
            url = reverse("events:detail", args=[pk])
        elif tag.programme is not None:
            kind, pk, title = "programme", tag.programme.pk, f"Программа КПК: {tag.programme.title}"
            url = reverse("events:programme_detail", args=[pk])
        elif tag.practice is not None:
            kind, pk, title = "practice", tag.practice.pk, f"Практика из банка: {tag.practice.title}"
            url = reverse("events:practice_detail", args=[pk])
        else:
            continue
        reason = (
            f"Посвящено умению «{matched.name}» (метка «{tag.tag}»): у школы {_fmt(matched.school)} %,"
            f" в муниципалитете {_fmt(matched.municipality)} %."
        )
        found.setdefault((kind, pk), Suggestion(kind, title, url, reason))
    order = {"event": 0, "programme": 1, "practice": 2}
    return sorted(found.values(), key=lambda s: (order[s.kind], s.title))


def _route_steps(school: School, analysis: Analysis, weak: list[SkillRow]) -> list[Suggestion]:
    from teachers.models import Teacher

    subject = analysis.key.subject.name.lower()
    teachers = [
        teacher
        for teacher in Teacher.objects.filter(school=school, is_active=True).order_by("last_name", "first_name")
        if subject in teacher.subjects.lower()
    ]
    skills = ", ".join(f"«{row.name}»" for row in weak[:3])
    return [
        Suggestion(
            "route",
            f"Шаг ИОМ: {teacher.last_name} {teacher.first_name[:1]}.",
            reverse("teachers:detail", args=[teacher.pk]),
            f"Учитель предмета «{analysis.key.subject.name}»: добавить в маршрут работу над умениями {skills}.",
        )
        for teacher in teachers[:5]
    ]


def _follow_up(school: School, analysis: Analysis, weak: list[SkillRow]) -> tuple[list[FollowUp], str]:
    """The same skills in the next year's test of the same grade, where loaded."""
    key = analysis.key
    following = AcademicYear.objects.filter(start_year=key.year.start_year + 1).first()
    if following is None:
        return [], ""
    later = SliceKey(following, key.procedure, key.subject, key.grade)
    _, tasks = task_rows(later, school, school.municipality)
    if not tasks:
        return [], ""
    from analytics.selectors import skills_of

    after = {row.name: row.school for row in skills_of(tasks)}
    return [FollowUp(row.name, row.school, after.get(row.name)) for row in weak], later.title


def suggestions_for(*, school: School, analysis: Analysis) -> Suggestions:
    weak = [row for row in analysis.skills if row.weak]
    if not weak:
        return Suggestions([], [], [])
    items = (
        _strong_partners(school, analysis, weak)
        + _tagged(school, analysis, weak)
        + _route_steps(school, analysis, weak)
    )
    follow_up, next_year = _follow_up(school, analysis, weak)
    return Suggestions(weak, items, follow_up, next_year)
