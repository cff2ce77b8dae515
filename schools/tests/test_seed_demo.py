"""``manage.py seed_demo``: a believable demo district, deterministic and safe to run twice."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from schools.demo import (
    CURATED_SCHOOL_CODES,
    DEMO_PASSWORD,
    DIRECTOR_SCHOOL_CODE,
    LOAD_REGION_CODE,
    demo_district_seed,
    load_municipality_sizes,
    load_region_seed,
)
from schools.models import SCHOOL_CODE_RE, AcademicYear, Municipality, Organisation, Region, School
from schools.registry_format import inn_check_digit, ogrn_check_digit
from schools.scopes import schools_for

HOME_OKTMO = "99610000"
NEIGHBOUR_OKTMO = "98620000"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The seed hashes the demo password once per run; the real hasher is slow by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded(db):
    return demo_district_seed()


def home_schools():
    return School.objects.filter(municipality__oktmo=HOME_OKTMO).select_related("organisation")


def snapshot() -> dict[str, list[tuple]]:
    """Every row the seed touches, with primary keys and timestamps."""
    return {
        "regions": list(Region.objects.order_by("pk").values_list()),
        "municipalities": list(Municipality.objects.order_by("pk").values_list()),
        "organisations": list(Organisation.objects.order_by("pk").values_list()),
        "schools": list(School.objects.order_by("pk").values_list()),
        "years": list(AcademicYear.objects.order_by("pk").values_list()),
        "users": list(User.objects.order_by("pk").values_list()),
        "curated": list(User.curated_schools.through.objects.order_by("pk").values_list()),
    }


def content() -> list[tuple]:
    """What the seed generates, without primary keys and timestamps."""
    schools = School.objects.order_by("code").values_list(
        "code",
        "school_type",
        "settlement",
        "head_name",
        "contingent",
        "organisation__name",
        "organisation__short_name",
        "organisation__inn",
        "organisation__ogrn",
        "organisation__address",
        "organisation__latitude",
        "organisation__longitude",
        "organisation__email",
        "organisation__phone",
    )
    users = User.objects.order_by("username").values_list(
        "username", "last_name", "first_name", "middle_name", "position", "role", "school__code"
    )
    return [*schools, *users]


def delete_everything() -> None:
    User.objects.all().delete()
    School.objects.all().delete()
    Organisation.objects.all().delete()
    Municipality.objects.all().delete()
    Region.objects.all().delete()
    AcademicYear.objects.all().delete()


# --- The demo district ---------------------------------------------------------------------


def test_default_seed_builds_35_home_schools_of_every_type(seeded):
    types = [school.school_type for school in home_schools()]

    assert len(types) == 35 == seeded.schools
    assert types.count(School.Type.SOSH) == 21
    assert types.count(School.Type.OOSH) == 7
    assert types.count(School.Type.NOSH) == 3
    for single in (School.Type.GYMNASIUM, School.Type.LYCEUM, School.Type.CADET, School.Type.CORRECTIONAL):
        assert types.count(single) == 1


def test_home_district_has_town_and_village_schools(seeded):
    settlements = [school.settlement for school in home_schools()]

    assert settlements.count(School.Settlement.URBAN) == 14
    assert settlements.count(School.Settlement.RURAL) == 21
    assert home_schools().filter(organisation__address__contains="г. Заречный").count() == 12


def test_seed_gives_the_schools_their_expected_names(seeded):
    school = School.objects.select_related("organisation").get(code="edu990003")

    assert school.short_name == "МБОУ СОШ № 3"
    assert school.name == (
        "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 3 г. Заречный»"
    )
    assert School.objects.get(code="edu990001").short_name == "МАОУ Гимназия № 1"
    assert School.objects.get(code="edu990015").short_name == "МБОУ Берёзовская СОШ"
    assert School.objects.get(code="edu990033").short_name == "МКОУ НОШ д. Ключи"
    assert home_schools().values("organisation__short_name").distinct().count() == 35


def test_levels_follow_the_school_type(seeded):
    for school in home_schools():
        levels = (school.has_primary, school.has_basic, school.has_secondary)
        if school.school_type == School.Type.NOSH:
            assert levels == (True, False, False), school.code
        elif school.school_type == School.Type.OOSH:
            assert levels == (True, True, False), school.code
        else:
            assert levels == (True, True, True), school.code


def test_contingent_fits_the_type_and_the_place(seeded):
    for school in home_schools():
        if school.school_type == School.Type.OOSH and school.settlement == School.Settlement.RURAL:
            assert 40 <= school.contingent <= 150, school.code
        if school.school_type == School.Type.NOSH:
            assert school.contingent < 40, school.code
        if school.school_type == School.Type.SOSH and school.settlement == School.Settlement.URBAN:
            assert 500 <= school.contingent <= 1100, school.code


def test_schools_lie_near_each_other_and_have_contacts_on_example_ru(seeded):
    for school in home_schools():
        org = school.organisation
        assert 54.3 < org.latitude < 55.1 and 52.3 < org.longitude < 53.3, school.code
        assert org.email.endswith("@example.ru") and org.website.endswith(".example.ru"), school.code
        assert org.address.startswith("4466") and school.head_name.count(" ") == 2, school.code


def test_home_district_has_its_department_methodological_centre_and_associations(seeded):
    others = Organisation.objects.filter(municipality__oktmo=HOME_OKTMO).exclude(kind=Organisation.Kind.SCHOOL)
    names = {org.kind: [] for org in others}
    for org in others:
        names[org.kind].append(org.name)

    assert names[Organisation.Kind.DEPARTMENT] == ["Управление образования Заречного муниципального района"]
    assert "Информационно-методический центр" in names[Organisation.Kind.METHODOLOGICAL_CENTRE][0]
    assert "Муниципальное методическое объединение учителей математики" in names[Organisation.Kind.ASSOCIATION]
    assert len(names[Organisation.Kind.ASSOCIATION]) >= 4
    assert seeded.organisations == others.count()


def test_academic_years_end_at_the_clocks_year_which_is_current(db):
    # 5 December 2026 falls in 2026/2027: the demo's four years before it and that year.
    with time_machine.travel(dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC), tick=False):
        demo_district_seed()
        assert list(AcademicYear.objects.order_by("start_year").values_list("start_year", flat=True)) == [
            2022,
            2023,
            2024,
            2025,
            2026,
        ]
        assert AcademicYear.current().name == "2026/2027"


def test_on_31_august_the_demo_is_still_in_the_year_that_ends(db):
    with time_machine.travel(dt.datetime(2026, 8, 31, 12, tzinfo=dt.UTC), tick=False):
        demo_district_seed()
        assert AcademicYear.current().name == "2025/2026"


def test_a_year_opened_ahead_is_kept_and_not_yet_current(db):
    with time_machine.travel(dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC), tick=False):
        AcademicYear.objects.create(start_year=2027)

        demo_district_seed()

        assert AcademicYear.current().start_year == 2026
        assert AcademicYear.objects.count() == 6


# --- Users -------------------------------------------------------------------------------


def test_there_is_one_demo_user_per_role_plus_an_admin(seeded):
    roles = dict(User.objects.values_list("username", "role"))

    assert roles == {
        "uo": Role.DEPARTMENT,
        "region": Role.REGION,
        "imc": Role.METHODOLOGIST,
        "curator": Role.CURATOR,
        "director": Role.DIRECTOR,
        "teacher": Role.TEACHER,
        "outsider": Role.DEPARTMENT,
        "admin": "",
    }
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    # The printed list follows the roles' order (a query without ORDER BY has none to compare with).
    assert [login.username for login in seeded.logins] == [
        "uo",
        "region",
        "imc",
        "curator",
        "director",
        "teacher",
        "outsider",
        "admin",
    ]


def test_every_demo_user_logs_in_with_the_demo_password(seeded):
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD), user.username
        assert user.is_active


def test_demo_users_have_russian_names_and_pass_full_clean(seeded):
    for user in User.objects.exclude(username="admin"):
        user.full_clean()
        assert user.last_name and user.first_name and user.middle_name and user.position, user.username
    User.objects.get(username="admin").full_clean()


def test_scoped_users_are_attached_to_the_home_district(seeded):
    home = Municipality.objects.get(oktmo=HOME_OKTMO)

    assert User.objects.get(username="uo").municipality == home
    assert User.objects.get(username="imc").municipality == home
    assert User.objects.get(username="region").region == home.region
    assert set(schools_for(User.objects.get(username="uo"))) == set(home_schools())
    assert set(schools_for(User.objects.get(username="region"))) == set(home_schools())


def test_curator_curates_the_directors_school_and_three_more(seeded):
    curator = User.objects.get(username="curator")

    # The curator curates the demo director's school too: a report it files has a reviewer.
    assert sorted(curator.curated_schools.values_list("code", flat=True)) == sorted(
        [DIRECTOR_SCHOOL_CODE, *CURATED_SCHOOL_CODES]
    )
    assert all(s.municipality.oktmo == HOME_OKTMO for s in schools_for(curator))


def test_director_heads_the_school_where_the_teacher_works(seeded):
    director = User.objects.select_related("school").get(username="director")
    teacher = User.objects.get(username="teacher")

    assert director.school.code == DIRECTOR_SCHOOL_CODE
    assert teacher.school_id == director.school_id
    assert director.full_name == director.school.head_name


def test_outsider_works_in_another_region_and_sees_no_home_school(seeded):
    outsider = User.objects.select_related("municipality__region").get(username="outsider")
    home = Municipality.objects.get(oktmo=HOME_OKTMO)

    assert outsider.role == Role.DEPARTMENT
    assert outsider.municipality.oktmo == NEIGHBOUR_OKTMO
    assert outsider.municipality.region.code == "98" != home.region.code
    assert schools_for(outsider).count() == 3
    assert not schools_for(outsider).filter(municipality=home).exists()
    assert not schools_for(User.objects.get(username="uo")).filter(municipality=outsider.municipality).exists()


# --- Validity ------------------------------------------------------------------------------


def test_seeded_schools_and_organisations_pass_full_clean(seeded):
    for school in School.objects.select_related("organisation"):
        school.organisation.full_clean()
        school.full_clean()
    for organisation in Organisation.objects.exclude(kind=Organisation.Kind.SCHOOL):
        organisation.full_clean()


def test_inn_and_ogrn_have_valid_check_digits_and_are_unique(seeded):
    organisations = Organisation.objects.exclude(inn="")
    for org in organisations:
        assert inn_check_digit(org.inn[:9]) == org.inn[9], org.name
        assert ogrn_check_digit(org.ogrn[:12]) == org.ogrn[12], org.name
        assert org.ogrn[3:5] == org.inn[:2], "ОГРН carries the region code of the ИНН"
    assert len({org.inn for org in organisations}) == organisations.count() == 38 + 3


# --- Idempotence and determinism -------------------------------------------------------------


def test_second_run_creates_nothing_and_changes_nothing(seeded):
    before = snapshot()

    again = demo_district_seed()

    assert snapshot() == before
    assert (again.schools_created, again.organisations_created, again.users_created) == (0, 0, 0)
    assert not any(login.created for login in again.logins)


def test_second_run_keeps_a_password_the_user_changed(seeded):
    director = User.objects.get(username="director")
    director.set_password("Свой-пароль-2026")
    director.save()

    demo_district_seed()

    director.refresh_from_db()
    assert director.check_password("Свой-пароль-2026")
    assert not director.check_password(DEMO_PASSWORD)


def test_a_deleted_school_is_recreated_and_edited_ones_are_left_alone(seeded):
    School.objects.filter(code="edu990035").delete()
    edited = School.objects.get(code="edu990004")
    edited.head_name = "Новикова Анна Ивановна"
    edited.save()

    result = demo_district_seed()

    assert result.schools_created == 1
    assert School.objects.filter(code="edu990035").exists()
    assert School.objects.get(code="edu990004").head_name == "Новикова Анна Ивановна"


def test_two_fresh_runs_give_the_same_rows(seeded):
    first = content()
    delete_everything()

    demo_district_seed()

    assert content() == first


# --- The command -------------------------------------------------------------------------------


def run_command(*args: str) -> str:
    """Tests run with DEBUG=0, where the command needs the explicit demo flag (tested below)."""
    out = io.StringIO()
    flag = [] if "--logins-only" in args else ["--i-know-this-is-demo"]
    call_command("seed_demo", *flag, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_command_refuses_to_seed_a_production_database(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--i-know-this-is-demo"):
        call_command("seed_demo", stdout=io.StringIO())

    assert not User.objects.exists()


@pytest.mark.django_db
def test_command_with_the_demo_flag_warns_about_the_published_password(settings):
    settings.DEBUG = False
    err = io.StringIO()

    call_command("seed_demo", "--i-know-this-is-demo", stdout=io.StringIO(), stderr=err)

    assert "ВНИМАНИЕ" in err.getvalue() and DEMO_PASSWORD in err.getvalue()
    assert User.objects.filter(username="admin", is_superuser=True).exists()


@pytest.mark.django_db
def test_command_seeds_without_the_flag_under_make_run(settings):
    settings.DEBUG = True
    err = io.StringIO()

    call_command("seed_demo", stdout=io.StringIO(), stderr=err)

    assert User.objects.filter(username="admin").exists()
    assert "ВНИМАНИЕ" not in err.getvalue()


@pytest.mark.django_db
def test_command_prints_the_summary_and_the_logins_table():
    output = run_command()

    assert "Демо-данные готовы: 35 школ" in output
    assert DEMO_PASSWORD in output
    for username in ("uo", "region", "imc", "curator", "director", "teacher", "outsider", "admin"):
        assert f"  {username} " in output
    assert "Руководитель школы" in output and "МБОУ СОШ № 3" in output


@pytest.mark.django_db
def test_command_run_twice_says_nothing_was_created():
    run_command()

    output = run_command()

    assert "ничего не создано" in output
    assert School.objects.count() == 38


@pytest.mark.django_db
def test_logins_only_prints_the_table_and_writes_nothing():
    assert "Демо-пользователей нет" in run_command("--logins-only")
    assert not School.objects.exists()

    run_command()
    output = run_command("--logins-only")

    assert "outsider" in output and DEMO_PASSWORD in output
    assert "Демо-данные готовы" not in output


@pytest.mark.django_db
def test_command_refuses_schools_without_municipalities():
    with pytest.raises(CommandError, match="--municipalities"):
        run_command("--schools", "10")
    assert not School.objects.exists()


# --- Region scale --------------------------------------------------------------------------------


def load_schools():
    return School.objects.filter(municipality__region__code=LOAD_REGION_CODE)


@pytest.mark.django_db
def test_region_scale_seed_creates_exactly_the_requested_municipalities_and_schools():
    output = run_command("--municipalities", "3", "--schools", "30")

    region = Region.objects.get(code=LOAD_REGION_CODE)
    assert region.name == "Регион для нагрузочных тестов"
    assert region.municipalities.count() == 3
    assert load_schools().count() == 30
    assert [m.schools.count() for m in region.municipalities.all()] == [10, 10, 10]
    assert home_schools().count() == 35, "the demo district is built as well"
    assert "создано сейчас: муниципалитетов — 3, школ — 30" in output


def test_uneven_region_is_a_city_and_rural_districts_of_uneven_size():
    sizes = load_municipality_sizes(municipalities=10, schools=2000)

    # 28 % of 2,000 in the city; the rest in nine districts between 56 and 251 schools.
    assert sizes == [560, 232, 194, 250, 132, 165, 251, 96, 56, 64]
    assert sum(sizes) == 2000
    assert load_municipality_sizes(municipalities=1, schools=7) == [7]


@pytest.mark.django_db
def test_uneven_region_seed_fills_the_city_first_with_urban_schools():
    output = run_command("--municipalities", "5", "--schools", "400", "--uneven")

    counts = [m.schools.count() for m in Municipality.objects.filter(region__code=LOAD_REGION_CODE).order_by("oktmo")]
    # round(400 × 0.28) = 112 in the city; 288 left over four districts.
    assert counts == [112, 83, 69, 89, 47]
    city = Municipality.objects.get(oktmo="90001000")
    assert set(city.schools.values_list("settlement", flat=True)) == {"urban"}
    assert load_schools().exclude(municipality=city).filter(settlement="rural").exists()
    # School numbers restart in each municipality: the short names are unique within it.
    for municipality in Municipality.objects.filter(region__code=LOAD_REGION_CODE):
        names = list(municipality.schools.values_list("organisation__short_name", flat=True))
        assert len(names) == len(set(names))
    department = User.objects.create(username="uo-city", role=Role.DEPARTMENT, municipality=city)
    assert schools_for(department).count() == 112
    assert "Первый муниципалитет — город: 112 школ; в остальных — от 47 до 89 школ." in output


@pytest.mark.django_db
def test_command_refuses_uneven_without_a_region():
    with pytest.raises(CommandError, match="--uneven"):
        run_command("--uneven")
    assert not School.objects.exists()


@pytest.mark.django_db
def test_region_scale_codes_match_the_fis_oko_pattern_and_avoid_the_demo_range():
    load_region_seed(municipalities=2, schools=20)

    codes = list(load_schools().values_list("code", flat=True))
    assert all(SCHOOL_CODE_RE.match(code) for code in codes)
    assert min(codes) == "edu5000000" and max(codes) == "edu5000019"


@pytest.mark.django_db
def test_region_scale_seed_run_again_adds_only_what_is_missing():
    load_region_seed(municipalities=3, schools=30)
    before = snapshot()

    again = load_region_seed(municipalities=3, schools=30)
    assert (again.municipalities_created, again.schools_created) == (0, 0)
    assert snapshot() == before

    more = load_region_seed(municipalities=3, schools=45)
    assert (more.municipalities_created, more.schools_created) == (0, 15)
    assert load_schools().count() == 45


@pytest.mark.django_db
def test_region_scale_schools_pass_full_clean():
    load_region_seed(municipalities=3, schools=30)

    for school in load_schools().select_related("organisation")[:30:7]:
        school.organisation.full_clean()
        school.full_clean()
        assert inn_check_digit(school.organisation.inn[:9]) == school.organisation.inn[9]
        assert ogrn_check_digit(school.organisation.ogrn[:12]) == school.organisation.ogrn[12]


@pytest.mark.django_db
def test_region_scale_seed_writes_in_batches_not_row_by_row(django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        load_region_seed(municipalities=5, schools=1200)

    assert load_schools().count() == 1200
