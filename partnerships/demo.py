"""The partnerships part of ``manage.py seed_demo`` (core.extensions).

In the demo district: partner candidates (high-result schools, the ИМЦ, a university, a
centre of additional education) and six agreements, one in every state and an active pair,
each taken through the services so its history reads as a real one.

Statuses belong to identification: its demo approves real ones from the results. Only when
the current year has no HIGH_RESULTS (or no ШНОР/ШССУ) status at all in the district does
this seed set a few by hand (source «manual», reason naming this file), so the matching
page has something to show. Idempotent: organisations by name, candidates by organisation,
agreements by number; a second run creates nothing.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from core.text import plural
from identification.models import ACTIVE, SchoolStatus, StatusKind
from identification.selectors import supported_schools
from identification.services import support_effects_recompute
from partnerships import services
from partnerships.models import Agreement, PartnerCandidate, SupportForm
from schools.demo import demo_date, demo_shift, demo_text
from schools.models import AcademicYear, Municipality, Organisation, School

HOME_OKTMO = "99610000"  # «Заречный муниципальный район», schools/demo.py
DEMO_SEED = 20260906
STRONG_CODES = ("edu990001", "edu990002", "edu990013")  # гимназия № 1, лицей № 2, СОШ № 1 р.п. Лесной
SUPPORTED_CODES = ("edu990003", "edu990016", "edu990019", "edu990026", "edu990027", "edu990033")
DEMO_REASON = "Демонстрационные данные (partnerships/demo.py): статус выставлен вручную для показа партнёрства."

ADDED = (
    (
        Organisation.Kind.UNIVERSITY,
        "Федеральное государственное бюджетное образовательное учреждение высшего образования "
        "«Заречный государственный педагогический университет»",
        "ЗГПУ",
        "Курсы повышения квалификации учителей математики и русского языка",
        (0.0210, 0.0150),
    ),
    (
        Organisation.Kind.ADDITIONAL,
        "Муниципальное бюджетное учреждение дополнительного образования «Центр детского творчества»",
        "МБУ ДО «ЦДТ»",
        "Кружки и проектная деятельность, воспитательная работа",
        (-0.0060, 0.0080),
    ),
)

S = Agreement.Status
# (number, path of statuses after the draft, signed on, forms, termination reason / assessment)
PLAN = (
    ("1-П/2025", (), None, (SupportForm.CONSULTING,), ""),
    ("2-П/2025", (S.SIGNED,), date(2025, 9, 20), (SupportForm.METHODICAL, SupportForm.CONSULTING), ""),
    ("3-П/2025", (S.SIGNED, S.ACTIVE), date(2025, 10, 1), (SupportForm.METHODICAL, SupportForm.STAFFING), ""),
    ("4-П/2025", (S.SIGNED, S.ACTIVE), date(2025, 11, 12), (SupportForm.INFORMATIONAL, SupportForm.RESOURCE), ""),
    ("5-П/2024", (S.SIGNED, S.ACTIVE, S.COMPLETED), date(2024, 9, 10), (SupportForm.METHODICAL,), "assess"),
    ("6-П/2025", (S.SIGNED, S.TERMINATED), date(2025, 9, 25), (SupportForm.ORGANISATIONAL,), "terminate"),
)
ACTIVITIES = (
    "Взаимопосещение уроков математики; совместный методический семинар по подготовке к ОГЭ.",
    "Наставничество молодых учителей начальных классов; открытые уроки.",
    "Совместные педагогические советы; консультации по функциональной грамотности.",
    "Использование лабораторного оборудования партнёра; сетевые курсы внеурочной деятельности.",
)


def _statuses_if_none(*, municipality: Municipality, year, kinds, codes, kind) -> int:
    exists = SchoolStatus.objects.filter(ACTIVE, year=year, kind__in=kinds, school__municipality=municipality)
    if exists.exists():
        return 0
    created = 0
    for school in School.objects.filter(municipality=municipality, code__in=codes):
        SchoolStatus.objects.create(school=school, year=year, kind=kind, reason=DEMO_REASON)
        created += 1
    if created and kind in StatusKind.supported():
        # The support's effect reads the statuses: stored again, as a decision would.
        schools = School.objects.filter(municipality=municipality).values_list("pk", flat=True)
        support_effects_recompute(school_ids=list(schools), year_ids=[year.pk])
    return created


def _added_organisations(municipality: Municipality, by) -> int:
    created = 0
    imc = Organisation.objects.filter(municipality=municipality, kind=Organisation.Kind.METHODOLOGICAL_CENTRE).first()
    anchor = imc or Organisation.objects.filter(municipality=municipality).first()
    wanted = []
    for kind, name, short_name, strengths, (dlat, dlon) in ADDED:
        organisation = Organisation.objects.filter(municipality=municipality, name=name).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                kind=kind,
                municipality=municipality,
                name=name,
                short_name=short_name,
                address="г. Заречный",
                latitude=(anchor.latitude + Decimal(str(dlat))) if anchor and anchor.latitude else None,
                longitude=(anchor.longitude + Decimal(str(dlon))) if anchor and anchor.longitude else None,
            )
        wanted.append((organisation, strengths))
    if imc is not None:
        wanted.append((imc, "Методическое сопровождение, предметные ММО"))
    for organisation, strengths in wanted:
        _, made = PartnerCandidate.objects.get_or_create(
            municipality=municipality, organisation=organisation, defaults={"strengths": strengths, "added_by": by}
        )
        created += made
    return created


def demo_seed() -> str:
    municipality = Municipality.objects.filter(oktmo=HOME_OKTMO).first()
    year = AcademicYear.current()
    if municipality is None or year is None:
        return ""
    rng = random.Random(DEMO_SEED)  # noqa: S311 - demo text, not a secret  # nosec B311 # seeded generator for demo/bench data, not for secrets
    by = User.objects.filter(username="uo").first()
    with transaction.atomic():
        statuses = _statuses_if_none(
            municipality=municipality,
            year=year,
            kinds=[StatusKind.HIGH_RESULTS],
            codes=STRONG_CODES,
            kind=StatusKind.HIGH_RESULTS,
        )
        statuses += _statuses_if_none(
            municipality=municipality,
            year=year,
            kinds=list(StatusKind.supported()),
            codes=SUPPORTED_CODES,
            kind=StatusKind.LOW_RESULTS,
        )
        candidates = _added_organisations(municipality, by)
        supported = list(
            supported_schools(schools=School.objects.filter(municipality=municipality), year=year)
            .select_related("organisation")
            .order_by("code")
        )
        strong = list(
            School.objects.filter(
                municipality=municipality,
                pk__in=SchoolStatus.objects.filter(ACTIVE, year=year, kind=StatusKind.HIGH_RESULTS).values("school_id"),
            )
            .select_related("organisation")
            .order_by("code")
        )
        added = [c.organisation for c in PartnerCandidate.objects.filter(municipality=municipality).order_by("pk")]
        partners = [s.organisation for s in strong] + added
        agreements = 0
        if supported and partners:
            shift = demo_shift()
            for index, (authored_number, path, authored_on, forms, ending) in enumerate(PLAN):
                number, signed_on = demo_text(authored_number, shift), authored_on and demo_date(authored_on, shift)
                if Agreement.objects.filter(municipality=municipality, number=number).exists():
                    continue
                school = supported[index % len(supported)]
                chosen = [partners[index % len(partners)]]
                if index == 3 and len(partners) > 1:
                    chosen.append(partners[-1])  # one agreement with two supporting organisations
                chosen = [p for p in chosen if p.pk != school.organisation_id] or [partners[-1]]
                agreement = services.agreement_create(
                    by=by,
                    supported_school=school,
                    partners=chosen,
                    number=number,
                    signed_on=signed_on,
                    starts_on=signed_on,
                    ends_on=date(signed_on.year + 1, 6, 30) if signed_on else None,
                    support_forms=[str(f) for f in forms],
                    activities=rng.choice(ACTIVITIES),
                )
                for status in path:
                    reason = "Партнёр вышел из программы: реорганизация" if status == S.TERMINATED else ""
                    services.agreement_transition(agreement=agreement, to=status, by=by, reason=reason)
                if ending == "assess":
                    services.agreement_assess(
                        agreement=agreement,
                        results="Доля «2» по математике в 9 классах снизилась с 24% до 11%; "
                        "проведено 8 взаимопосещений уроков.",
                        rating=4,
                        by=by,
                    )
                agreements += 1
    if not (statuses or candidates or agreements):
        return "Партнёрство: демо-данные уже есть, ничего не добавлено."
    line = (
        f"Партнёрство: {agreements} {plural(agreements, 'договор', 'договора', 'договоров')} во всех статусах, "
        f"{candidates} {plural(candidates, 'организация', 'организации', 'организаций')} в кандидатах"
    )
    if statuses:
        line += f", {statuses} {plural(statuses, 'статус', 'статуса', 'статусов')} выставлено вручную"
        line += " (у выявления их ещё не было)"
    return line + "."
