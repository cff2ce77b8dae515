"""Names of schools and municipalities as files write them, resolved to registry rows."""

import pytest

from schools.matching import (
    ALIAS,
    AMBIGUOUS,
    MATCHED,
    SKIPPED,
    UNKNOWN,
    municipality_alias_save,
    municipality_names_resolve,
    school_alias_save,
    school_names_resolve,
)
from schools.names import municipality_name_key, name_score, school_name_key
from tests.factories import MunicipalityFactory, SchoolFactory


@pytest.mark.parametrize(
    ("written", "registered"),
    [
        (
            'МБОУ "СОШ № 5"',
            "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа №5»",
        ),
        (
            'МКОУ "СОШ с.Бирофельд"',
            "Муниципальное казённое общеобразовательное учреждение «Средняя общеобразовательная школа села Бирофельд»",
        ),
        ("МКОУ Центр образования им.В.И. Пеллера", "МКОУ «ЦЕНТР ОБРАЗОВАНИЯ ИМЕНИ В.И. ПЕЛЛЕРА»"),
        ("ГБОУ Лицей № 23", "лицей №23"),
        ("МБОУ «Средняя школа № 3 п. Смидович»", 'МБОУ "СОШ № 3 поселка Смидович"'),
        ("МАОУ «Гимназия № 1» г. Зареченска", "Гимназия №1 города Зареченска"),
    ],
)
def test_quotes_numbers_case_legal_forms_and_abbreviations_give_one_key(written, registered):
    assert school_name_key(written) == school_name_key(registered)


def test_schools_with_different_numbers_never_look_alike():
    assert name_score(school_name_key("МБОУ СОШ № 5"), school_name_key("МБОУ СОШ № 6")) <= 40
    assert name_score(school_name_key("СОШ № 1 п.Смидович"), school_name_key("СОШ № 3 п.Смидович")) <= 40


@pytest.mark.parametrize(
    ("written", "registered"),
    [
        ('Комитет образования администрации городского округа "Город Чита"', "Городской округ «Город Чита»"),
        ("Отдел образования администрации Биробиджанского муниципального района", "Биробиджанский муниципальный район"),
        ("город Биробиджан", "Город Биробиджан"),
        ("Управление образования Ленинского района", "Ленинский муниципальный район"),
    ],
)
def test_an_education_authority_resolves_to_its_municipality(db, region, written, registered):
    municipality = MunicipalityFactory(region=region, name=registered)
    MunicipalityFactory(region=region, name="Облученский муниципальный район")

    resolved = municipality_names_resolve(region_ids=[region.pk], names=[written])[written]

    assert (resolved.status, resolved.pk) == (MATCHED, municipality.pk), resolved


def test_a_city_and_the_district_named_after_it_stay_apart():
    assert municipality_name_key("город Биробиджан") != municipality_name_key("Биробиджанский район")


@pytest.fixture
def named_schools(municipality):
    def make(short_name: str, **kwargs):
        return SchoolFactory(municipality=municipality, organisation__short_name=short_name,
                             organisation__name=f"Муниципальное бюджетное общеобразовательное учреждение {short_name}",
                             **kwargs)  # fmt: skip

    return make


@pytest.mark.django_db
def test_exact_names_resolve_and_near_misses_wait_for_a_person(municipality, named_schools):
    fifth = named_schools("МБОУ «СОШ № 5»")
    named_schools("МБОУ «СОШ № 6»")
    centre = named_schools("МКОУ «Центр образования им. В.И. Пеллера»", school_type="centre")
    pairs = [
        (municipality.pk, 'МБОУ "СОШ №5"'),
        (municipality.pk, 'МКОУ "Центр образвоания им.В.И. Пеллера"'),  # a typo of the real file
        (municipality.pk, "МБОУ «СОШ № 7»"),
        (municipality.pk, "Гимназия им. Пушкина"),
    ]

    resolved = school_names_resolve(pairs=pairs)

    assert (resolved[pairs[0]].status, resolved[pairs[0]].pk) == (MATCHED, fifth.pk)
    typo = resolved[pairs[1]]
    assert typo.status in (AMBIGUOUS, MATCHED)
    assert typo.candidates[0].pk == centre.pk and typo.candidates[0].score >= 80
    # «СОШ № 7» is not «СОШ № 5» nor «СОШ № 6», however alike the words.
    assert resolved[pairs[2]].status == UNKNOWN and resolved[pairs[2]].pk is None
    assert resolved[pairs[3]].status == UNKNOWN


@pytest.mark.django_db
def test_the_same_name_twice_in_a_municipality_is_ambiguous(municipality, named_schools):
    first = named_schools("МБОУ «СОШ № 1»")
    second = SchoolFactory(municipality=municipality, organisation__short_name="МКОУ СОШ №1",
                           organisation__name="СОШ № 1")  # fmt: skip
    pair = (municipality.pk, "СОШ № 1")

    resolution = school_names_resolve(pairs=[pair])[pair]

    assert resolution.status == AMBIGUOUS
    assert {c.pk for c in resolution.candidates} == {first.pk, second.pk}


@pytest.mark.django_db
def test_a_choice_is_remembered_as_an_alias_and_a_skip_too(municipality, named_schools, department):
    school = named_schools("МБОУ «СОШ № 2 п. Николаевка»")
    pair = (municipality.pk, "Николаевская школа № 2")
    skipped = (municipality.pk, "ФКОУ СОШ УФСИН")
    assert school_names_resolve(pairs=[pair])[pair].status != MATCHED

    school_alias_save(municipality=municipality, name="Николаевская  школа №2", school=school, actor=department)
    school_alias_save(municipality=municipality, name="ФКОУ «СОШ УФСИН»", school=None, actor=department)
    resolved = school_names_resolve(pairs=[pair, skipped])

    assert (resolved[pair].status, resolved[pair].pk) == (ALIAS, school.pk)
    assert (resolved[skipped].status, resolved[skipped].pk) == (SKIPPED, None)


@pytest.mark.django_db
def test_names_resolve_within_their_municipality_only(municipality, region, named_schools):
    named_schools("МБОУ «СОШ № 1»")
    neighbour = MunicipalityFactory(region=region, name="Соседний район")
    pair = (neighbour.pk, "МБОУ «СОШ № 1»")

    assert school_names_resolve(pairs=[pair])[pair].status == UNKNOWN


@pytest.mark.django_db
def test_a_municipality_alias_settles_an_authority_name(region, municipality, department):
    written = "МКУ «Отдел по делам образования» Заречного района"
    municipality_alias_save(region=region, name=written, municipality=municipality, actor=department)

    resolved = municipality_names_resolve(region_ids=[region.pk], names=[written])[written]

    assert (resolved.status, resolved.pk) == (ALIAS, municipality.pk)
