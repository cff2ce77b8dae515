"""Reads of the results analytics, already scoped to the user (404 outside the scope).

One selector per figure (DESIGN.md §8): the pages, their XLSX and ``export_task_analysis``
read the same functions, so a page and a file never disagree. Every read is a bounded number
of queries over the figures stored by ``analytics.aggregates`` — nothing aggregates
participant rows here except the primary-score histogram of one school slice (one indexed
GROUP BY over that school's rows).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from analytics.models import MarkResult, TaskCatalogueItem, TaskResult
from analytics.stats import MarkFigures
from monitoring.models import (
    CURRENT,
    AreaMarkStat,
    AssessmentStructure,
    AssessmentTask,
    ParticipantResult,
    Procedure,
    Subject,
)
from schools.models import AcademicYear, Municipality, School
from schools.scopes import municipalities_for, schools_for

# A task (or skill) is «far below» when the school's completion is this many percentage points
# under the municipality's; a skill is «weak» under this completion. Both are settings.
FAR_BELOW_PP = float(getattr(settings, "ANALYTICS_FAR_BELOW_PP", 10))
WEAK_BELOW = float(getattr(settings, "ANALYTICS_WEAK_BELOW", 50))


@dataclass(frozen=True)
class SliceKey:
    year: AcademicYear
    procedure: str
    subject: Subject
    grade: int

    @property
    def title(self) -> str:
        return f"{Procedure(self.procedure).label} {self.year.start_year + 1}, {self.subject.name}, {self.grade} кл."

    def query(self) -> str:
        return f"year={self.year.start_year}&procedure={self.procedure}&subject={self.subject.code}&grade={self.grade}"


def school_get(*, user: User, pk: int) -> School:
    return get_object_or_404(schools_for(user).select_related("municipality__region", "organisation"), pk=pk)


def municipality_get(*, user: User, pk: int) -> Municipality:
    return get_object_or_404(municipalities_for(user), pk=pk)


def slices_of(*, school: School | None = None, municipality: Municipality | None = None) -> list[SliceKey]:
    """Slices with figures for the school (or municipality), newest year first."""
    qs = MarkResult.objects.filter(grade_to__isnull=True)
    qs = (
        qs.filter(level="school", school=school)
        if school
        else qs.filter(level="municipality", municipality=municipality)
    )
    rows = qs.values_list("year", "procedure", "subject", "grade").distinct()
    years = {y.pk: y for y in AcademicYear.objects.filter(pk__in={r[0] for r in rows})}
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in={r[2] for r in rows})}
    keys = [SliceKey(years[y], p, subjects[s], g) for y, p, s, g in rows]
    return sorted(keys, key=lambda k: (-k.year.start_year, k.procedure, k.subject.code, k.grade))


def slice_from(params, options: list[SliceKey]) -> SliceKey | None:
    """The slice the query string asks for (one of ``options``), else the newest one; 404 on a
    slice that is not among the options."""
    if not options:
        return None
    if not params.get("year"):
        return options[0]
    for key in options:
        if (
            str(key.year.start_year) == params.get("year")
            and key.procedure == params.get("procedure")
            and key.subject.code == params.get("subject")
            and str(key.grade) == params.get("grade")
        ):
            return key
    raise Http404("Нет результатов за выбранные процедуру, год, предмет и класс.")


MIN_GROUP = 10  # identification.models.IndicatorValue.MIN_GROUP (DESIGN.md §7)


def pool_label(row: MarkResult) -> str:
    """«5–6 кл.» for grades pooled; «5–6 кл., 2024/25 и 2025/26» for two years (the row's year
    is the later one; ``MarkFigures.pool_text`` says «объединено за 2 года»)."""
    grades = f"{row.grade}–{row.grade_to} кл." if row.grade_to != row.grade else f"{row.grade} кл."
    if not row.two_years:
        return grades
    start = row.year.start_year
    return f"{grades}, {start - 1}/{str(start)[-2:]} и {start}/{str(start + 1)[-2:]}"


def pooled_figures(row: MarkResult) -> MarkFigures:
    return MarkFigures.of(row, pooled_label=pool_label(row))


def pooled_rows(*, school_ids, key: SliceKey) -> list[MarkResult]:
    """The pooled rows covering the slice's grade for the schools: grades of one level pooled,
    and the level pooled over two years (one query; the page, the municipality's list and the
    passport read it)."""
    return list(
        MarkResult.objects.filter(
            level="school",
            school_id__in=list(school_ids),
            year=key.year,
            procedure=key.procedure,
            subject=key.subject,
            grade__lte=key.grade,
            grade_to__gte=key.grade,
        ).select_related("year")
    )


def school_pooled_marks(*, school: School, years=None) -> list[tuple[SliceKey, MarkFigures]]:
    """Every pooled figure of a school (grades of a level; two years), newest year first: what
    the passport prints under the results, marked as the page marks it."""
    qs = MarkResult.objects.filter(level="school", school=school, grade_to__isnull=False).select_related(
        "year", "subject"
    )
    if years is not None:
        qs = qs.filter(year__in=list(years))
    rows = sorted(qs, key=lambda r: (-r.year.start_year, r.procedure, r.subject.code, r.grade, r.two_years))
    return [(SliceKey(r.year, r.procedure, r.subject, r.grade), pooled_figures(r)) for r in rows]


@dataclass
class TaskRow:
    number: int
    label: str
    max_score: int
    difficulty: str
    participants: int
    school: float | None
    municipality: float | None
    region: float | None
    item: TaskCatalogueItem | None = None

    @property
    def gap(self) -> float | None:
        if self.school is None or self.municipality is None:
            return None
        return self.school - self.municipality

    @property
    def far_below(self) -> bool:
        return self.gap is not None and self.gap <= -FAR_BELOW_PP


@dataclass
class SkillRow:
    """A skill (or content element) of the catalogue: the tasks checking it, summed."""

    code: str
    name: str
    tasks: list[str]
    school: float | None
    municipality: float | None
    region: float | None

    @property
    def gap(self) -> float | None:
        if self.school is None or self.municipality is None:
            return None
        return self.school - self.municipality

    @property
    def weak(self) -> bool:
        return (self.school is not None and self.school < WEAK_BELOW) or (
            self.gap is not None and self.gap <= -FAR_BELOW_PP
        )


@dataclass
class MarkRow:
    label: str
    figures: MarkFigures | None = None
    # Ф3 rows carry percentages only.
    shares: tuple[float, float, float, float] | None = None
    participants: int | None = None
    source: str = ""
    short: str = ""  # the legend's label on the chart

    @property
    def chart_label(self) -> str:
        return self.short or self.label


@dataclass
class Analysis:
    key: SliceKey
    structure: AssessmentStructure | None
    tasks: list[TaskRow]
    marks: list[MarkRow]
    histogram: list[tuple[int, int]]
    skills: list[SkillRow] = field(default_factory=list)
    elements: list[SkillRow] = field(default_factory=list)
    classes: list[tuple[str, MarkResult]] = field(default_factory=list)
    pooled: MarkFigures | None = None
    # Even the level's grades under the minimum: pooled with the year before (issue #18 item 5).
    two_years: MarkFigures | None = None
    cohort: list[tuple[SliceKey, MarkFigures]] = field(default_factory=list)

    @property
    def own(self) -> MarkFigures | None:
        return self.marks[0].figures if self.marks and self.marks[0].figures else None


def _completion(score: int, maximum: int) -> float | None:
    return 100.0 * score / maximum if maximum else None


def _slice_filter(key: SliceKey) -> dict:
    return {"year": key.year, "procedure": key.procedure, "subject": key.subject, "grade": key.grade}


def structure_of(key: SliceKey) -> AssessmentStructure | None:
    return AssessmentStructure.objects.filter(variant="", **_slice_filter(key)).prefetch_related("tasks").first()


def catalogue_items(key: SliceKey, municipality_id: int | None = None) -> dict[str, TaskCatalogueItem]:
    """The catalogue's rows by task label: the municipality's own copy where it has one, else
    the shipped catalogue (``analytics.catalogue``). One query."""
    items = TaskCatalogueItem.objects.filter(
        Q(catalogue__municipality__isnull=True) | Q(catalogue__municipality_id=municipality_id),
        catalogue__year=key.year,
        catalogue__procedure=key.procedure,
        catalogue__subject=key.subject,
        catalogue__grade=key.grade,
    ).select_related("catalogue")
    shipped: dict[str, TaskCatalogueItem] = {}
    own: dict[str, TaskCatalogueItem] = {}
    for item in items:
        (own if item.catalogue.municipality_id is not None else shipped)[item.task_label] = item
    return own if own else shipped


def task_rows(
    key: SliceKey, school: School | None, municipality: Municipality, class_name: str = ""
) -> tuple[AssessmentStructure | None, list[TaskRow]]:
    """Per-task completion of the school (or a class of it; or the municipality alone) against
    the municipality and the region: one query for the three levels."""
    structure = structure_of(key)
    if structure is None:
        return None, []
    levels = Q(level="municipality", municipality=municipality) | Q(level="region", region_id=municipality.region_id)
    if school is not None:
        levels |= Q(level="class" if class_name else "school", school=school, class_name=class_name)
    sums: dict[tuple[str, int], TaskResult] = {}
    for row in TaskResult.objects.filter(levels, **_slice_filter(key)):
        sums[(row.level, row.task_number)] = row
    items = catalogue_items(key, municipality.pk)
    own_level = "class" if class_name else "school"
    rows = []
    for task in structure.tasks.all():
        own = sums.get((own_level, task.number)) if school is not None else sums.get(("municipality", task.number))
        muni = sums.get(("municipality", task.number))
        region = sums.get(("region", task.number))
        rows.append(
            TaskRow(
                number=task.number,
                label=task.label,
                max_score=task.max_score,
                difficulty=task.difficulty,
                participants=own.participants if own else 0,
                school=own.completion if own else None,
                municipality=muni.completion if muni else None,
                region=region.completion if region else None,
                item=items.get(task.label),
            )
        )
    return structure, rows


def _roll_up(tasks: list[TaskRow], group_of) -> list[SkillRow]:
    """Completion of a group of tasks: Σ scores / Σ maxima over its tasks (not a mean of means)."""
    groups: dict[str, dict] = {}
    for task in tasks:
        for code, name in group_of(task):
            group = groups.setdefault(code, {"name": name, "tasks": [], "sums": defaultdict(lambda: [0.0, 0.0])})
            group["tasks"].append(task.label)
            for level in ("school", "municipality", "region"):
                value = getattr(task, level)
                if value is not None:
                    # Each task weighs by its maximum (completion × max = mean score).
                    group["sums"][level][0] += value * task.max_score
                    group["sums"][level][1] += task.max_score
    result = []
    for code, group in groups.items():
        values = {
            level: (s / m if m else None)
            for level, (s, m) in ((lvl, group["sums"][lvl]) for lvl in ("school", "municipality", "region"))
        }
        result.append(
            SkillRow(code, group["name"], group["tasks"], values["school"], values["municipality"], values["region"])
        )
    return sorted(result, key=lambda row: (row.school is None, row.school if row.school is not None else 0))


def skills_of(tasks: list[TaskRow]) -> list[SkillRow]:
    return _roll_up(tasks, lambda task: [(task.item.skill, task.item.skill)] if task.item else [])


def elements_of(tasks: list[TaskRow]) -> list[SkillRow]:
    return _roll_up(tasks, lambda task: [(code, code) for code in task.item.kes_codes] if task.item else [])


def histogram(key: SliceKey, school: School, class_name: str = "") -> list[tuple[int, int]]:
    """(primary score, participants) of the school's (or class's) current rows."""
    qs = ParticipantResult.objects.filter(CURRENT, school=school, **_slice_filter(key))
    if class_name:
        qs = qs.filter(class_name=class_name)
    return list(qs.values_list("primary_score").annotate(n=Count("pk")).order_by("primary_score"))


def _area_rows(key: SliceKey, municipality: Municipality) -> list[MarkRow]:
    """Ф3 rows of the municipality, the region and the whole sample (as imported)."""
    qs = AreaMarkStat.objects.filter(replaced_by__isnull=True, **_slice_filter(key)).filter(
        Q(area="russia")
        | Q(area="region", region_id=municipality.region_id)
        | Q(area="municipality", municipality=municipality)
    )
    order = {"municipality": 0, "region": 1, "russia": 2}
    rows = []
    for stat in sorted(qs, key=lambda s: order[s.area]):
        rows.append(
            MarkRow(
                label=f"{stat.get_area_display()} (Ф3)",
                shares=(float(stat.share_2), float(stat.share_3), float(stat.share_4), float(stat.share_5)),
                participants=stat.participants,
                source="Ф3",
                short={"municipality": "Муниципалитет, Ф3", "region": "Регион, Ф3", "russia": "Россия, Ф3"}[stat.area],
            )
        )
    return rows


def school_analysis(*, school: School, key: SliceKey, class_name: str = "") -> Analysis:
    municipality = school.municipality
    structure, tasks = task_rows(key, school, municipality, class_name)
    marks = MarkResult.objects.filter(grade_to__isnull=True, **_slice_filter(key)).filter(
        Q(level="school", school=school)
        | Q(level="class", school=school)
        | Q(level="municipality", municipality=municipality)
        | Q(level="region", region_id=municipality.region_id)
    )
    own = muni = region = None
    classes = []
    for row in marks:
        if row.level == "class":
            classes.append((row.class_name, row))
            if row.class_name == class_name:
                own = row
        elif row.level == "school" and not class_name:
            own = row
        elif row.level == "municipality":
            muni = row
        elif row.level == "region":
            region = row
    own_label = f"Класс {class_name}" if class_name else school.short_name
    mark_rows = [MarkRow(own_label, MarkFigures.of(own) if own else None)]
    mark_rows.append(
        MarkRow(
            "Муниципалитет (по результатам участников)", MarkFigures.of(muni) if muni else None, short="Муниципалитет"
        )
    )
    mark_rows.append(
        MarkRow("Регион (по загруженным результатам)", MarkFigures.of(region) if region else None, short="Регион")
    )
    mark_rows += _area_rows(key, municipality)
    pooled = two_years = None
    if own is not None and own.participants < MIN_GROUP and not class_name:
        for row in pooled_rows(school_ids=[school.pk], key=key):
            if row.two_years:
                two_years = pooled_figures(row)
            else:
                pooled = pooled_figures(row)
    analysis = Analysis(
        key=key,
        structure=structure,
        tasks=tasks,
        marks=mark_rows,
        histogram=histogram(key, school, class_name),
        skills=skills_of(tasks),
        elements=elements_of(tasks),
        classes=sorted(classes, key=lambda pair: pair[0]),
        pooled=pooled,
        two_years=two_years,
    )
    if not class_name:
        analysis.cohort = cohort(school=school, key=key)
    return analysis


def cohort(*, school: School, key: SliceKey) -> list[tuple[SliceKey, MarkFigures]]:
    """The same pupils' grade through the years: grade g in year y, g−1 in y−1, … (one query)."""
    span = range(0, 6)
    wanted = Q()
    for back in span:
        wanted |= Q(year__start_year=key.year.start_year - back, grade=key.grade - back)
    rows = MarkResult.objects.filter(
        wanted, level="school", school=school, procedure=key.procedure, subject=key.subject, grade_to__isnull=True
    ).select_related("year")
    found = sorted(rows, key=lambda row: row.year.start_year)
    return [(SliceKey(row.year, key.procedure, key.subject, row.grade), MarkFigures.of(row)) for row in found]


@dataclass
class SchoolLine:
    school: School
    figures: MarkFigures | None
    pooled: MarkFigures | None
    completion: float | None


def municipality_analysis(
    *, user: User, municipality: Municipality, key: SliceKey
) -> tuple[Analysis, list[SchoolLine]]:
    """The municipality's slice against the region, and one line per school the user may read."""
    structure, tasks = task_rows(key, None, municipality)
    marks = {
        row.level: row
        for row in MarkResult.objects.filter(
            Q(level="municipality", municipality=municipality) | Q(level="region", region_id=municipality.region_id),
            **_slice_filter(key),
        )
    }
    mark_rows = [
        MarkRow(municipality.name, MarkFigures.of(marks["municipality"]) if "municipality" in marks else None),
        MarkRow(
            "Регион (по загруженным результатам)",
            MarkFigures.of(marks["region"]) if "region" in marks else None,
            short="Регион",
        ),
        *_area_rows(key, municipality),
    ]
    for task in tasks:
        task.school = task.municipality  # the municipality is «own» on its page
    analysis = Analysis(key=key, structure=structure, tasks=tasks, marks=mark_rows, histogram=[])
    analysis.skills = skills_of(tasks)
    analysis.elements = elements_of(tasks)
    schools = schools_for(user).filter(municipality=municipality).order_by("code")
    school_rows = (
        MarkResult.objects.filter(
            level="school", school__in=schools, year=key.year, procedure=key.procedure, subject=key.subject
        )
        .filter(Q(grade=key.grade, grade_to__isnull=True) | Q(grade__lte=key.grade, grade_to__gte=key.grade))
        .select_related("year")
        .order_by("-two_years")
    )
    own = {}
    pooled: dict[int | None, MarkResult] = {}
    for row in school_rows:
        if row.grade_to is None:
            own[row.school_id] = row
        else:
            # Two years where even the level's grades stay small, else the year's grades pooled.
            pooled.setdefault(row.school_id, row)
    task_sums = {
        school_id: (score, maximum)
        for school_id, score, maximum in TaskResult.objects.filter(
            level="school", school__in=schools, **_slice_filter(key)
        )
        .values_list("school_id")
        .annotate(score=Sum("score_sum"), maximum=Sum("max_sum"))
        .values_list("school_id", "score", "maximum")
    }
    lines = []
    for school in schools:
        if school.pk not in own:
            continue
        p = pooled.get(school.pk)
        score, maximum = task_sums.get(school.pk, (0, 0))
        lines.append(
            SchoolLine(
                school,
                MarkFigures.of(own[school.pk]),
                pooled_figures(p) if p else None,
                _completion(score, maximum),
            )
        )
    return analysis, lines


# --- Skills of several schools at once (partner matching, issue #18 item 4) -----------------------


@dataclass(frozen=True)
class SkillFigure:
    """A skill of one test (procedure, subject, grade) with a school's and the municipality's
    completion: Σ scores / Σ maxima over the catalogue's tasks checking it."""

    procedure: str
    subject_name: str
    grade: int
    skill: str
    school: float
    municipality: float | None

    @property
    def weak(self) -> bool:
        return self.school < WEAK_BELOW or (
            self.municipality is not None and self.school - self.municipality <= -FAR_BELOW_PP
        )

    @property
    def strong(self) -> bool:
        return self.municipality is not None and self.school >= self.municipality + FAR_BELOW_PP


def skill_figures(*, school_ids, year: AcademicYear, municipality_id: int) -> dict[int, list[SkillFigure]]:
    """Per school, its skills of the year's tests (those with a catalogue), against the
    municipality: the same sums as the school page's skills table. Four queries whatever the
    number of schools (the structures' tasks, the catalogues, the school rows, the municipality's)."""
    labels = {
        (t.structure.procedure, t.structure.subject_id, t.structure.grade, t.number): t.label
        for t in AssessmentTask.objects.filter(structure__year=year, structure__variant="").select_related("structure")
    }
    skill_of: dict[tuple, str] = {}
    own_tests: set[tuple] = set()
    items = TaskCatalogueItem.objects.filter(
        Q(catalogue__municipality__isnull=True) | Q(catalogue__municipality_id=municipality_id), catalogue__year=year
    ).select_related("catalogue")
    # The municipality's own copy of a test's catalogue replaces the shipped one.
    for i in sorted(items, key=lambda i: i.catalogue.municipality_id is not None, reverse=True):
        test = (i.catalogue.procedure, i.catalogue.subject_id, i.catalogue.grade)
        if i.catalogue.municipality_id is not None:
            own_tests.add(test)
        elif test in own_tests:
            continue
        skill_of[(*test, i.task_label)] = i.skill
    if not skill_of:
        return {}
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    names: dict[int, str] = {}
    rows = TaskResult.objects.filter(
        Q(level="school", school_id__in=list(school_ids)) | Q(level="municipality", municipality_id=municipality_id),
        year=year,
    ).select_related("subject")
    for row in rows:
        names[row.subject_id] = row.subject.name
        label = labels.get((row.procedure, row.subject_id, row.grade, row.task_number))
        skill = skill_of.get((row.procedure, row.subject_id, row.grade, label)) if label is not None else None
        if skill is None:
            continue
        owner = row.school_id if row.level == "school" else None
        acc = sums[(owner, row.procedure, row.subject_id, row.grade, skill)]
        acc[0] += row.score_sum
        acc[1] += row.max_sum
    found: dict[int, list[SkillFigure]] = defaultdict(list)
    for (owner, procedure, subject_id, grade, skill), (score, maximum) in sums.items():
        if owner is None or not maximum:
            continue
        muni = sums.get((None, procedure, subject_id, grade, skill))
        found[owner].append(
            SkillFigure(
                procedure,
                names[subject_id],
                grade,
                skill,
                100.0 * score / maximum,
                100.0 * muni[0] / muni[1] if muni and muni[1] else None,
            )
        )
    return dict(found)
