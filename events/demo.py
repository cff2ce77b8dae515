"""The centre's part of ``seed_demo``: a season of events, programmes, associations, practices.

Deterministic (a seeded ``random.Random``) and idempotent: rows are found by natural keys
(an event's title, a programme's title, a practice's title, a page's slug) and left alone
when they exist. The season is placed around the week the demo is first seeded — past events
held with reports, upcoming ones open for registration — because announcements only make
sense relative to today; a second run finds everything by title and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from events import services
from events.models import (
    Association,
    Audience,
    Enrolment,
    Event,
    EventKind,
    Feedback,
    Page,
    Practice,
    Programme,
    Registration,
)
from identification.selectors import supported_schools
from schools.demo import HOME, person_name
from schools.models import Municipality, Organisation, School

SEED = 20260907

# (kind, title, weeks from this week's Monday, hour, hours, capacity, association subject, summary of the report)
SEASON = (
    (EventKind.SEMINAR, "Анализ результатов ВПР: от данных к решениям", -10, 14, 3, 40, None,
     "Разобрали типичные ошибки по русскому языку и математике, каждая школа составила план коррекции."),
    (EventKind.ASSOCIATION_MEETING, "Заседание ММО учителей математики: функциональная грамотность", -9, 15, 2, 30,
     "учителей математики", "Обсудили банк заданий PISA-типа и распределили открытые уроки на полугодие."),
    (EventKind.OPEN_LESSON, "Открытый урок: смысловое чтение в 5 классе", -8, 10, 1, 15, "учителей русского языка",
     "Урок посетили 14 учителей из 6 школ; материалы урока — во вложении."),
    (EventKind.INTERNSHIP, "Стажировка на базе гимназии: формирующее оценивание", -7, 9, 6, 20, None,
     "Стажёры посетили 4 урока и разработали листы самооценки для своих классов."),
    (EventKind.WEBINAR, "Вебинар: объективность оценивания и ВПР", -6, 16, 2, None, None,
     "Более 60 участников; запись вебинара и презентация — в материалах."),
    (EventKind.MASTER_CLASS, "Мастер-класс: работа с неуспевающими на уроках истории", -5, 14, 2, 25,
     "учителей истории", "Показаны приёмы дифференциации заданий; участники получили сборник карточек."),
    (EventKind.CONSULTATION, "Консультация для руководителей: программа повышения качества образования", -4, 11, 2,
     30, "руководителей", "Директора школ с низкими результатами сверили структуру программ с рекомендациями."),
    (EventKind.TUTORING, "Тьюторское сопровождение молодых педагогов: первая встреча", -3, 15, 2, 20, None,
     "Сформированы пары наставник — молодой педагог, согласован график встреч."),
    (EventKind.CONFERENCE, "Муниципальная конференция «Школа возможностей»", 2, 10, 6, 120, None, ""),
    (EventKind.SEMINAR, "Семинар: подготовка к ОГЭ по русскому языку в школах с низкими результатами", 1, 14, 3, 12,
     "учителей русского языка", ""),
    (EventKind.COURSE, "КПК: читательская грамотность в начальной школе (очная часть)", 3, 9, 8, 25,
     "учителей начальных классов", ""),
    (EventKind.ASSOCIATION_MEETING, "Заседание ММО учителей начальных классов", 4, 15, 2, 30,
     "учителей начальных классов", ""),
    (EventKind.WEBINAR, "Вебинар: школьная система оценки качества", 5, 16, 2, None, None, ""),
)  # fmt: skip
CANCELLED_TITLE = "Выездной семинар в Кленовской ООШ"
DRAFT_TITLE = "Педагогическая мастерская «Урок без отстающих» (готовится)"

PROGRAMMES = (
    ("Формирование функциональной грамотности обучающихся", 36, "Институт развития образования края", "blended"),
    ("Объективность оценивания образовательных результатов", 24, "Институт развития образования края", "distance"),
    ("Работа с обучающимися с трудностями в обучении", 72, "Педагогический университет", "blended"),
    ("Управление качеством образования в школе с низкими результатами", 36, "Академия Минпросвещения", "distance"),
    ("Наставничество в образовательной организации", 16, "МБУ «ИМЦ»", "full_time"),
    ("Подготовка обучающихся к ГИА по математике", 48, "Институт развития образования края", "blended"),
)
PRACTICES = (
    ("Смысловое чтение на всех предметах", "русский язык, литература, история", "5–9",
     "Единые приёмы работы с текстом на уроках всех предметов: маркировка, вопросы к тексту, кластеры."),
    ("Листы самооценки в начальной школе", "начальные классы", "1–4",
     "Ученики оценивают свою работу по критериям до учителя; учитель сверяет и обсуждает расхождения."),
    ("Групповая работа на уроках математики в сельской малокомплектной школе", "математика", "5–9",
     "Разновозрастные группы и карточки трёх уровней сложности."),
    ("Школьная система внутренней оценки: единые критерии", "управление", "1–11",
     "Критерии отметок согласованы на методсовете и сверяются с результатами ВПР два раза в год."),
    ("Наставничество «учитель — учитель» между школами-партнёрами", "управление", "1–11",
     "Взаимопосещение уроков и совместное планирование с коллегами школы-партнёра."),
    ("Индивидуальные маршруты для обучающихся с трудностями в обучении", "русский язык, математика", "5–9",
     "Диагностика дефицитов, карта продвижения и еженедельные консультации."),
)  # fmt: skip
PAGES = (
    ("o-programme", Page.Kind.PROGRAMME, "О программе поддержки школ",
     "Муниципальная программа поддержки школ с низкими образовательными результатами и школ, "
     "функционирующих в сложных социальных условиях.\n\n## Задачи\n\n- адресная методическая помощь;\n"
     "- сетевое взаимодействие со школами-партнёрами;\n- повышение квалификации педагогов."),
    ("polozhenie-o-mmo", Page.Kind.REGULATIONS, "Положение о муниципальных методических объединениях",
     "Положение определяет цели, структуру и порядок работы ММО.\n\n1. Общие положения\n2. Задачи ММО\n"
     "3. Организация работы"),
    ("plan-imc", Page.Kind.WORK_PLAN, "План работы методического центра на учебный год",
     "| Месяц | Мероприятие |\n|---|---|\n| Сентябрь | Анализ результатов ВПР |\n"
     "| Октябрь | Стажировки на базе школ-партнёров |\n| Ноябрь | Конференция «Школа возможностей» |"),
    ("novosti-start-sezona", Page.Kind.NEWS, "Открыта запись на мероприятия сезона",
     "Анонсы семинаров, стажировок и вебинаров — в разделе «Мероприятия». Запись открыта для всех педагогов."),
)  # fmt: skip


def _person(rng: random.Random) -> str:
    female = rng.random() < 0.8  # most teachers in the seeds' districts are women
    return " ".join(person_name(rng, female=female))


def _season_start() -> dt.datetime:
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    return timezone.make_aware(dt.datetime.combine(monday, dt.time()))


@transaction.atomic
def demo_seed() -> str:
    municipality = Municipality.objects.filter(oktmo=HOME.oktmo).first()
    if municipality is None:
        return "Методический центр: нет демонстрационного района, пропущено."
    rng = random.Random(SEED)  # noqa: S311 — demo content, not security  # nosec B311 # seeded generator for demo/bench data, not for secrets
    schools = list(School.objects.filter(municipality=municipality).select_related("organisation").order_by("code"))
    supported = list(supported_schools(schools=School.objects.filter(municipality=municipality)))
    imc = Organisation.objects.filter(municipality=municipality, kind=Organisation.Kind.METHODOLOGICAL_CENTRE).first()
    methodologist = User.objects.filter(username="imc").first()
    teacher = User.objects.filter(username="teacher", role=Role.TEACHER).first()

    associations_before = Association.objects.filter(municipality=municipality).count()
    associations = _associations(municipality, schools, rng)
    created_associations = len(associations) - associations_before
    created_events = _events(municipality, schools, supported, imc, methodologist, teacher, associations, rng)
    created_programmes = _programmes(municipality, schools, rng)
    created_practices = _practices(municipality, schools, rng)
    created_pages = _pages(municipality)
    return (
        f"Методический центр: мероприятий добавлено {created_events}, программ {created_programmes}, "
        f"ММО {max(created_associations, 0)}, практик {created_practices}, страниц {created_pages}."
    )


def _associations(municipality, schools, rng) -> dict[str, Association]:
    result = {}
    for organisation in Organisation.objects.filter(municipality=municipality, kind=Organisation.Kind.ASSOCIATION):
        members_of = organisation.name.removeprefix("Муниципальное методическое объединение ")
        association, _created = Association.objects.get_or_create(
            organisation=organisation,
            defaults={
                "municipality": municipality,
                "name": organisation.short_name or organisation.name,
                "subject": members_of,
                "head": _person(rng),
                "members": "\n".join(
                    f"{_person(rng)}, {school.organisation.display_name}" for school in rng.sample(schools, 6)
                ),
                "plan_notes": "Цель на год: повысить долю объективно оценённых работ и снизить долю «2» по ВПР.",
                "is_published": True,
            },
        )
        result[members_of] = association
    return result


def _association_for(associations: dict[str, Association], subject: str | None) -> Association | None:
    if subject is None:
        return None
    return next((a for key, a in associations.items() if key.startswith(subject)), None)


def _events(municipality, schools, supported, imc, methodologist, teacher, associations, rng) -> int:
    existing = set(Event.objects.filter(municipality=municipality).values_list("title", flat=True))
    start_of_week = _season_start()
    created = 0
    host_candidates = [s for s in schools if s.school_type in ("gymnasium", "lyceum")] or schools
    for kind, title, weeks, hour, hours, capacity, subject, summary in SEASON:
        if title in existing:
            continue
        starts_at = start_of_week + dt.timedelta(weeks=weeks, days=rng.randint(0, 3), hours=hour)
        past = weeks < 0
        association = _association_for(associations, subject)
        host = rng.choice(host_candidates) if kind in (EventKind.INTERNSHIP, EventKind.OPEN_LESSON) else None
        event = Event.objects.create(
            municipality=municipality,
            kind=kind,
            title=title,
            description=(
                f"**{EventKind(kind).label}** методического центра.\n\n"
                "Для кого: педагоги школ района, в первую очередь школ, получающих поддержку.\n\n"
                "- практические задания;\n- обмен опытом;\n- материалы для работы в школе."
            ),
            organiser=association.organisation if association else imc,
            association=association,
            host_school=host,
            location="" if host or kind == EventKind.WEBINAR else "МБУ «ИМЦ», ул. Советская, д. 14",
            online_url="https://vebinar.example.ru/imc" if kind == EventKind.WEBINAR else "",
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=hours),
            hours=hours,
            audience=[Audience.SUPPORTED_SCHOOLS, Audience.TEACHERS],
            audience_subjects=subject or "",
            capacity=capacity,
            # The whole season is announced a week before the demo's week, so it is all visible.
            publish_at=min(starts_at - dt.timedelta(days=21), start_of_week - dt.timedelta(days=7)),
            status=Event.Status.PUBLISHED,
            created_by=methodologist,
        )
        created += 1
        _registrations(event, schools, supported, teacher, rng, past=past)
        if past:
            services.event_mark_held(event=event)
            attendees = list(event.registrations.filter(status=Registration.Status.CONFIRMED))
            for registration in attendees:
                services.registration_mark_attended(registration=registration, attended=rng.random() < 0.85)
            for registration in [r for r in attendees if r.attended][:5]:
                Feedback.objects.create(
                    registration=registration,
                    rating=rng.choice((4, 5, 5, 5, 3)),
                    comment=rng.choice(("Очень полезно", "Больше практики, пожалуйста", "", "Спасибо!")),
                )
            services.event_publish_report(event=event, summary=summary)
            if created <= 3:
                _demo_photo(event, rng)
    if CANCELLED_TITLE not in existing:
        starts_at = start_of_week + dt.timedelta(weeks=2, days=2, hours=11)
        event = Event.objects.create(
            municipality=municipality, kind=EventKind.SEMINAR, title=CANCELLED_TITLE, location="с. Кленовка",
            starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=3), hours=3, capacity=15,
            publish_at=starts_at - dt.timedelta(days=20), status=Event.Status.CANCELLED,
            cancel_reason="Перенесён на весну из-за ремонта дороги.", organiser=imc, created_by=methodologist,
        )  # fmt: skip
        created += 1
    if DRAFT_TITLE not in existing:
        starts_at = start_of_week + dt.timedelta(weeks=6, days=1, hours=14)
        Event.objects.create(
            municipality=municipality, kind=EventKind.MASTER_CLASS, title=DRAFT_TITLE, location="МБУ «ИМЦ»",
            starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2), capacity=20, organiser=imc,
            created_by=methodologist,
        )  # fmt: skip
        created += 1
    return created


def _demo_photo(event: Event, rng: random.Random) -> None:
    """A drawn «photo» for the first reports: the public page shows photos, the demo needs some."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), (rng.randint(150, 220), rng.randint(170, 230), rng.randint(190, 240)))
    draw = ImageDraw.Draw(image)
    for row in range(3):
        for seat in range(6):
            x, y = 60 + seat * 95, 150 + row * 75
            draw.ellipse((x, y, x + 40, y + 40), fill=(60, 90, 130))
            draw.rectangle((x - 5, y + 45, x + 45, y + 65), fill=(120, 90, 60))
    draw.rectangle((200, 30, 440, 110), fill=(250, 250, 250), outline=(40, 40, 40), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    upload = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    services.event_material_add(event=event, upload=upload, title="Фото с мероприятия", kind="photo")


def _registrations(event, schools, supported, teacher, rng, *, past: bool) -> None:
    """Enough people to fill small events (one upcoming event ends with a waitlist)."""
    wanted = min(event.capacity or 35, 35) + (3 if event.capacity and event.capacity <= 12 else 0)
    pool = supported * 3 + schools
    now = event.publish_at + dt.timedelta(days=1)
    seats = 0
    for index in range(wanted):
        school = rng.choice(pool)
        status = Registration.Status.CONFIRMED
        if event.capacity is not None and seats >= event.capacity:
            status = Registration.Status.WAITLISTED
        else:
            seats += 1
        Registration.objects.create(
            event=event, full_name=_person(rng), school=school, position="учитель",
            subject=event.audience_subjects or "", email=f"demo-{event.pk}-{index}@example.ru",
            consent_at=now, created_at=now + dt.timedelta(minutes=index * 7), status=status,
            confirmation_sent_at=now,
        )  # fmt: skip
    if teacher is not None and (past or event.capacity is None):
        Registration.objects.get_or_create(
            event=event, email=teacher.email or "teacher@example.ru",
            defaults={"full_name": teacher.full_name, "school": teacher.school, "position": teacher.position,
                      "user": teacher, "consent_at": now, "created_at": now, "confirmation_sent_at": now},
        )  # fmt: skip


def _programmes(municipality, schools, rng) -> int:
    created = 0
    year = timezone.localdate().year
    for index, (title, hours, provider, form) in enumerate(PROGRAMMES):
        programme, new = Programme.objects.get_or_create(
            municipality=municipality,
            title=title,
            defaults={
                "hours": hours, "provider": provider, "form": form, "is_published": True,
                "audience": "Учителя и руководители общеобразовательных организаций",
                "description": "Программа повышения квалификации. Итоговая аттестация — защита проекта.",
                "starts_on": dt.date(year, 2 + index, 1), "ends_on": dt.date(year, 2 + index, 25),
            },
        )  # fmt: skip
        if not new:
            continue
        created += 1
        for _ in range(rng.randint(4, 10)):
            enrolment = Enrolment.objects.create(
                programme=programme, full_name=_person(rng), school=rng.choice(schools), enrolled_on=programme.starts_on
            )
            if rng.random() < 0.6:
                services.enrolment_complete(
                    enrolment=enrolment,
                    completed_on=programme.ends_on,
                    certificate_number=f"УД-{rng.randint(1000, 9999)}",
                )
    return created


def _practices(municipality, schools, rng) -> int:
    created = 0
    for title, subjects, grades, description in PRACTICES:
        practice, new = Practice.objects.get_or_create(
            municipality=municipality,
            title=title,
            defaults={"school": rng.choice(schools), "authors": f"{_person(rng)}, {_person(rng)}",
                      "subjects": subjects, "grades": grades, "description": description},
        )  # fmt: skip
        if new:
            services.practice_set_published(practice=practice, published=True)
            created += 1
    return created


def _pages(municipality) -> int:
    created = 0
    for slug, kind, title, body in PAGES:
        page, new = Page.objects.get_or_create(
            slug=slug, defaults={"municipality": municipality, "kind": kind, "title": title, "body": body}
        )
        if new:
            services.page_set_published(page=page, published=True)
            created += 1
    return created
