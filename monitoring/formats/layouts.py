"""Every layout the results import accepts, as the upload page lists it, and the templates
of the canonical ones (DESIGN.md §6: «one documented canonical CSV/XLSX per kind, with a
template to download»).

Detection is not here: a file's layout is read from its header (monitoring.formats.headers).
"""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.formats import aggregates, context, results_csv
from monitoring.models import ImportJob


@dataclass(frozen=True)
class TemplateColumn:
    title: str
    description: str
    required: bool


@dataclass(frozen=True)
class Template:
    kind: str  # the URL slug: imports/template/<kind>.xlsx
    sheet: str
    filename: str
    columns: tuple[TemplateColumn, ...]
    example: tuple[tuple, ...]
    # Where the school code stands in the example rows: a director gets their own school's.
    code_index: int

    def rows_for(self, school_code: str | None) -> list[list]:
        rows = [list(row) for row in self.example]
        if school_code:
            for row in rows:
                row[self.code_index] = school_code
        return rows


TEMPLATES: dict[str, Template] = {
    "results": Template(
        kind="results",
        sheet="Результаты",
        filename="shablon-rezultatov-uchastnikov.xlsx",
        columns=tuple(TemplateColumn(c.title, c.description, c.required) for c in results_csv.COLUMNS),
        example=tuple(tuple(row) for row in results_csv.TEMPLATE_EXAMPLE),
        code_index=4,
    ),
    "context": Template(
        kind="context",
        sheet="Контекст",
        filename="shablon-kontekstnyh-dannyh.xlsx",
        columns=tuple(TemplateColumn(c.title, c.description, c.required) for c in context.COLUMNS),
        example=(tuple(context.TEMPLATE_EXAMPLE),),
        code_index=1,
    ),
    "aggregates": Template(
        kind="aggregates",
        sheet="Показатели школ",
        filename="shablon-pokazateley-shkol.xlsx",
        columns=tuple(TemplateColumn(c.title, c.description, c.required) for c in aggregates.COLUMNS),
        example=tuple(tuple(row) for row in aggregates.TEMPLATE_EXAMPLE),
        code_index=4,
    ),
}


@dataclass(frozen=True)
class LayoutInfo:
    layout: str
    source: str
    description: str
    template: str = ""  # a key of TEMPLATES, for the canonical layouts

    @property
    def title(self) -> str:
        return ImportJob.Layout(self.layout).label

    @property
    def template_columns(self) -> tuple[TemplateColumn, ...]:
        return TEMPLATES[self.template].columns if self.template else ()


LAYOUTS: tuple[LayoutInfo, ...] = (
    LayoutInfo(
        ImportJob.Layout.VPR_F1,
        "ФИС ОКО",
        "Выгрузка как есть: по листу на предмет и класс, строка «ВПР 2026 Русский язык 4 класс», "
        "«Максимальный первичный балл», заголовок «ОО | … | Код участника | Класс | Вариант | 1 (2б) | … | "
        "Первичный балл | Отметка | Отметка по журналу», строки групп «МБОУ … (edu203389)». «X» — задание "
        "не выполнялось. Результаты каждого участника.",
    ),
    LayoutInfo(
        ImportJob.Layout.SCHOOL_FORM,
        "школа",
        "«Форма сбора результатов» ВПР, которую заполняет школа (лист «Протокол»): «Код участника | Вариант | "
        "Порядковый номер класса | 1 (5б) | … | 4К1 (3б) | Отметка за предыдущий триместр (четверть, полугодие) | "
        "Итого баллов». Школа, предмет и класс выбираются в форме загрузки; отметку ВПР даст Ф1.",
    ),
    LayoutInfo(
        ImportJob.Layout.VPR_F3,
        "ФИС ОКО",
        "«Группы участников | Кол-во ОО | Кол-во участников | 2 | 3 | 4 | 5» — доли отметок в %. Сохраняются "
        "строки школ «… (edu…)»: доли переводятся в число участников; строки выборки, региона и "
        "муниципалитетов пропускаются. Год, предмет и класс — из строки «ВПР 2026 … 4 класс».",
    ),
    LayoutInfo(
        ImportJob.Layout.VPR_JOURNAL,
        "ФИС ОКО",
        "«Сравнение отметок с отметками по журналу»: для каждой школы «Понизили / Подтвердили / Повысили» "
        "(число и %), блоками строк, как печатает ФИС ОКО, или столбцами. Дополняет отметки из Ф3 того же "
        "предмета и класса, не стирая их.",
    ),
    LayoutInfo(
        ImportJob.Layout.RCOI_PROTOCOL,
        "РЦОИ",
        "Протоколы ОГЭ, ЕГЭ, ГВЭ — компактные или с пустыми столбцами и строками между данными; один или "
        "несколько экзаменов в файле, каждый со строкой «01 - Русский язык 2025.06.09». Фамилии, имена и "
        "паспортные данные не сохраняются: участник хранится как зашифрованный ключ.",
    ),
    LayoutInfo(
        ImportJob.Layout.EGE_REPORT,
        "регион",
        "Отчёт ЕГЭ по школам с многоуровневой шапкой, как его публикует регион: по каждому предмету («Русский "
        "язык, чел.», «ИКТ», «Иностранные языки») «Приняло участие | Не преодолен min порог | Высокобалльники "
        "80–99 | 100 баллов | Средний балл», по листу на год. Школа — по столбцу «Код ОО», «(edu…)» в названии "
        "или по названию внутри муниципалитета (строка муниципалитета или столбец «Муниципальное образование», "
        "в том числе название органа управления образованием); неуверенные названия — шаг сопоставления. "
        "Итоговые строки, строки муниципалитетов и лист заявлений пропускаются и считаются; год — из заголовка.",
    ),
    LayoutInfo(
        ImportJob.Layout.RESULTS_CSV,
        "шаблон",
        "Результаты участников любой процедуры (ВПР, ОГЭ, ЕГЭ, ГВЭ), по строке на результат, CSV или XLSX: "
        "«Учебный год | Процедура | Код предмета | Класс | Код ОО | Класс (буква) | Вариант | Код участника | "
        "Первичный балл | Максимальный первичный балл | Отметка | Отметка по журналу | Тестовый балл | "
        "Баллы за задания». ФИО не указываются.",
        template="results",
    ),
    LayoutInfo(
        ImportJob.Layout.AGGREGATES,
        "шаблон",
        "Показатели школ по процедуре и предмету, которых нет в выгрузках: прежде всего ЕГЭ по школам, "
        "а также отметки ВПР и сравнение с журналом. Загружаются только столбцы, которые есть в файле.",
        template="aggregates",
    ),
    LayoutInfo(
        ImportJob.Layout.CONTEXT,
        "шаблон",
        "Контекст школы за учебный год: контингент, социальный состав, пропуски, кадры, выпускники.",
        template="context",
    ),
)
