"""Resolve the school and municipality names a file gives to registry rows (issue 16).

A name resolves, in this order: through an alias a person chose before (or skipped on
purpose); through the one school of the municipality whose name key equals it
(schools.names); through a fuzzy match that is confident — the same numbers and the same
kind of school, a score of at least ``CONFIDENT_SCORE`` and a clear lead over the next
candidate. Anything else is *ambiguous* (candidates with scores) or *unknown* and waits for
a person in the matching step; nothing is guessed.

The work is a few queries for the whole file (schools and aliases of the municipalities
involved), then dictionary look-ups; rapidfuzz runs only for the names that need it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from rapidfuzz import fuzz, process

from accounts.models import User
from schools.models import Municipality, MunicipalityAlias, Region, School, SchoolAlias
from schools.names import municipality_name_key, name_score, school_name_key

CONFIDENT_SCORE = 95.0
CANDIDATE_SCORE = 55.0
CONFIDENT_LEAD = 8.0
MAX_CANDIDATES = 5

MATCHED = "matched"  # one school by its name key, or confidently by a fuzzy match
ALIAS = "alias"  # a person's earlier choice
SKIPPED = "skipped"  # a person's earlier choice: leave the name's rows out
AMBIGUOUS = "ambiguous"
UNKNOWN = "unknown"
SETTLED = (MATCHED, ALIAS, SKIPPED)

# Words that say what kind of school it is: two names with different ones never match by
# themselves (a «СОШ с. Бирофельд» is not the «ООШ с. Бирофельд»).
_KIND_WORDS = frozenset(
    {"сош", "оош", "нош", "всош", "цо", "лицей", "гимназия", "школаинтернат", "интернат", "филиал", "кадетская"}
)


@dataclass(frozen=True)
class Candidate:
    pk: int
    name: str
    score: float


@dataclass
class Resolution:
    """What a name in a file stands for."""

    name: str
    status: str
    pk: int | None = None  # the school (or municipality) when settled; None when skipped
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        return self.status in SETTLED


def _kind_words(key: str) -> frozenset[str]:
    return frozenset(word for word in key.split() if word in _KIND_WORDS)


def _score_school(a: str, b: str) -> float:
    score = name_score(a, b)
    if _kind_words(a) != _kind_words(b):
        score = min(score, CONFIDENT_SCORE - 10)
    return score


def _pick(
    name: str, key: str, exact: list[int], pool: dict[str, list[int]], labels: dict[int, str], scorer
) -> Resolution:
    if len(exact) == 1:
        return Resolution(name, MATCHED, exact[0], [Candidate(exact[0], labels[exact[0]], 100.0)])
    if exact:
        return Resolution(name, AMBIGUOUS, None, [Candidate(pk, labels[pk], 100.0) for pk in exact])
    # Fuzzy: a cheap prefilter with rapidfuzz's C scorer, then our rules on the few left.
    found = process.extract(key, list(pool), scorer=fuzz.token_set_ratio, limit=MAX_CANDIDATES * 3)
    scored: dict[int, float] = {}
    for other, _rough, _index in found:
        score = scorer(key, other)
        for pk in pool[other]:
            scored[pk] = max(scored.get(pk, 0.0), score)
    ranked = sorted(scored.items(), key=lambda item: (-item[1], labels[item[0]]))
    candidates = [Candidate(pk, labels[pk], round(score, 1)) for pk, score in ranked if score >= CANDIDATE_SCORE]
    candidates = candidates[:MAX_CANDIDATES]
    if candidates and candidates[0].score >= CONFIDENT_SCORE:
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        if candidates[0].score - runner_up >= CONFIDENT_LEAD:
            return Resolution(name, MATCHED, candidates[0].pk, candidates)
    return Resolution(name, AMBIGUOUS if candidates else UNKNOWN, None, candidates)


def school_names_resolve(*, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Resolution]:
    """Resolve (municipality id, school name as written) pairs; one entry per distinct pair."""
    wanted = {(municipality_id, name) for municipality_id, name in pairs}
    municipality_ids = {municipality_id for municipality_id, _name in wanted}
    if not wanted:
        return {}
    aliases = {
        (alias.municipality_id, alias.name_key): alias.school_id
        for alias in SchoolAlias.objects.filter(municipality_id__in=municipality_ids).only(
            "municipality_id", "name_key", "school_id"
        )
    }
    # municipality → name key → school ids; labels for the candidates shown to a person.
    pools: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    labels: dict[int, str] = {}
    schools = School.objects.filter(municipality_id__in=municipality_ids, is_active=True).values_list(
        "pk", "municipality_id", "organisation__name", "organisation__short_name"
    )
    for pk, municipality_id, name, short_name in schools:
        labels[pk] = short_name or name
        for text in {name, short_name} - {""}:
            ids = pools[municipality_id][school_name_key(text)]
            if pk not in ids:
                ids.append(pk)
    resolved: dict[tuple[int, str], Resolution] = {}
    for municipality_id, name in wanted:
        key = school_name_key(name)
        if (municipality_id, key) in aliases:
            school_id = aliases[(municipality_id, key)]
            resolved[(municipality_id, name)] = Resolution(name, ALIAS if school_id else SKIPPED, school_id)
            continue
        pool = pools.get(municipality_id, {})
        resolved[(municipality_id, name)] = _pick(name, key, pool.get(key, []), pool, labels, _score_school)
    return resolved


def municipality_names_resolve(*, region_ids: Iterable[int], names: Iterable[str]) -> dict[str, Resolution]:
    """Resolve municipality names (or their education authorities' names) within the regions."""
    region_ids = set(region_ids)
    names = set(names)
    if not names:
        return {}
    aliases = {
        alias.name_key: alias.municipality_id
        for alias in MunicipalityAlias.objects.filter(region_id__in=region_ids).only("name_key", "municipality_id")
    }
    pool: dict[str, list[int]] = defaultdict(list)
    labels: dict[int, str] = {}
    for pk, name in Municipality.objects.filter(region_id__in=region_ids).values_list("pk", "name"):
        labels[pk] = name
        pool[municipality_name_key(name)].append(pk)
    resolved: dict[str, Resolution] = {}
    for name in names:
        key = municipality_name_key(name)
        if key in aliases:
            resolved[name] = Resolution(name, ALIAS, aliases[key])
            continue
        resolved[name] = _pick(name, key, pool.get(key, []), pool, labels, name_score)
    return resolved


@transaction.atomic
def school_alias_save(
    *, municipality: Municipality, name: str, school: School | None, actor: User | None
) -> SchoolAlias:
    """Remember what a name stands for in this municipality (``school=None``: skip it on purpose)."""
    if school is not None and school.municipality_id != municipality.pk:
        raise ValueError("the school is not in the municipality the name was resolved in")
    alias, _created = SchoolAlias.objects.update_or_create(
        municipality=municipality,
        name_key=school_name_key(name),
        defaults={"name": name[:500], "school": school, "created_by": actor},
    )
    return alias


@transaction.atomic
def municipality_alias_save(
    *, region: Region, name: str, municipality: Municipality, actor: User | None
) -> MunicipalityAlias:
    alias, _created = MunicipalityAlias.objects.update_or_create(
        region=region,
        name_key=municipality_name_key(name),
        defaults={"name": name[:500], "municipality": municipality, "created_by": actor},
    )
    return alias
