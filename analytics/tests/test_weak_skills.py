"""Weak skills to action (issue #18 item 4): the partner matching's skill term, with a planted
strong partner, and «помогло ли» — the next year's results on the same skills on the school's
page. Results and the task catalogue go through their import services; figures by hand."""

from __future__ import annotations

import pytest
from django.urls import reverse

from analytics.tests.builders import import_catalogue
from identification.models import SchoolStatus, StatusKind
from monitoring.tests.builders import TASKS, VprSheet, vpr_f1_xlsx
from partnerships.selectors import W_SKILL, match_candidates
from schools.models import AcademicYear
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

MAXIMA = dict(TASKS)  # 1: 2, 2: 1, 3: 1, 9.1: 1, 4К1: 3
SKILL = "Умение списывать текст"  # tasks 1 and 4К1
OTHER = "Умение распознавать однородные члены"  # tasks 2 and 3
THIRD = "Умение находить основную мысль"  # task 9.1
SKILL_OF = {"1": SKILL, "4К1": SKILL, "2": OTHER, "3": OTHER, "9.1": THIRD}
# Every pupil of a school writes the same cells; everyone gets «3», so the share of «2» (the
# subject term) cannot tell the candidates apart: only the skills can.
WEAK = [0, 1, 1, 1, 1]
STRONG = [2, 1, 1, 1, 3]
PLAIN = [1, 1, 1, 1, 1]


def pupils(prefix: str, cells, n: int = 10):
    return [(f"{prefix}{i}", "4А", "1", cells, sum(cells), 3, 3) for i in range(n)]


def skill_completion(cells) -> float:
    tasks = [label for label, skill in SKILL_OF.items() if skill == SKILL]
    labels = [label for label, _ in TASKS]
    return 100 * sum(cells[labels.index(t)] for t in tasks) / sum(MAXIMA[t] for t in tasks)


def load_catalogue(start_year: int) -> None:
    import_catalogue([[label, skill, "", "", "", ""] for label, skill in SKILL_OF.items()], start_year=start_year)


@pytest.fixture
def world(load, school, municipality):
    strong = SchoolFactory(municipality=municipality, code="edu980011", organisation__short_name="Гимназия № 5")
    plain = SchoolFactory(municipality=municipality, code="edu980012", organisation__short_name="Лицей № 6")
    load(
        vpr_f1_xlsx(
            VprSheet(
                schools={
                    school.code: pupils("1", WEAK),
                    strong.code: pupils("2", STRONG),
                    plain.code: pupils("3", PLAIN),
                }
            )
        )
    )
    load_catalogue(2025)
    year = AcademicYear.objects.get(start_year=2025)
    SchoolStatus.objects.create(school=school, year=year, kind=StatusKind.LOW_RESULTS)
    for candidate in (strong, plain):
        SchoolStatus.objects.create(school=candidate, year=year, kind=StatusKind.HIGH_RESULTS)
    return {"year": year, "strong": strong, "plain": plain}


def test_the_partner_strong_on_the_schools_weak_skill_ranks_first_with_the_skill_as_reason(world, school):
    # By hand: the school 20 %, the planted partner 100 %, the other 40 %, the municipality 53,3 %.
    mine, theirs, plain = skill_completion(WEAK), skill_completion(STRONG), skill_completion(PLAIN)
    municipality = (mine + theirs + plain) / 3  # equal numbers of pupils and the same maxima
    assert (mine, theirs, round(municipality, 1)) == (20.0, 100.0, 53.3)

    suggestions = match_candidates(school=school, year=world["year"])

    assert [s.organisation.display_name for s in suggestions] == ["Гимназия № 5", "Лицей № 6"]
    first, second = suggestions
    reason = f"сильнее в слабых умениях школы (1 из 1): «{SKILL}» (ВПР, русский язык, 4 кл.) 100,0% против 20,0%"
    assert reason in first.reasons
    assert not any("слабых умениях" in text for text in second.reasons)
    # Everything else is equal: the difference is the skill term's whole weight.
    assert first.score - second.score == round(100 * W_SKILL)


def test_the_schools_page_suggests_the_partner_and_shows_next_years_skills(world, school, load, client, department):
    later = [2, 1, 1, 1, 2]  # a year on: the weak skill at (2 + 2) / 5 = 80 %
    load(vpr_f1_xlsx(VprSheet(year=2027, schools={school.code: pupils("4", later)})), name="next.xlsx")
    load_catalogue(2026)
    client.force_login(department)
    response = client.get(
        reverse("analytics:school", args=[school.pk]), {"year": 2025, "procedure": "vpr", "subject": "01", "grade": 4}
    )
    suggestions = response.context["suggestions"]
    assert [row.name for row in suggestions.weak] == [SKILL]
    partner = [item for item in suggestions.items if item.kind == "partner"]
    assert [item.title for item in partner] == ["Школа-партнёр: Гимназия № 5"]
    (follow,) = suggestions.follow_up
    assert (follow.skill, follow.before, follow.after) == (SKILL, 20.0, skill_completion(later))
    html = response.content.decode()
    table = html.split('id="follow-up-table"')[1].split("</table>")[0]
    assert "20,0" in table and "80,0" in table and "60,0" in table
