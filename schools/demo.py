"""Demo and load data for ``manage.py seed_demo``.

The demo district is what a department sees on its first day: «Заречный муниципальный
район» of «Демонстрационный край» with 35 schools of every type, its education department,
methodological centre and associations, five academic years and one login per role — plus
«Соседний муниципальный район» in another region, home of the outsider, who must see none
of it. The load region is generated schools for benchmarks, thousands at a time.

Both are deterministic (fixed seeds, never the clock) and safe to run again: rows are found
by their natural keys (region code, ОКТМО, school code, organisation name, username) and,
when found, left exactly as they are — a demo user who changed the password keeps it.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from schools.models import AcademicYear, Municipality, Organisation, Region, School
from schools.registry_format import inn_check_digit, ogrn_check_digit

# Printed by the command for whoever gives the demo: a shared demo password, not a secret.
DEMO_PASSWORD = "opora-demo-2026"  # noqa: S105  # nosec B105 # the public demo password
DEMO_SEED = 20260901
LOAD_SEED = 7_000_000
# The demo's plans (roadmaps, periods, agreements) were written for 2025/2026; a seed made
# later moves every date and year in them by whole years so the demo's «now» is the clock's.
AUTHORED_YEAR = 2025
DEMO_YEARS_BACK = 4

LOAD_REGION_NAME = "Регион для нагрузочных тестов"
LOAD_REGION_CODE = "90"
# Load schools get codes edu5000000, edu5000001, …: apart from real ФИС ОКО logins
# (six digits) and still within the seven digits the code pattern allows.
LOAD_CODE_START = 5_000_000
MAX_LOAD_MUNICIPALITIES = 999
MAX_LOAD_SCHOOLS = 999_999
_BATCH = 500

URBAN = School.Settlement.URBAN
RURAL = School.Settlement.RURAL
T = School.Type

LEGAL_FORMS = {
    "МБОУ": "Муниципальное бюджетное общеобразовательное учреждение",
    "МАОУ": "Муниципальное автономное общеобразовательное учреждение",
    "МКОУ": "Муниципальное казённое общеобразовательное учреждение",
}
# (name in the charter, abbreviation in short names, latin slug for sites and e-mail)
TYPE_NAMES: dict[str, tuple[str, str, str]] = {
    T.SOSH: ("Средняя общеобразовательная школа", "СОШ", "sosh"),
    T.OOSH: ("Основная общеобразовательная школа", "ООШ", "oosh"),
    T.NOSH: ("Начальная общеобразовательная школа", "НОШ", "nosh"),
    T.GYMNASIUM: ("Гимназия", "Гимназия", "gimnaziya"),
    T.LYCEUM: ("Лицей", "Лицей", "licey"),
    T.CADET: ("Кадетская школа-интернат", "КШИ", "kshi"),
    T.CORRECTIONAL: ("Специальная (коррекционная) общеобразовательная школа", "С(К)ОШ", "skosh"),
}
# Pupils a school of this type and place usually has (ranges seen in municipal registries).
CONTINGENT: dict[tuple[str, str], tuple[int, int]] = {
    (T.SOSH, URBAN): (500, 1100),
    (T.OOSH, URBAN): (150, 320),
    (T.NOSH, URBAN): (60, 160),
    (T.GYMNASIUM, URBAN): (750, 1050),
    (T.LYCEUM, URBAN): (600, 900),
    (T.CADET, URBAN): (180, 320),
    (T.CORRECTIONAL, URBAN): (90, 180),
    (T.SOSH, RURAL): (120, 420),
    (T.OOSH, RURAL): (40, 150),
    (T.NOSH, RURAL): (8, 35),
    (T.GYMNASIUM, RURAL): (300, 550),
    (T.LYCEUM, RURAL): (250, 500),
    (T.CADET, RURAL): (120, 250),
    (T.CORRECTIONAL, RURAL): (40, 110),
}

FEMALE_FIRST_NAMES = (
    "Ирина", "Елена", "Наталья", "Ольга", "Татьяна", "Светлана", "Марина", "Галина", "Людмила", "Надежда",
    "Анна", "Юлия", "Валентина", "Любовь", "Оксана", "Лариса", "Екатерина", "Вера", "Нина", "Алла",
)  # fmt: skip
MALE_FIRST_NAMES = (
    "Сергей", "Александр", "Андрей", "Владимир", "Николай", "Алексей", "Игорь", "Михаил", "Виктор",
    "Дмитрий", "Юрий", "Евгений", "Олег", "Геннадий", "Павел",
)  # fmt: skip
# (male, female) forms of the patronymic.
PATRONYMICS = (
    ("Александрович", "Александровна"), ("Сергеевич", "Сергеевна"), ("Викторович", "Викторовна"),
    ("Николаевич", "Николаевна"), ("Владимирович", "Владимировна"), ("Петрович", "Петровна"),
    ("Иванович", "Ивановна"), ("Михайлович", "Михайловна"), ("Анатольевич", "Анатольевна"),
    ("Юрьевич", "Юрьевна"), ("Васильевич", "Васильевна"), ("Геннадьевич", "Геннадьевна"),
    ("Борисович", "Борисовна"), ("Григорьевич", "Григорьевна"), ("Алексеевич", "Алексеевна"),
    ("Фёдорович", "Фёдоровна"),
)  # fmt: skip
# Male forms; every one ends in -ов/-ев/-ин/-ёв, so the female form adds «а».
SURNAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
    "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
    "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
    "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Дмитриев",
    "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв",
    "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов",
    "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков", "Миронов",
    "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов", "Гаврилов", "Тихонов", "Казаков",
)  # fmt: skip
STREETS = (
    "Ленина", "Советская", "Молодёжная", "Мира", "Гагарина", "Комсомольская", "Садовая", "Октябрьская",
    "Победы", "Лесная", "Набережная", "Пионерская", "Первомайская", "Кирова", "Чапаева",
)  # fmt: skip


# --- What the demo district is made of -------------------------------------------------


@dataclass(frozen=True)
class Place:
    prefix: str  # «г.», «р.п.», «с.», «п.», «д.»
    name: str
    slug: str  # latin, for sites and e-mail
    postcode: str
    settlement: str = RURAL
    adjective: str = ""  # «Берёзовская»: village schools are often named after the village

    @property
    def label(self) -> str:
        return f"{self.prefix} {self.name}"


@dataclass(frozen=True)
class DemoSchool:
    legal_form: str  # a key of LEGAL_FORMS
    school_type: str
    place: Place
    number: int | None = None
    by_adjective: bool = False  # «Берёзовская СОШ» rather than «СОШ с. Берёзовка»


@dataclass(frozen=True)
class District:
    region_name: str
    region_code: str
    name: str
    genitive: str  # «Заречного муниципального района», for the department's name
    oktmo: str
    fis_oko_code: str
    address_name: str  # as the district appears in postal addresses
    tax_office: str  # two digits; with the region code, the first four of every ИНН here
    phone_code: str
    centre: tuple[float, float]
    town: Place  # schools of the district's town omit the town from their short name
    schools: tuple[DemoSchool, ...]


_TOWN = Place("г.", "Заречный", "zarechny", "446600", URBAN)
_LESNOY = Place("р.п.", "Лесной", "lesnoy", "446630", URBAN)


def _village(prefix: str, name: str, slug: str, postcode: str, adjective: str = "") -> Place:
    return Place(prefix, name, slug, postcode, RURAL, adjective)


_BEREZOVKA = _village("с.", "Берёзовка", "berezovka", "446611", "Берёзовская")
_NIKOLSKOE = _village("с.", "Никольское", "nikolskoe", "446612")
_POKROVKA = _village("с.", "Покровка", "pokrovka", "446613", "Покровская")
_MIKHAYLOVKA = _village("с.", "Михайловка", "mikhaylovka", "446614", "Михайловская")
_KRASNY_YAR = _village("с.", "Красный Яр", "krasny-yar", "446615")
_ALEKSANDROVKA = _village("с.", "Александровка", "aleksandrovka", "446616", "Александровская")
_BOGORODSKOE = _village("с.", "Богородское", "bogorodskoe", "446617")
_ILYINKA = _village("с.", "Ильинка", "ilyinka", "446618", "Ильинская")
_DUBROVKA = _village("с.", "Дубровка", "dubrovka", "446619", "Дубровская")
_STEPNOE = _village("с.", "Степное", "stepnoe", "446620")
_ROZHDESTVENO = _village("с.", "Рождествено", "rozhdestveno", "446621", "Рождественская")
_IVANOVKA = _village("с.", "Ивановка", "ivanovka", "446622", "Ивановская")
_LUGOVOE = _village("с.", "Луговое", "lugovoe", "446623")
_OZERKI = _village("с.", "Озёрки", "ozerki", "446624", "Озёрская")
_SOSNOVKA = _village("п.", "Сосновка", "sosnovka", "446625", "Сосновская")
_VASILYEVKA = _village("д.", "Васильевка", "vasilyevka", "446626", "Васильевская")
_PODGORNOE = _village("с.", "Подгорное", "podgornoe", "446627")
_MALINOVKA = _village("с.", "Малиновка", "malinovka", "446628", "Малиновская")
_KLYUCHI = _village("д.", "Ключи", "klyuchi", "446631")
_ANDREEVKA = _village("д.", "Андреевка", "andreevka", "446632")
_KAMENKA = _village("д.", "Каменка", "kamenka", "446633")

# In this order the schools get codes edu990001, edu990002, …
HOME = District(
    region_name="Демонстрационный край",
    region_code="99",
    name="Заречный муниципальный район",
    genitive="Заречного муниципального района",
    oktmo="99610000",
    fis_oko_code="reg99_m001",
    address_name="Заречный район",
    tax_office="15",
    phone_code="84563",
    centre=(54.7015, 52.8032),
    town=_TOWN,
    schools=(
        DemoSchool("МАОУ", T.GYMNASIUM, _TOWN, 1),
        DemoSchool("МБОУ", T.LYCEUM, _TOWN, 2),
        DemoSchool("МБОУ", T.SOSH, _TOWN, 3),
        DemoSchool("МБОУ", T.SOSH, _TOWN, 4),
        DemoSchool("МБОУ", T.SOSH, _TOWN, 5),
        DemoSchool("МБОУ", T.SOSH, _TOWN, 6),
        DemoSchool("МБОУ", T.SOSH, _TOWN, 7),
        DemoSchool("МКОУ", T.CORRECTIONAL, _TOWN, 8),
        DemoSchool("МБОУ", T.SOSH, _TOWN, 9),
        DemoSchool("МБОУ", T.SOSH, _TOWN, 10),
        DemoSchool("МБОУ", T.SOSH, _TOWN, 11),
        DemoSchool("МБОУ", T.CADET, _TOWN, 1),
        DemoSchool("МБОУ", T.SOSH, _LESNOY, 1),
        DemoSchool("МБОУ", T.SOSH, _LESNOY, 2),
        DemoSchool("МБОУ", T.SOSH, _BEREZOVKA, by_adjective=True),
        DemoSchool("МБОУ", T.SOSH, _NIKOLSKOE),
        DemoSchool("МБОУ", T.SOSH, _POKROVKA, by_adjective=True),
        DemoSchool("МБОУ", T.SOSH, _MIKHAYLOVKA, by_adjective=True),
        DemoSchool("МБОУ", T.SOSH, _KRASNY_YAR),
        DemoSchool("МБОУ", T.SOSH, _ALEKSANDROVKA, by_adjective=True),
        DemoSchool("МБОУ", T.SOSH, _BOGORODSKOE),
        DemoSchool("МБОУ", T.SOSH, _ILYINKA, by_adjective=True),
        DemoSchool("МБОУ", T.SOSH, _DUBROVKA, by_adjective=True),
        DemoSchool("МБОУ", T.SOSH, _STEPNOE),
        DemoSchool("МБОУ", T.SOSH, _ROZHDESTVENO, by_adjective=True),
        DemoSchool("МБОУ", T.OOSH, _IVANOVKA, by_adjective=True),
        DemoSchool("МБОУ", T.OOSH, _LUGOVOE),
        DemoSchool("МКОУ", T.OOSH, _OZERKI, by_adjective=True),
        DemoSchool("МБОУ", T.OOSH, _SOSNOVKA, by_adjective=True),
        DemoSchool("МКОУ", T.OOSH, _VASILYEVKA, by_adjective=True),
        DemoSchool("МБОУ", T.OOSH, _PODGORNOE),
        DemoSchool("МКОУ", T.OOSH, _MALINOVKA, by_adjective=True),
        DemoSchool("МКОУ", T.NOSH, _KLYUCHI),
        DemoSchool("МКОУ", T.NOSH, _ANDREEVKA),
        DemoSchool("МКОУ", T.NOSH, _KAMENKA),
    ),
)

_PRIRECHENSK = Place("г.", "Приреченск", "prirechensk", "413100", URBAN)
NEIGHBOUR = District(
    region_name="Соседняя область",
    region_code="98",
    name="Соседний муниципальный район",
    genitive="Соседнего муниципального района",
    oktmo="98620000",
    fis_oko_code="reg98_m001",
    address_name="Соседний район",
    tax_office="20",
    phone_code="84522",
    centre=(54.2150, 51.9480),
    town=_PRIRECHENSK,
    schools=(
        DemoSchool("МБОУ", T.SOSH, _PRIRECHENSK, 1),
        DemoSchool("МБОУ", T.SOSH, _village("с.", "Заозёрье", "zaozerye", "413121", "Заозёрская"), by_adjective=True),
        DemoSchool("МКОУ", T.OOSH, _village("с.", "Кленовка", "klenovka", "413122", "Кленовская"), by_adjective=True),
    ),
)

DIRECTOR_SCHOOL_CODE = "edu990003"  # МБОУ СОШ № 3: the director and the teacher work here
# Rural schools a curator from the gymnasium is assigned to (likely ШНОР candidates).
CURATED_SCHOOL_CODES = ("edu990019", "edu990026", "edu990031")
# Associations (ММО) of the home district, by whom they unite.
ASSOCIATIONS = (
    "учителей русского языка и литературы",
    "учителей математики",
    "учителей начальных классов",
    "учителей истории и обществознания",
    "руководителей общеобразовательных организаций",
)


# --- Generated rows ------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolSpec:
    """Everything needed to create one school and its organisation."""

    code: str
    oktmo: str  # of the school's municipality
    school_type: str
    settlement: str
    name: str
    short_name: str
    head_name: str
    contingent: int
    inn: str
    ogrn: str
    address: str
    latitude: Decimal
    longitude: Decimal
    website: str
    email: str
    phone: str

    def build_organisation(self, municipality: Municipality) -> Organisation:
        return Organisation(
            kind=Organisation.Kind.SCHOOL,
            municipality=municipality,
            name=self.name,
            short_name=self.short_name,
            inn=self.inn,
            ogrn=self.ogrn,
            address=self.address,
            latitude=self.latitude,
            longitude=self.longitude,
            website=self.website,
            email=self.email,
            phone=self.phone,
        )

    def build_school(self, organisation: Organisation, municipality: Municipality) -> School:
        return School(
            organisation=organisation,
            municipality=municipality,
            code=self.code,
            school_type=self.school_type,
            settlement=self.settlement,
            head_name=self.head_name,
            contingent=self.contingent,
            **levels_for(self.school_type),
        )


def levels_for(school_type: str) -> dict[str, bool]:
    """Levels a school of this type teaches: a НОШ only НОО (grades 1–4), an ООШ also ООО
    (5–9), every other type also СОО (10–11) — the levels of ФЗ-273 «Об образовании», ст. 66."""
    return {
        "has_primary": True,
        "has_basic": school_type != T.NOSH,
        "has_secondary": school_type not in (T.NOSH, T.OOSH),
    }


def person_name(rng: random.Random, *, female: bool) -> tuple[str, str, str]:
    """(last, first, middle) name, consistent in gender."""
    last = rng.choice(SURNAMES) + ("а" if female else "")
    first = rng.choice(FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES)
    middle = rng.choice(PATRONYMICS)[1 if female else 0]
    return last, first, middle


def legal_ids(region_code: str, tax_office: str, serial: int, registered: int) -> tuple[str, str]:
    """ИНН and ОГРН of a legal entity with valid check digits (structure per the ФНС orders:
    ИНН = tax office code + serial + check digit; ОГРН = 1, year, region, office, serial, check)."""
    inn = f"{region_code}{tax_office}{serial:05d}"
    ogrn = f"1{registered % 100:02d}{region_code}{tax_office}{serial:05d}"
    return inn + inn_check_digit(inn), ogrn + ogrn_check_digit(ogrn)


def _coordinate(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _phone(rng: random.Random, phone_code: str) -> str:
    return f"+7 ({phone_code}) {rng.randint(2, 7)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"


def _school_names(row: DemoSchool, town: Place) -> tuple[str, str, str]:
    """Full name as in the charter, short name, and a latin slug."""
    full_type, abbreviation, type_slug = TYPE_NAMES[row.school_type]
    place = row.place
    if row.number is not None:
        title = f"{full_type} № {row.number} {place.label}"
        short = f"{row.legal_form} {abbreviation} № {row.number}"
        if place != town:
            short += f" {place.label}"
        slug = f"{type_slug}{row.number}-{place.slug}"
    elif row.by_adjective:
        title = f"{place.adjective} {full_type[0].lower()}{full_type[1:]}"
        short = f"{row.legal_form} {place.adjective} {abbreviation}"
        slug = f"{place.slug}-{type_slug}"
    else:
        title = f"{full_type} {place.label}"
        short = f"{row.legal_form} {abbreviation} {place.label}"
        slug = f"{place.slug}-{type_slug}"
    return f"{LEGAL_FORMS[row.legal_form]} «{title}»", short, slug


def district_school_specs(district: District) -> list[SchoolSpec]:
    """The district's schools, the same on every call (one fixed seed per district)."""
    rng = random.Random(DEMO_SEED + int(district.oktmo))  # noqa: S311 — demo content, not security  # nosec B311 # seeded generator for demo/bench data, not for secrets
    centres: dict[Place, tuple[float, float]] = {}
    used_serials: set[int] = set()
    specs = []
    for number, row in enumerate(district.schools, start=1):
        place = row.place
        if place not in centres:
            lat, lon = district.centre
            if place != district.town:
                lat += rng.uniform(-0.30, 0.30)
                lon += rng.uniform(-0.45, 0.45)
            centres[place] = (lat, lon)
        lat, lon = centres[place]
        spread = 0.015 if place.settlement == URBAN else 0.004
        name, short_name, slug = _school_names(row, district.town)
        last, first, middle = person_name(rng, female=rng.random() < 0.78)
        serial = rng.randrange(10_000, 99_999)
        while serial in used_serials:
            serial = rng.randrange(10_000, 99_999)
        used_serials.add(serial)
        inn, ogrn = legal_ids(district.region_code, district.tax_office, serial, rng.choice((2002, 2002, 2003, 2011)))
        street = rng.choice(STREETS) if place.settlement == URBAN or rng.random() < 0.5 else "Школьная"
        specs.append(
            SchoolSpec(
                code=f"edu{district.region_code}{number:04d}",
                oktmo=district.oktmo,
                school_type=row.school_type,
                settlement=place.settlement,
                name=name,
                short_name=short_name,
                head_name=f"{last} {first} {middle}",
                contingent=rng.randint(*CONTINGENT[row.school_type, place.settlement]),
                inn=inn,
                ogrn=ogrn,
                address=(
                    f"{place.postcode}, {district.region_name}, {district.address_name}, {place.label}, "
                    f"ул. {street}, д. {rng.randint(1, 60)}"
                ),
                latitude=_coordinate(lat + rng.uniform(-spread, spread)),
                longitude=_coordinate(lon + rng.uniform(-spread * 1.6, spread * 1.6)),
                website=f"https://{slug}.example.ru",
                email=f"{slug}@example.ru",
                phone=_phone(rng, district.phone_code),
            )
        )
    return specs


def _support_organisations(district: District, municipality: Municipality, *, full: bool) -> list[Organisation]:
    """The department, and for the home district the methodological centre and associations."""
    rng = random.Random(DEMO_SEED - int(district.oktmo))  # noqa: S311 — demo content, not security  # nosec B311 # seeded generator for demo/bench data, not for secrets
    town = district.town
    prefix = f"{town.postcode}, {district.region_name}, {district.address_name}, {town.label}"
    lat, lon = district.centre
    inn, ogrn = legal_ids(district.region_code, district.tax_office, 100, 2006)
    organisations = [
        Organisation(
            kind=Organisation.Kind.DEPARTMENT,
            municipality=municipality,
            name=f"Управление образования {district.genitive}",
            short_name="Управление образования",
            inn=inn,
            ogrn=ogrn,
            address=f"{prefix}, ул. Ленина, д. 1",
            latitude=_coordinate(lat),
            longitude=_coordinate(lon),
            website=f"https://uo-{town.slug}.example.ru",
            email=f"uo-{town.slug}@example.ru",
            phone=_phone(rng, district.phone_code),
        )
    ]
    if not full:
        return organisations
    inn, ogrn = legal_ids(district.region_code, district.tax_office, 200, 2008)
    organisations.append(
        Organisation(
            kind=Organisation.Kind.METHODOLOGICAL_CENTRE,
            municipality=municipality,
            name=f"Муниципальное бюджетное учреждение «Информационно-методический центр» {district.genitive}",
            short_name="МБУ «ИМЦ»",
            inn=inn,
            ogrn=ogrn,
            address=f"{prefix}, ул. Советская, д. 14",
            latitude=_coordinate(lat + 0.0031),
            longitude=_coordinate(lon - 0.0042),
            website=f"https://imc-{town.slug}.example.ru",
            email=f"imc-{town.slug}@example.ru",
            phone=_phone(rng, district.phone_code),
        )
    )
    # Associations are not legal entities: they meet at the centre and have no ИНН.
    organisations.extend(
        Organisation(
            kind=Organisation.Kind.ASSOCIATION,
            municipality=municipality,
            name=f"Муниципальное методическое объединение {members}",
            short_name=f"ММО {members}",
            address=f"{prefix}, ул. Советская, д. 14",
        )
        for members in ASSOCIATIONS
    )
    return organisations


# --- Writing -----------------------------------------------------------------------------


def _validate_organisation(organisation: Organisation) -> None:
    # The municipality is excluded only because validating a foreign key costs a query.
    organisation.full_clean(exclude=["municipality"], validate_unique=False, validate_constraints=False)


def schools_create_missing(*, specs: Iterable[SchoolSpec], municipalities: dict[str, Municipality]) -> int:
    """Create the schools whose code is not taken yet; existing ones are left untouched.

    A fixed number of queries whatever the count: codes are looked up and rows written in
    batches (Organisation first, so that bulk_create gives the primary keys the schools need).
    """
    specs = list(specs)
    codes = [spec.code for spec in specs]
    existing: set[str] = set()
    for start in range(0, len(codes), _BATCH):
        existing.update(School.objects.filter(code__in=codes[start : start + _BATCH]).values_list("code", flat=True))
    new_specs = [spec for spec in specs if spec.code not in existing]
    if not new_specs:
        return 0
    organisations = [spec.build_organisation(municipalities[spec.oktmo]) for spec in new_specs]
    for organisation in organisations:
        _validate_organisation(organisation)
    Organisation.objects.bulk_create(organisations, batch_size=_BATCH)
    schools = [
        spec.build_school(organisation, municipalities[spec.oktmo])
        for spec, organisation in zip(new_specs, organisations, strict=True)
    ]
    for school in schools:
        school.full_clean(exclude=["organisation", "municipality"], validate_unique=False, validate_constraints=False)
    School.objects.bulk_create(schools, batch_size=_BATCH)
    return len(schools)


def _district_get_or_create(district: District) -> Municipality:
    region, _ = Region.objects.get_or_create(code=district.region_code, defaults={"name": district.region_name})
    municipality, _ = Municipality.objects.get_or_create(
        oktmo=district.oktmo,
        defaults={"region": region, "name": district.name, "fis_oko_code": district.fis_oko_code},
    )
    return municipality


def _organisations_create_missing(organisations: list[Organisation]) -> int:
    """Create the non-school organisations not there yet, found by municipality, kind and name."""
    existing = {
        (municipality_id, kind, name)
        for municipality_id, kind, name in Organisation.objects.filter(
            municipality__in={o.municipality_id for o in organisations},
            kind__in={o.kind for o in organisations},
        ).values_list("municipality_id", "kind", "name")
    }
    new = [o for o in organisations if (o.municipality_id, o.kind, o.name) not in existing]
    for organisation in new:
        _validate_organisation(organisation)
    Organisation.objects.bulk_create(new)
    return len(new)


def demo_current_year() -> int:
    """Start year of the demo's current academic year: the clock's (schools.years)."""
    return AcademicYear.start_of(timezone.localdate())


def demo_shift() -> int:
    """Whole years between the year the demo's plans were written for and the clock's."""
    return demo_current_year() - AUTHORED_YEAR


def demo_date(day: dt.date, shift: int | None = None) -> dt.date:
    """An authored date moved by the demo's shift (29 February becomes 28 February)."""
    shift = demo_shift() if shift is None else shift
    try:
        return day.replace(year=day.year + shift)
    except ValueError:
        return day.replace(year=day.year + shift, day=28)


def demo_text(text: str, shift: int | None = None) -> str:
    """Years written in an authored title («2025/2026 учебный год», «2-П/2025») moved alike."""
    shift = demo_shift() if shift is None else shift
    return re.sub(r"\b20\d\d\b", lambda m: str(int(m.group()) + shift), text)


def _academic_years_create_missing() -> int:
    """The demo's current year (the clock's) and the DEMO_YEARS_BACK before it."""
    existing = set(AcademicYear.objects.values_list("start_year", flat=True))
    current = demo_current_year()
    new = [
        AcademicYear(start_year=year) for year in range(current - DEMO_YEARS_BACK, current + 1) if year not in existing
    ]
    AcademicYear.objects.bulk_create(new)
    return len(new)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str  # as users read it
    sees: str
    created: bool  # False: the user was there already, their password may have changed


@dataclass(frozen=True)
class DemoSeedResult:
    municipality: str
    schools: int  # in the home municipality, after the run
    organisations: int  # department, centre, associations of the home municipality
    neighbour_municipality: str
    neighbour_schools: int
    years: tuple[str, ...]
    current_year: str
    schools_created: int
    organisations_created: int
    users_created: int
    logins: tuple[DemoLogin, ...]
    password: str = DEMO_PASSWORD


@dataclass(frozen=True)
class _UserSpec:
    username: str
    last_name: str
    first_name: str
    middle_name: str
    position: str
    role: str = ""
    region: Region | None = None
    municipality: Municipality | None = None
    school: School | None = None
    curated: tuple[School, ...] = ()
    is_superuser: bool = False


def _users_create_missing(specs: list[_UserSpec]) -> set[str]:
    """Create the users not there yet; returns their usernames. Existing users, and their
    passwords, are left alone."""
    existing = set(User.objects.filter(username__in=[s.username for s in specs]).values_list("username", flat=True))
    missing = [spec for spec in specs if spec.username not in existing]
    if not missing:
        return set()
    # Hashing is slow by design: once for everybody.
    password = make_password(DEMO_PASSWORD)
    for spec in missing:
        user = User(
            username=spec.username,
            password=password,
            last_name=spec.last_name,
            first_name=spec.first_name,
            middle_name=spec.middle_name,
            position=spec.position,
            email=f"{spec.username}@example.ru",
            role=spec.role,
            region=spec.region,
            municipality=spec.municipality,
            school=spec.school,
            is_superuser=spec.is_superuser,
            is_staff=spec.is_superuser,
        )
        user.full_clean()
        user.save()
        if spec.curated:
            user.curated_schools.set(spec.curated)
    return {spec.username for spec in missing}


DEMO_USERNAMES = ("uo", "region", "imc", "curator", "director", "teacher", "outsider", "admin")


def _what_user_sees(user: User) -> str:
    """One line for the logins table, from the user's actual scope (schools.scopes)."""
    if user.is_superuser:
        return "всё (администратор, не продуктовая роль)"
    if user.role == Role.DEPARTMENT and user.municipality:
        if user.municipality.region.code != HOME.region_code:
            return f"только район «{user.municipality.name}» ({user.municipality.region.name}); Заречного не видит"
        return f"всё по району «{user.municipality.name}»: реестр, загрузки, выявление, дорожные карты, отчёты"
    if user.role == Role.REGION and user.region:
        return f"все муниципалитеты региона «{user.region.name}» (чтение)"
    if user.role == Role.METHODOLOGIST and user.municipality:
        return f"школы района «{user.municipality.name}»: мероприятия, ММО, мониторинг"
    if user.role == Role.CURATOR:
        schools = sorted(s.organisation.display_name for s in user.curated_schools.all())
        return "курируемые школы: " + (", ".join(schools) or "пока ни одной")
    if user.role == Role.DIRECTOR and user.school:
        return f"свою школу: {user.school.organisation.display_name}"
    if user.role == Role.TEACHER and user.school:
        return f"свою школу ({user.school.organisation.display_name}), свой ИОМ"
    return "ничего (роль без области доступа)"


def demo_logins(*, created: Iterable[str] = ()) -> tuple[DemoLogin, ...]:
    """The demo users that exist, in a fixed order, with what each of them sees (read-only)."""
    created = set(created)
    users = {
        u.username: u
        for u in User.objects.filter(username__in=DEMO_USERNAMES)
        .select_related("region", "municipality__region", "school__organisation")
        .prefetch_related("curated_schools__organisation")
    }
    return tuple(
        DemoLogin(
            username=username,
            role=users[username].get_role_display() if users[username].role else "Суперпользователь",
            sees=_what_user_sees(users[username]),
            created=username in created,
        )
        for username in DEMO_USERNAMES
        if username in users
    )


@transaction.atomic
def demo_district_seed() -> DemoSeedResult:
    """Create whatever of the demo district is missing (see the module docstring)."""
    home = _district_get_or_create(HOME)
    neighbour = _district_get_or_create(NEIGHBOUR)
    by_oktmo = {home.oktmo: home, neighbour.oktmo: neighbour}
    schools_created = schools_create_missing(
        specs=[*district_school_specs(HOME), *district_school_specs(NEIGHBOUR)], municipalities=by_oktmo
    )
    organisations_created = _organisations_create_missing(
        [*_support_organisations(HOME, home, full=True), *_support_organisations(NEIGHBOUR, neighbour, full=False)]
    )
    _academic_years_create_missing()

    school_by_code = {
        s.code: s
        for s in School.objects.select_related("organisation").filter(
            code__in=[DIRECTOR_SCHOOL_CODE, *CURATED_SCHOOL_CODES]
        )
    }
    own_school = school_by_code[DIRECTOR_SCHOOL_CODE]
    curated = tuple(school_by_code[code] for code in CURATED_SCHOOL_CODES)
    # The director is the head the registry names for the school.
    director_last, director_first, director_middle = [*own_school.head_name.split(" ", 2), "", ""][:3]
    users = [
        _UserSpec("uo", "Соколова", "Ирина", "Викторовна",
                  "Начальник отдела общего образования управления образования", Role.DEPARTMENT, municipality=home),
        _UserSpec("region", "Лебедев", "Андрей", "Николаевич",
                  "Консультант отдела общего образования министерства образования Демонстрационного края",
                  Role.REGION, region=home.region),
        _UserSpec("imc", "Кузьмина", "Ольга", "Петровна", "Методист информационно-методического центра",
                  Role.METHODOLOGIST, municipality=home),
        _UserSpec("curator", "Захарова", "Елена", "Сергеевна",
                  "Заместитель директора по учебной работе МАОУ Гимназия № 1",
                  Role.CURATOR, municipality=home, curated=(own_school, *curated)),
        _UserSpec("director", director_last, director_first, director_middle,
                  f"Директор {own_school.organisation.display_name}", Role.DIRECTOR, school=own_school),
        _UserSpec("teacher", "Орлова", "Наталья", "Геннадьевна", "Учитель русского языка и литературы",
                  Role.TEACHER, school=own_school),
        _UserSpec("outsider", "Никитин", "Павел", "Юрьевич",
                  f"Главный специалист управления образования {NEIGHBOUR.genitive}",
                  Role.DEPARTMENT, municipality=neighbour),
        _UserSpec("admin", "", "", "", "Администратор портала", is_superuser=True),
    ]  # fmt: skip
    created = _users_create_missing(users)

    return DemoSeedResult(
        municipality=home.name,
        schools=School.objects.filter(municipality=home).count(),
        organisations=Organisation.objects.filter(municipality=home).exclude(kind=Organisation.Kind.SCHOOL).count(),
        neighbour_municipality=neighbour.name,
        neighbour_schools=School.objects.filter(municipality=neighbour).count(),
        years=tuple(y.name for y in AcademicYear.objects.order_by("start_year")),
        current_year=str(AcademicYear.current() or ""),
        schools_created=schools_created,
        organisations_created=organisations_created,
        users_created=len(created),
        logins=demo_logins(created=created),
    )


# --- Load region ---------------------------------------------------------------------------

# Weights of school types in a generated region, roughly as in a rural Russian region.
_LOAD_TYPES = (
    (T.SOSH, 60),
    (T.OOSH, 20),
    (T.NOSH, 7),
    (T.GYMNASIUM, 4),
    (T.LYCEUM, 4),
    (T.CADET, 2),
    (T.CORRECTIONAL, 3),
)
_LOAD_TYPE_VALUES = tuple(t for t, _ in _LOAD_TYPES)
_LOAD_TYPE_WEIGHTS = tuple(w for _, w in _LOAD_TYPES)


def load_municipality_oktmo(index: int) -> str:
    return f"{LOAD_REGION_CODE}{index:03d}000"


def load_municipality_name(index: int) -> str:
    return f"Нагрузочный район № {index:03d}"


# The uneven load region: its first municipality is a city with this share of the schools.
LOAD_CITY_SHARE = 0.28


def load_municipality_sizes(*, municipalities: int, schools: int) -> list[int]:
    """How many schools each municipality of the uneven load region gets, first to last.

    The first is a city with ``LOAD_CITY_SHARE`` of the schools; the others are rural districts
    of uneven size (fixed seeded weights; at 2,000 schools in 10 municipalities: 560 in the city,
    56–251 in the districts), at least one school each where there are enough schools.
    """
    if municipalities == 1:
        return [schools]
    city = round(schools * LOAD_CITY_SHARE)
    rest = schools - city
    districts = municipalities - 1
    rng = random.Random(LOAD_SEED)  # noqa: S311 — load data, not security  # nosec B311 # seeded generator for bench data, not for secrets
    weights = [rng.uniform(0.25, 1.6) ** 1.5 for _ in range(districts)]
    floor = 1 if rest >= districts else 0
    shares = [(rest - floor * districts) * w / sum(weights) for w in weights]
    sizes = [floor + int(share) for share in shares]
    # The schools left by rounding down go to the largest remainders.
    by_remainder = sorted(range(districts), key=lambda j: shares[j] - int(shares[j]), reverse=True)
    for j in by_remainder[: rest - sum(sizes)]:
        sizes[j] += 1
    return [city, *sizes]


def load_school_spec(index: int, *, municipalities: int, sizes: Sequence[int] | None = None) -> SchoolSpec:
    """School number ``index`` (from 0) of the load region; the same whatever else exists.

    Schools are dealt to municipalities in turn, so each gets N/M of them; with ``sizes``
    (``load_municipality_sizes``) they fill the municipalities in order instead, the first
    one — the city — with urban schools only.
    """
    rng = random.Random(LOAD_SEED + index)  # noqa: S311 — load data, not security  # nosec B311 # seeded generator for demo/bench data, not for secrets
    if sizes is None:
        district = index % municipalities + 1
        number = index // municipalities + 1
    else:
        district, number = 1, index + 1
        for size in sizes[:-1]:
            if number <= size:
                break
            district, number = district + 1, number - size
    school_type = rng.choices(_LOAD_TYPE_VALUES, _LOAD_TYPE_WEIGHTS)[0]
    rural_share = 0.85 if school_type in (T.OOSH, T.NOSH) else 0.45
    settlement = RURAL if rng.random() < rural_share else URBAN
    if sizes is not None and district == 1:
        settlement = URBAN
    full_type, abbreviation, _ = TYPE_NAMES[school_type]
    last, first, middle = person_name(rng, female=rng.random() < 0.78)
    inn, ogrn = legal_ids(LOAD_REGION_CODE, f"{10 + index // 100_000:02d}", index % 100_000, 2002)
    place = f"с. Школьное-{number}" if settlement == RURAL else "г. Нагрузочный"
    # Municipality centres on a grid about 60 km apart, schools within a few km of theirs.
    lat = 55.0 + (district % 30) * 0.5 + rng.uniform(-0.2, 0.2)
    lon = 40.0 + (district // 30) * 0.8 + rng.uniform(-0.3, 0.3)
    code = f"edu{LOAD_CODE_START + index}"
    return SchoolSpec(
        code=code,
        oktmo=load_municipality_oktmo(district),
        school_type=school_type,
        settlement=settlement,
        name=f"{LEGAL_FORMS['МБОУ']} «{full_type} № {number}»",
        short_name=f"МБОУ {abbreviation} № {number}",
        head_name=f"{last} {first} {middle}",
        contingent=rng.randint(*CONTINGENT[school_type, settlement]),
        inn=inn,
        ogrn=ogrn,
        address=f"{load_municipality_name(district)}, {place}, ул. {rng.choice(STREETS)}, д. {rng.randint(1, 60)}",
        latitude=_coordinate(lat),
        longitude=_coordinate(lon),
        website=f"https://{code}.example.ru",
        email=f"{code}@example.ru",
        phone=_phone(rng, "80000"),
    )


@dataclass(frozen=True)
class LoadSeedResult:
    region: str
    municipalities: int
    schools: int
    municipalities_created: int
    schools_created: int
    sizes: tuple[int, ...] = ()  # schools per municipality of an uneven region, first to last


@transaction.atomic
def load_region_seed(*, municipalities: int, schools: int, uneven: bool = False) -> LoadSeedResult:
    """Create the load region with ``municipalities`` municipalities and ``schools`` schools
    spread evenly across them (``uneven``: a city and rural districts of uneven size, see
    ``load_municipality_sizes``); what exists (by ОКТМО and school code) is skipped."""
    if not 1 <= municipalities <= MAX_LOAD_MUNICIPALITIES:
        raise ValueError(f"municipalities must be 1…{MAX_LOAD_MUNICIPALITIES}")
    if not 0 <= schools <= MAX_LOAD_SCHOOLS:
        raise ValueError(f"schools must be 0…{MAX_LOAD_SCHOOLS}")
    region, _ = Region.objects.get_or_create(code=LOAD_REGION_CODE, defaults={"name": LOAD_REGION_NAME})
    wanted = {load_municipality_oktmo(j): j for j in range(1, municipalities + 1)}
    by_oktmo = {m.oktmo: m for m in Municipality.objects.filter(oktmo__in=wanted)}
    new = [
        Municipality(
            region=region,
            name=load_municipality_name(j),
            oktmo=oktmo,
            fis_oko_code=f"reg{LOAD_REGION_CODE}_m{j:03d}",
        )
        for oktmo, j in wanted.items()
        if oktmo not in by_oktmo
    ]
    Municipality.objects.bulk_create(new)
    by_oktmo.update({m.oktmo: m for m in new})
    sizes = load_municipality_sizes(municipalities=municipalities, schools=schools) if uneven else None
    created = schools_create_missing(
        specs=(load_school_spec(i, municipalities=municipalities, sizes=sizes) for i in range(schools)),
        municipalities=by_oktmo,
    )
    return LoadSeedResult(
        region=region.name,
        municipalities=municipalities,
        schools=schools,
        municipalities_created=len(new),
        schools_created=created,
        sizes=tuple(sizes or ()),
    )
