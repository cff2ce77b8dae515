"""ИСБШ explained (issue #19, item 5): each factor's contribution on the school page, in the run's
explanation and, over the data, on the methodology page; weights and scaling belong to the
methodology version. Data through the import services; expectations computed by hand.

The default weights: low income 3, ОВЗ 1, non-native 2, single parent 1, preventive 2,
parents without higher education 2, rural 1, small school 1 — Σ 13.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from identification import isbsh
from identification.models import IndicatorValue, StatusKind
from identification.services import methodology_version_save
from identification.tests.conftest import preset
from identification.tests.imports import import_context

# Every adverse share 0 and all parents with higher education: only what a test sets counts.
CLEAN = {
    "low_income_share": "0",
    "ovz_share": "0",
    "non_native_share": "0",
    "single_parent_share": "0",
    "preventive_register_share": "0",
    "parents_higher_ed_share": "100",
}


@pytest.fixture
def two_schools(school, other_school, years, department, django_capture_on_commit_callbacks):
    # ``school`` (urban, 600 pupils, 10 % low income): difficulty 3·10 = 30 → 30 / 13.
    # ``other_school`` (rural, 250 pupils: small 100 − 250/5 = 50): difficulty 100 + 50 = 150 → 150 / 13.
    rows = {
        school.code: {**CLEAN, "low_income_share": "10", "contingent": 600},
        other_school.code: {**CLEAN, "contingent": 250},
    }
    import_context(department, django_capture_on_commit_callbacks, year="2025/2026", rows=rows)
    return school, other_school


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_school_page_takes_the_stored_index_apart(client, department, two_schools):
    _, rural = two_schools
    stored = IndicatorValue.objects.get(school=rural, indicator="isbsh", subject=None).value
    assert round(stored, 4) == round(100 - 150 / 13, 4)  # 88,4615

    client.force_login(department)
    html = client.get(reverse("identification:school", args=[rural.pk])).content.decode()

    table = html[html.index('id="isbsh-parts"') : html.index("</table>", html.index('id="isbsh-parts"'))]
    rural_row = text(table[table.index('data-factor="rural"') :].split("</tr>")[0])
    small_row = text(table[table.index('data-factor="small_school"') :].split("</tr>")[0])
    # Rural: 1·100 / 13 = 7,69 points, 100 / 150 = 66,7 % of the difficulty; small: 50 / 13 = 3,85, 33,3 %.
    assert "−7,69" in rural_row and "66,7%" in rural_row
    assert "−3,85" in small_row and "33,3%" in small_row
    assert 'id="isbsh-total">88,46<' in table  # the same figure as the stored index


def test_the_methodology_page_shows_what_share_of_the_index_each_factor_drives(client, department, two_schools):
    # Over both schools: low income 30, rural 100, small 50 of 180 (each / 13):
    # 16,7 %, 55,6 %, 27,8 %; the other factors 0.
    client.force_login(department)
    html = client.get(
        reverse("identification:version_detail", args=[preset(StatusKind.DIFFICULT_CONDITIONS).pk])
    ).content.decode()

    shares = dict(re.findall(r'data-factor="(\w+)">.*?data-share>([^<]+)<', html[html.index('id="isbsh-shares"') :]))
    assert shares["low_income_share"] == "16,7%"
    assert shares["rural"] == "55,6%"
    assert shares["small_school"] == "27,8%"
    assert shares["ovz_share"] == "0,0%"
    assert "в 2 школах" in text(html)


def test_a_version_with_its_own_weights_judges_by_its_own_index(
    ten_schools, years, department, region_user, run_now, django_capture_on_commit_callbacks
):
    # The region weighs low income only: its ИСБШ is 100 − low income share. Schools 0 and 1
    # (50 % and 40 %) have 50 and 60; the other eight (5 %) 95. Bottom 20 % of ten: schools 0
    # (worse-than share 0 %) and 1 (10 %).
    shares = ["50", "40"] + ["5"] * 8
    rows = {s.code: {**CLEAN, "low_income_share": share} for s, share in zip(ten_schools, shares, strict=True)}
    import_context(department, django_capture_on_commit_callbacks, year="2025/2026", rows=rows)
    shipped = preset(StatusKind.DIFFICULT_CONDITIONS)
    own = methodology_version_save(
        version=shipped,
        fields={
            "source_document": "Приказ министерства края",
            "required_count": 1,
            "isbsh_weights": {code: (1.0 if code == "low_income_share" else 0.0) for code, *_ in isbsh.ISBSH_FACTORS},
            "isbsh_small_school": 500,
        },
        criteria=[
            {key: getattr(c, key) for key in ("indicator", "subject", "grade", "pool", "operator", "value")}
            for c in shipped.criteria.all()
        ],
        user=region_user,
    )
    assert own.methodology.region_id == region_user.region_id and own.pk != shipped.pk
    assert shipped.isbsh_weights["low_income_share"] == 3.0  # the preset keeps the weights it had

    run = run_now(StatusKind.DIFFICULT_CONDITIONS, years[2025], version=own)

    results = {r.school_id: r for r in run.results.all()}
    assert sorted(pk for pk, r in results.items() if r.proposed) == sorted([ten_schools[0].pk, ten_schools[1].pk])
    assert results[ten_schools[0].pk].details[0]["value"] == 50.0
    assert results[ten_schools[1].pk].details[0]["value"] == 60.0
    # The stored index (default weights) of school 0 is another figure: 400 pupils make it small
    # (100 − 400/5 = 20), so 100 − (3·50 + 20) / 13.
    stored = IndicatorValue.objects.get(school=ten_schools[0], indicator="isbsh", subject=None).value
    assert round(stored, 4) == round(100 - 170 / 13, 4)
    assert results[ten_schools[0].pk].explanation == (
        "ИСБШ 50,00 (больше всего снижают: малоимущие семьи −50,00 (100 %)) — в нижних 20% муниципалитета "
        "(порог 60,00)."
    )


def test_decompose_adds_up_to_the_index_and_leaves_out_factors_without_data():
    # Weights 3 and 2 on low income 20 and parents 40 % with higher education (60 difficulty):
    # difficulty (3·20 + 2·60) / 5 = 36 → ИСБШ 64; contributions 12 and 24 (33,3 % and 66,7 %).
    scale = isbsh.Scale.of(
        {code: 0 for code, *_ in isbsh.ISBSH_FACTORS} | {"low_income_share": 3, "parents_higher_ed": 2}
    )
    parts = isbsh.decompose({"low_income_share": 20, "parents_higher_ed": 40, "ovz_share": None}, scale)
    assert parts is not None and parts.index == 64.0
    by_code = {p.code: p for p in parts.parts}
    assert by_code["low_income_share"].contribution == 12.0
    assert by_code["parents_higher_ed"].contribution == 24.0
    assert round(by_code["parents_higher_ed"].share, 1) == 66.7
    assert by_code["ovz_share"].difficulty is None and by_code["ovz_share"].contribution == 0.0
    # The scaling of small size is the version's: 150 pupils under N = 300 → 100·(1 − 150/300) = 50.
    assert isbsh.difficulties({"contingent": 150}, small_school=300)["small_school"] == 50.0


def test_the_weights_page_lists_each_versions_weights_and_their_share_in_the_data(client, department, two_schools):
    # Read only (the weights are edited with their version); the reference block is by the
    # defaults the stored index uses: rural drives 100 of 180 (55,6 %) over the two schools.
    client.force_login(department)
    html = client.get(reverse("identification:weights")).content.decode()

    reference = html[html.index('id="isbsh-reference"') :]
    shares = dict(re.findall(r'data-factor="(\w+)">.*?data-share>([^<]+)<', reference.split("</table>")[0]))
    assert shares["rural"] == "55,6%"
    assert "Сложные социальные условия (ШССУ), версия 1" in html
    assert 'method="post"' not in html.split("<h1", 1)[1]  # nothing to send from here
