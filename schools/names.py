"""School and municipality names as files write them, reduced to a comparable key.

Regional reports name schools and municipalities the way their authors like: with or
without quotes, «№5» or «№ 5», «ё» or «е», the legal form spelled out («муниципальное
бюджетное общеобразовательное учреждение») or abbreviated (МБОУ), «средняя
общеобразовательная школа» or СОШ, and the municipality column often names the education
authority («Комитет образования администрации городского округа "Город Чита"») rather
than the municipality. ``school_name_key`` and ``municipality_name_key`` reduce all of that
to the same key; ``name_score`` compares two keys (0–100) with rapidfuzz, never letting two
names with different numbers (СОШ № 5 and СОШ № 6) look alike.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

_QUOTES = re.compile(r"[\"'«»„“”‘’`]")
_PUNCT = re.compile(r"[^\w№]+")
_NUMBER = re.compile(r"\d+")

# Long phrases first: each becomes the abbreviation a registry would use.
_PHRASES: tuple[tuple[str, str], ...] = (
    ("средняя общеобразовательная школа", "сош"),
    ("основная общеобразовательная школа", "оош"),
    ("начальная общеобразовательная школа", "нош"),
    ("вечерняя сменная общеобразовательная школа", "всош"),
    ("вечерняя сменная школа", "всош"),
    ("вечерняя общеобразовательная школа", "всош"),
    ("открытая сменная общеобразовательная школа", "всош"),
    ("центр образования", "цо"),
    ("средняя школа", "сош"),
    ("основная школа", "оош"),
    ("начальная школа", "нош"),
    ("школа интернат", "школаинтернат"),
    ("имени", "им"),
    ("поселок городского типа", "пгт"),
    ("поселка городского типа", "пгт"),
    ("рабочий поселок", "рп"),
    ("поселок", "п"),
    ("поселка", "п"),
    ("село", "с"),
    ("села", "с"),
    ("деревня", "д"),
    ("деревни", "д"),
    ("станица", "ст"),
    ("станицы", "ст"),
    ("города", "г"),
    ("город", "г"),
)
# Words of the legal form and of the founder: they tell nothing about which school it is.
_LEGAL_WORDS = frozenset(
    """
    муниципальное муниципальная муниципальный государственное государственная областное областная
    краевое краевая республиканское республиканская федеральное федеральная частное частная
    негосударственное некоммерческое автономное автономная бюджетное бюджетная казенное казенная
    общеобразовательное общеобразовательная образовательное образовательная учреждение организация
    профессиональное высшего образования общеобразовательное мбоу мкоу маоу моу мооу мбоуш мкооу
    гбоу гкоу гаоу гоу огбоу огкоу огаоу окоу кгбоу кгкоу кгоу ноу чоу чу чау аноо ано фгбоу
    фгбоуво фгаоу фгаоуво фкоу фгкоу гбпоу мбу мку мау
    """.split()  # noqa: SIM905 — a word list reads better as text
)


def _base(text: str) -> str:
    text = text.lower().replace("ё", "е").replace("\xa0", " ")
    text = _QUOTES.sub(" ", text)
    text = text.replace("№", " ").replace("n°", " ")
    text = _PUNCT.sub(" ", text)
    # «с.Бирофельд» and «№5» leave letters glued to numbers: split them.
    text = re.sub(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=20_000)
def school_name_key(name: str) -> str:
    """«МБОУ "СОШ №5 с.Амурзет"» and «Муниципальное бюджетное … «Средняя общеобразовательная
    школа № 5 села Амурзет»» give the same key: «сош 5 с амурзет»."""
    text = f" {_base(name)} "
    for phrase, short in _PHRASES:
        text = text.replace(f" {phrase} ", f" {short} ")
    words = [word for word in text.split() if word not in _LEGAL_WORDS]
    return " ".join(words)


# Words naming the authority (not the territory) in a municipality column.
_AUTHORITY_WORDS = frozenset(
    """
    комитет комитета управление управления отдел отдела департамент департамента министерство
    образования образование образованию по делам и молодежной политики науки культуры спорта
    администрации администрация мо му муниципального муниципальное учреждение
    """.split()  # noqa: SIM905 — a word list reads better as text
)
_TERRITORY_PHRASES: tuple[tuple[str, str], ...] = (
    ("городского округа", "г"),
    ("городской округ", "г"),
    ("муниципального округа", "мо"),
    ("муниципальный округ", "мо"),
    ("муниципального района", "р"),
    ("муниципальный район", "р"),
    ("города", "г"),
    ("город", "г"),
    ("района", "р"),
    ("район", "р"),
    ("го", "г"),
    ("мр", "р"),
)


# Case endings of the adjectives municipalities are named with: «Биробиджанского
# муниципального района» (an authority's name) is the «Биробиджанский район».
_ADJECTIVE_ENDING = re.compile(r"(ого|ому|ой|ий|ый|ая|ое|ые|их|ых|им|ым|ом)$")


def _stem(word: str) -> str:
    return _ADJECTIVE_ENDING.sub("", word) if len(word) > 5 else word


@lru_cache(maxsize=2_000)
def municipality_name_key(name: str) -> str:
    """«Комитет образования администрации городского округа "Город Чита"», «Городской округ
    "Город Чита"» and «город Чита» all give «г чита»; «Биробиджанский муниципальный район» and
    «Биробиджанский район» give «биробиджанск р» (never the same key as «г биробиджан»)."""
    text = f" {_base(name)} "
    for phrase, short in _TERRITORY_PHRASES:
        text = text.replace(f" {phrase} ", f" {short} ")
    words: list[str] = []
    for word in text.split():
        if word in _AUTHORITY_WORDS and word not in ("мо",):
            continue
        word = _stem(word)
        if words and words[-1] == word:
            continue  # «городского округа "Город …"» says «г» twice
        words.append(word)
    # The kind of territory sorts last: «г чита» and «чита г» are the same municipality.
    kinds = [w for w in words if w in ("г", "р", "мо")]
    rest = [w for w in words if w not in ("г", "р", "мо")]
    return " ".join([*rest, *sorted(set(kinds))])


def name_score(a: str, b: str) -> float:
    """Similarity of two keys, 0–100. Names with different numbers score at most 40:
    «сош 5» is never «сош 6», however alike the rest."""
    if a == b:
        return 100.0
    if _NUMBER.findall(a) != _NUMBER.findall(b):
        return min(40.0, fuzz.token_sort_ratio(a, b))
    return max(fuzz.token_sort_ratio(a, b), fuzz.token_set_ratio(a, b) - 5)
