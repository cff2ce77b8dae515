"""Demo part of analytics: task catalogues of the demo's tests, and skill tags on the centre's offers.

Catalogues are built as the methodological centre would: a spreadsheet in the documented
template (analytics.catalogue) loaded by ``task_catalogue_import``, one per demo year, subject
and grade — the demo's tests (monitoring.demo.VPR_TASKS) are the same shape every year, so the
rows repeat, but each year has its own version. The centre's events, КПК programmes and
practices of the demo district are tagged with the sections they work on, so the weak-skill
suggestions of the low-result schools have something to point at. The figures themselves come
from the indicator recompute after the demo's imports (identification.demo).

Idempotent: a catalogue whose rows already equal the template's is left alone; a tag is
created once.
"""

from __future__ import annotations

import io

from openpyxl import Workbook

from analytics.catalogue import COLUMNS, task_catalogue_import
from analytics.models import SkillTag, TaskCatalogue
from events.models import Event, Practice, Programme
from monitoring.demo import THIRD_SUBJECT, VPR_GRADES, VPR_SUBJECTS, VPR_TASKS, demo_years
from monitoring.models import Procedure, Subject
from schools.demo import HOME
from schools.models import AcademicYear, Municipality

SOURCE = "Описание проверочной работы ВПР (ФИОКО), демонстрационный кодификатор"

READING = "Смысловое чтение"
WORD_PROBLEMS = "Текстовые задачи"
SOURCES = "Работа с историческими источниками"
SCIENCE = "Естественнонаучная грамотность"

# task → (skill, КЭС, КТ, section); the difficulty follows the demo's Ф1 row (Б under 2 points).
SKILLS: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "Русский язык": {
        "1К1": ("Писать текст под диктовку, соблюдая орфографические нормы", "1.1; 1.2", "2.1", "Орфография"),
        "1К2": ("Писать текст под диктовку, соблюдая пунктуационные нормы", "1.3", "2.2", "Пунктуация"),
        "2": ("Проводить морфемный и морфологический разбор слова", "2.1; 2.2", "1.4", "Морфология"),
        "3": ("Проводить синтаксический разбор предложения", "3.1", "1.5", "Синтаксис"),
        "4": ("Распознавать части речи", "2.3", "1.4", "Морфология"),
        "5": ("Соблюдать орфоэпические нормы", "4.1", "1.1", "Орфоэпия"),
        "6": ("Определять основную мысль текста", "5.1", "3.1", READING),
        "7": ("Составлять план прочитанного текста", "5.2", "3.2", READING),
        "8": ("Определять лексическое значение слова по контексту", "4.2", "1.3", "Лексика"),
    },
    "Математика": {
        "1": ("Выполнять арифметические действия с натуральными числами", "1.1", "1.1", "Числа и вычисления"),
        "2": ("Выполнять действия с обыкновенными дробями", "1.2", "1.2", "Числа и вычисления"),
        "3": ("Решать текстовые задачи на нахождение части", "2.1", "2.1", WORD_PROBLEMS),
        "4": ("Переводить единицы измерения величин", "3.1", "1.3", "Величины"),
        "5": ("Находить периметр и площадь фигур", "4.1; 4.2", "3.1", "Геометрия"),
        "6": ("Читать таблицы и диаграммы", "5.1", "4.1", "Работа с данными"),
        "7": ("Решать логические задачи", "6.1", "2.3", WORD_PROBLEMS),
        "8": ("Решать задачи на движение", "2.2", "2.2", WORD_PROBLEMS),
        "9": ("Представлять пространственные фигуры", "4.3", "3.2", "Геометрия"),
    },
    "Окружающий мир": {
        "1": ("Узнавать изученные объекты и явления природы", "1.1", "1.1", SCIENCE),
        "2": ("Использовать карту для описания объектов", "2.1", "1.2", "Человек и природа"),
        "3.1": ("Различать свойства веществ", "1.2", "1.3", SCIENCE),
        "3.2": ("Описывать опыт по плану", "1.3", "2.1", SCIENCE),
        "4": ("Называть органы и системы органов человека", "3.1", "1.4", "Человек и природа"),
        "5": ("Соблюдать правила безопасного поведения", "4.1", "3.1", "Безопасность"),
        "6": ("Проводить несложные наблюдения и опыты", "1.4", "2.2", SCIENCE),
        "7": ("Рассказывать о родном крае", "5.1", "3.2", "Человек и общество"),
    },
    "История": {
        "1": ("Соотносить события и даты", "1.1", "1.1", "Хронология"),
        "2": ("Объяснять исторические понятия", "1.2", "1.2", "Понятия"),
        "3": ("Работать с исторической картой", "2.1", "2.1", "Историческая карта"),
        "4": ("Извлекать сведения из исторического источника", "2.2", "2.2", SOURCES),
        "5": ("Описывать памятники культуры", "3.1", "3.1", "Культура"),
        "6": ("Объяснять причины и следствия событий", "1.3", "1.3", SOURCES),
        "7": ("Характеризовать исторических деятелей", "3.2", "3.2", "Личности"),
        "8": ("Рассказывать об истории родного края", "4.1", "4.1", "История родного края"),
    },
}

# Offers of the demo centre (events.demo) and the sections they work on.
TAGS = {
    ("event", "Открытый урок: смысловое чтение в 5 классе"): [READING],
    ("practice", "Смысловое чтение на всех предметах"): [READING, SOURCES],
    ("event", "Заседание ММО учителей математики: функциональная грамотность"): [WORD_PROBLEMS],
    ("programme", "Подготовка обучающихся к ГИА по математике"): [WORD_PROBLEMS, "Геометрия"],
    ("practice", "Групповая работа на уроках математики в сельской малокомплектной школе"): [WORD_PROBLEMS],
    ("event", "Мастер-класс: работа с неуспевающими на уроках истории"): [SOURCES],
    ("programme", "Формирование функциональной грамотности обучающихся"): [SCIENCE, READING, WORD_PROBLEMS],
    ("event", "КПК: читательская грамотность в начальной школе (очная часть)"): [READING, SCIENCE],
}


def template_rows(subject: str) -> list[list[str]]:
    skills = SKILLS[subject]
    return [[label, *skills[label], "Б" if points < 2 else "П"] for label, points in VPR_TASKS[subject]]


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Кодификатор"
    sheet.append([title for _, title, _ in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _catalogues() -> int:
    created = 0
    for start in demo_years():
        year = AcademicYear.objects.filter(start_year=start).first()
        if year is None:
            continue
        for grade in VPR_GRADES:
            for name, _ in VPR_SUBJECTS:
                name = name or THIRD_SUBJECT[grade][0]
                subject = Subject.objects.filter(name=name).first()
                if subject is None:
                    continue
                rows = template_rows(name)
                existing = TaskCatalogue.objects.filter(
                    year=year, procedure=Procedure.VPR, subject=subject, grade=grade
                ).first()
                if existing is not None and existing.items.count() == len(rows):
                    continue
                task_catalogue_import(
                    user=None,
                    year=year,
                    procedure=Procedure.VPR,
                    subject=subject,
                    grade=grade,
                    fileobj=io.BytesIO(_xlsx(rows)),
                    name="kodifikator.xlsx",
                    source_document=SOURCE,
                )
                created += 1
    return created


# The demo centre's own wording of one task (its municipal copy of the catalogue): what the
# district's methodologists call the skill in their recommendations.
LOCAL_EDIT = ("Русский язык", 5, "6", "Определять основную мысль текста и озаглавливать его (районная формулировка)")


def _municipal_copy() -> int:
    """The demo centre («imc») rewords one row of the latest year's catalogue on the page:
    the change goes into the district's copy (analytics.catalogue.catalogue_item_save), the
    shipped catalogue stays as it was, and the district's pages read the copy. Once."""
    from accounts.models import User
    from analytics.catalogue import catalogue_item_save
    from analytics.models import TaskCatalogueItem

    user = User.objects.filter(username="imc").first()
    years = demo_years()
    if user is None or user.municipality_id is None or not years:
        return 0
    name, grade, label, skill = LOCAL_EDIT
    shipped = TaskCatalogueItem.objects.filter(
        catalogue__year__start_year=years[-1],
        catalogue__procedure=Procedure.VPR,
        catalogue__subject__name=name,
        catalogue__grade=grade,
        catalogue__municipality__isnull=True,
        task_label=label,
    ).first()
    if shipped is None:
        return 0
    copied = TaskCatalogue.objects.filter(
        year=shipped.catalogue.year_id,
        procedure=Procedure.VPR,
        subject=shipped.catalogue.subject_id,
        grade=grade,
        municipality=user.municipality_id,
    )
    if copied.exists():
        return 0
    catalogue_item_save(item=shipped, user=user, skill=skill)
    return 1


def _tags() -> int:
    municipality = Municipality.objects.filter(oktmo=HOME.oktmo).first()
    if municipality is None:
        return 0
    models = {"event": Event, "programme": Programme, "practice": Practice}
    made = 0
    for (kind, title), sections in TAGS.items():
        target = models[kind].objects.filter(municipality=municipality, title=title).first()
        if target is None:
            continue
        for section in sections:
            _, created = SkillTag.objects.get_or_create(tag=section, **{kind: target})
            made += created
    return made


def demo_seed() -> str:
    catalogues = _catalogues()
    copies = _municipal_copy()
    tags = _tags()
    return (
        f"Анализ результатов: кодификаторов загружено {catalogues}, копий кодификатора у района {copies}, "
        f"меток умений у мероприятий и практик {tags}."
    )
