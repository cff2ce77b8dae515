# ruff: noqa: E501 - the plans below are tables, one measure a line, easier to read unbroken.
"""Roadmaps of the demo district for ``manage.py seed_demo`` (core.extensions).

A municipal roadmap of «Заречный муниципальный район» (approved and published), a programme
for each supported school (ШНОР/ШССУ of the current year), three reporting periods and
progress in every state: accepted, returned with comments, submitted, being filled, not begun.

When identification's demo has not given any school a status yet, the programmes are made for
the curator's schools and the demo director's school (schools.demo), so every demo login has
something to open. Deterministic within a year (dates written for 2025/2026 and moved by
whole years to the clock's academic year, a seeded ``random.Random``) and idempotent: everything hangs on the municipal roadmap, found by its title.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from core.sample_documents import tiny_pdf
from core.text import plural
from identification.selectors import supported_schools
from roadmaps.models import (
    Direction,
    Evidence,
    Level,
    Measure,
    MeasureProgress,
    MeasureStatus,
    Objective,
    ProgressReport,
    ReportingPeriod,
    ReviewComment,
    Roadmap,
)
from schools.demo import CURATED_SCHOOL_CODES, DIRECTOR_SCHOOL_CODE, HOME, demo_date, demo_shift, demo_text
from schools.models import AcademicYear, Municipality, School

SEED = 20260905
MUNICIPAL_TITLE = "Дорожная карта по повышению качества образования в Заречном муниципальном районе на 2024–2026 годы"
D = Direction
_d = dt.date

# (direction, objective, indicator, unit, baseline, target, [(measure, responsible, start, due, evidence?)])
MUNICIPAL_PLAN = [
    (D.ORGANISATIONAL, "Выстроить муниципальную систему адресной поддержки школ", "Доля ШНОР с утверждённой программой", "%", 40, 100, [
        ("Утвердить перечень школ с низкими результатами на учебный год", "Управление образования", _d(2024, 9, 1), _d(2024, 10, 15), True),
        ("Закрепить кураторов за школами с низкими результатами", "Управление образования", _d(2024, 9, 15), _d(2024, 11, 1), True),
    ]),
    (D.METHODOLOGICAL, "Обеспечить методическое сопровождение школ", "Доля педагогов ШНОР, прошедших КПК", "%", 35, 80, [
        ("Цикл семинаров по формированию функциональной грамотности", "ИМЦ", _d(2024, 10, 1), _d(2025, 4, 30), False),
        ("Методический десант в сельские школы", "ИМЦ, школы-партнёры", _d(2025, 1, 15), _d(2025, 5, 31), True),
    ]),
    (D.STAFF, "Закрыть кадровые дефициты", "Число вакансий учителей", "ед.", 14, 5, [
        ("Программа наставничества для молодых учителей", "ИМЦ, ММО", _d(2024, 9, 1), _d(2026, 5, 31), False),
    ]),
    (D.SOCIAL, "Снизить влияние неблагоприятных социальных условий", "Доля обучающихся в программах доп. образования", "%", 48, 70, [
        ("Организовать психолого-педагогическое консультирование родителей", "Школы, ППМС-центр", _d(2024, 10, 1), _d(2025, 12, 20), False),
    ]),
    (D.IMAGE, "Повысить открытость школ", "Доля школ с обновлённым разделом сайта", "%", 60, 100, [
        ("Публикация программ и отчётов на сайтах школ", "Школы", _d(2024, 11, 1), _d(2025, 2, 28), True),
    ]),
    (D.DIAGNOSTIC, "Обеспечить объективность оценочных процедур", "Доля школ с признаками необъективности", "%", 12, 3, [
        ("Общественное наблюдение на ВПР в школах с низкими результатами", "Управление образования", _d(2025, 3, 1), _d(2025, 5, 20), True),
        ("Анализ результатов ВПР и ОГЭ по школам", "ИМЦ", _d(2025, 6, 1), _d(2025, 9, 30), True),
    ]),
    (D.MATERIAL, "Обновить материально-техническую базу", "Доля школ с оснащёнными кабинетами", "%", 55, 85, [
        ("Оснащение кабинетов естественно-научного цикла", "Управление образования", _d(2025, 1, 10), _d(2026, 8, 20), False),
    ]),
]  # fmt: skip

SCHOOL_PLAN = [
    (D.ORGANISATIONAL, "Наладить внутреннюю систему оценки качества", "Доля выполненных мероприятий ВСОКО", "%", 50, 100, [
        ("Разработать положение о ВСОКО", "Директор", _d(2024, 9, 1), _d(2024, 12, 20), True),
        ("Провести внутренний аудит по рисковому профилю", "Заместитель директора по УР", _d(2025, 1, 10), _d(2025, 3, 31), True),
    ]),
    (D.METHODOLOGICAL, "Повысить предметные компетенции учителей", "Доля учителей с ИОМ", "%", 20, 90, [
        ("Составить ИОМ для учителей русского языка и математики", "Заместитель директора по УР", _d(2024, 10, 1), _d(2025, 1, 31), True),
        ("Взаимопосещение уроков со школой-партнёром", "Руководители ШМО", _d(2025, 2, 1), _d(2025, 11, 30), False),
    ]),
    (D.DIAGNOSTIC, "Повысить объективность оценивания", "Доля подтвердивших отметку в ВПР", "%", 52, 75, [
        ("Согласовать критерии оценивания на заседаниях ШМО", "Руководители ШМО", _d(2024, 9, 15), _d(2025, 2, 28), False),
        ("Диагностические работы в 5–8 классах", "Заместитель директора по УР", _d(2025, 10, 1), _d(2026, 4, 30), True),
    ]),
    (D.SOCIAL, "Снизить долю обучающихся с рисками учебной неуспешности", "Доля неуспевающих", "%", 9, 4, [
        ("Индивидуальные планы для неуспевающих обучающихся", "Классные руководители", _d(2024, 10, 1), _d(2026, 5, 25), False),
    ]),
]  # fmt: skip

# (name, opens, due)
PERIODS = [
    ("2024/2025 учебный год, II полугодие", _d(2025, 5, 12), _d(2025, 6, 10)),
    ("2025/2026 учебный год, I полугодие", _d(2025, 12, 15), _d(2026, 1, 20)),
    ("2025/2026 учебный год, II полугодие", _d(2026, 5, 12), _d(2026, 6, 10)),
]
A, Sb, Rt, Dr = (ProgressReport.Status.ACCEPTED, ProgressReport.Status.SUBMITTED,
                 ProgressReport.Status.RETURNED, ProgressReport.Status.DRAFT)  # fmt: skip
# Per school (in order) the report of each period: every state appears; None: not begun.
REPORT_PLAN = [(A, A, Dr), (A, Rt, None), (A, A, Sb), (A, Sb, None)]
PROGRAMME_STATUSES = [
    Roadmap.Status.APPROVED,
    Roadmap.Status.APPROVED,
    Roadmap.Status.APPROVED,
    Roadmap.Status.SUBMITTED,
]
DEMO_PDF = tiny_pdf()


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _fill(roadmap: Roadmap, plan, author: User, shift: int) -> None:
    for order, (direction, title, indicator, unit, baseline, target, measures) in enumerate(plan):
        objective = Objective(
            roadmap=roadmap, direction=direction, title=title, indicator=indicator, unit=unit,
            baseline_value=baseline, target_value=target, order=order,
        )  # fmt: skip
        objective._history_user = author
        objective.save()
        for n, (measure_title, responsible, start, due, evidence) in enumerate(measures):
            measure = Measure(
                objective=objective, roadmap=roadmap, title=measure_title, responsible=responsible,
                starts_on=demo_date(start, shift), due_on=demo_date(due, shift), evidence_required=evidence, order=n,
                expected_result="Документ утверждён и размещён на сайте" if evidence else "",
            )  # fmt: skip
            measure._history_user = author
            measure.save()


def _roadmap(**fields) -> Roadmap:
    roadmap = Roadmap(**fields)
    roadmap._history_user = fields["created_by"]
    roadmap.save()
    return roadmap


def _programme_schools(home: Municipality) -> tuple[list[School], bool]:
    schools = list(supported_schools(schools=School.objects.filter(municipality=home)).order_by("code")[:12])
    if schools:
        return schools, True
    codes = [DIRECTOR_SCHOOL_CODE, *CURATED_SCHOOL_CODES]
    by_code = {s.code: s for s in School.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code], False


def _report(roadmap, period, status, rng, *, director, reviewer, measures) -> None:
    report = ProgressReport.objects.create(
        roadmap=roadmap, period=period, status=status, updated_by=director,
        self_assessment="Работа идёт по плану; основные риски — кадровые." if status != Dr else "",
    )  # fmt: skip
    items = []
    for measure in measures:
        if measure.starts_on > period.due_on:
            continue
        finished = measure.due_on <= period.due_on
        percent = 100 if finished and rng.random() < 0.7 else rng.choice((30, 50, 60, 80))
        items.append(
            MeasureProgress(
                report=report, measure=measure, percent=percent,
                status=MeasureStatus.DONE if percent == 100 else MeasureStatus.IN_PROGRESS,
                comment="Выполнено, документы приложены." if percent == 100 else "Работа продолжается.",
            )
        )  # fmt: skip
    MeasureProgress.objects.bulk_create(items)
    if status in (A, Sb, Rt):
        report.submitted_at, report.submitted_by = _at(period.due_on - dt.timedelta(days=2)), director
    if status in (A, Rt):
        report.reviewed_at, report.reviewed_by = _at(period.due_on + dt.timedelta(days=5)), reviewer
    report.save()
    for item in items:
        if item.status == MeasureStatus.DONE and item.measure.evidence_required:
            evidence = Evidence(
                item=item, token=f"demo{report.pk:08d}{item.measure_id:020d}", kind="pdf",
                original_name=f"Отчёт — {item.measure.title[:60]}.pdf", size=len(DEMO_PDF), sha256="",
                uploaded_by=director, uploaded_at=_at(period.due_on - dt.timedelta(days=3)),
            )  # fmt: skip
            evidence.file.save(f"{evidence.token}.pdf", ContentFile(DEMO_PDF), save=False)
            evidence.save()
    if status == Rt and items:
        ReviewComment.objects.create(
            report=report, measure=items[0].measure, author=reviewer,
            text="Приложите приказ и протокол заседания: без них выполнение не подтверждается.",
        )  # fmt: skip
        ReviewComment.objects.create(
            report=report, author=reviewer, text="Самооценку нужно подкрепить цифрами по показателям."
        )
    if status == A:
        for item in items:
            if item.status == MeasureStatus.DONE and item.measure.status != MeasureStatus.DONE:
                Measure.objects.filter(pk=item.measure_id).update(status=MeasureStatus.DONE)


def demo_seed() -> str:
    home = Municipality.objects.filter(oktmo=HOME.oktmo).first()
    users = {u.username: u for u in User.objects.filter(username__in=("uo", "curator", "director"))}
    if home is None or "uo" not in users:
        return "Дорожные карты: демо-район не найден, пропущено."
    shift = demo_shift()

    def on(day: dt.date) -> dt.datetime:
        return _at(demo_date(day, shift))

    title = demo_text(MUNICIPAL_TITLE, shift)
    existing = Roadmap.objects.filter(municipality=home, level=Level.MUNICIPAL, title=title).first()
    schools, from_statuses = _programme_schools(home)
    if existing is not None:
        return "Дорожные карты: уже созданы (муниципальная карта, программы школ, отчётные периоды)."
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security  # nosec B311 # seeded generator for demo/bench data, not for secrets
    department = users["uo"]
    reviewer = users.get("curator", department)
    years = {y.start_year: y for y in AcademicYear.objects.filter(start_year__in=(2024 + shift, 2025 + shift))}
    start, end = years.get(2024 + shift), years.get(2025 + shift)
    if start is None or end is None:
        return demo_text("Дорожные карты: нет учебных лет 2024/2025 и 2025/2026, пропущено.", shift)
    municipal = _roadmap(
        level=Level.MUNICIPAL, municipality=home, title=title, start_year=start, end_year=end,
        status=Roadmap.Status.APPROVED, created_by=department, submitted_at=on(_d(2024, 8, 20)),
        approved_by=department, approved_at=on(_d(2024, 8, 28)), published_at=on(_d(2024, 8, 29)),
    )  # fmt: skip
    _fill(municipal, MUNICIPAL_PLAN, department, shift)
    # The department's own measures: the ones due by the end of 2025 are done, the rest under way.
    year_end = demo_date(_d(2025, 12, 31), shift)
    municipal.measures.filter(due_on__lte=year_end).update(status=MeasureStatus.DONE)
    municipal.measures.filter(due_on__gt=year_end).update(status=MeasureStatus.IN_PROGRESS)
    periods = [
        ReportingPeriod.objects.create(
            municipality=home,
            name=demo_text(name, shift),
            opens_on=demo_date(opens, shift),
            due_on=demo_date(due, shift),
            created_by=department,
            reminder_sent_at=on(due - dt.timedelta(days=3)),
        )
        for name, opens, due in PERIODS
    ]
    periods[0].summary_published_at = on(_d(2025, 6, 30))
    periods[0].save(update_fields=["summary_published_at"])
    directors = {u.school_id: u for u in User.objects.filter(role="director", school__in=schools)}
    for index, school in enumerate(schools):
        status = PROGRAMME_STATUSES[index % len(PROGRAMME_STATUSES)]
        author = directors.get(school.pk, department)
        programme = _roadmap(
            level=Level.SCHOOL, municipality=home, school=school, start_year=start, end_year=end,
            title=demo_text(f"Программа повышения качества образования {school.organisation.display_name} на 2024–2026 годы", shift),
            status=status, created_by=author, based_on=municipal, submitted_at=on(_d(2024, 9, 20)),
            approved_by=department if status == Roadmap.Status.APPROVED else None,
            approved_at=on(_d(2024, 9, 30)) if status == Roadmap.Status.APPROVED else None,
        )  # fmt: skip
        _fill(programme, SCHOOL_PLAN, author, shift)
        if status != Roadmap.Status.APPROVED:
            continue
        measures = list(programme.measures.all())
        plan = REPORT_PLAN[index % len(REPORT_PLAN)]
        for period, report_status in zip(periods, plan, strict=True):
            if report_status is not None:
                _report(programme, period, report_status, rng, director=author, reviewer=reviewer, measures=measures)
    source = "школ со статусом ШНОР/ШССУ" if from_statuses else "курируемых школ и школы директора (статусов ещё нет)"
    return (
        f"Дорожные карты: муниципальная карта, {len(schools)} {plural(len(schools), 'программа', 'программы', 'программ')} {source}, "
        f"{len(periods)} отчётных периода с отчётами во всех состояниях."
    )
