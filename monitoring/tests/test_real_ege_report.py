"""The real regional ЕГЭ report (Еврейская автономная область, 2022–2024) imports as published.

The file is kept unchanged (monitoring/tests/real/README.md). The registry below names the
schools and municipalities the way a regional register does (full legal names, «муниципальный
район»), not as the report writes them; the report has no school codes. The region role
uploads it, settles through the matching step the names that do not resolve for sure, and the
test then reads the source cells with openpyxl and compares every stored figure with its cell,
100-scorers included, and every row read is accounted for.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from accounts.models import Role
from monitoring import imports
from monitoring.formats.ege_report import SKIP_APPLICATIONS
from monitoring.imports.names import SKIP_OTHER_MUNICIPALITY
from monitoring.imports.settle import Choice, import_names_settle
from monitoring.models import ImportJob, Procedure, SchoolAggregate
from schools.models import SchoolAlias
from tests.factories import MunicipalityFactory, RegionFactory, SchoolFactory, UserFactory

FILE = Path(__file__).parent / "real" / "ege_by_school_eao_2022-2024.xlsx"
MBOU = "Муниципальное бюджетное общеобразовательное учреждение"
MKOU = "Муниципальное казённое общеобразовательное учреждение"
SOSH = "Средняя общеобразовательная школа"

# municipality as the register names it → [(code, registry name, the name in the report)]
REGISTRY: dict[str, list[tuple[str, str, str]]] = {
    "Город Биробиджан": [
        ("edu790101", f"{MBOU} «Гимназия № 1»", 'МБОУ "Гимназия № 1"'),
        *[
            (f"edu7901{n:02d}", f"{MBOU} «{SOSH} № {n}»", f'МБОУ "СОШ № {n}"')
            for n in (5, 6, 7, 8, 10, 11, 16)
        ],
        ("edu790123", f"{MBOU} «Лицей № 23 с этнокультурным компонентом»",
         'МБОУ "Лицей № 23 с этнокультурным компонентом"'),
        ("edu790130", "Лицей федерального государственного бюджетного образовательного учреждения высшего "
                      "образования «Приамурский государственный университет имени Шолом-Алейхема»",
         'Лицей ФГБОУВО "Приамурский государственный университет имени Шолом-Алейхема"'),
        ("edu790131", f"Федеральное казённое общеобразовательное учреждение «{SOSH} Управления Федеральной службы "
                      "исполнения наказаний по Еврейской автономной области»",
         'ФКОУ "СОШ управления федеральной службы исполнения наказаний по Еврейской автономной области"'),
    ],
    "Биробиджанский муниципальный район": [
        ("edu790201", f"{MKOU} «{SOSH} с. Бирофельд»", 'МКОУ "СОШ с.Бирофельд"'),
        ("edu790202", f"{MKOU} «{SOSH} имени И.А. Пришкольника с. Валдгейм»",
         'МКОУ "СОШ им.И.А. Пришкольника с.Валдгейм"'),
        ("edu790203", f"{MKOU} «{SOSH} с. Дубовое»", 'МКОУ "СОШ с.Дубовое"'),
        ("edu790204", f"{MKOU} «{SOSH} с. Найфельд»", 'МКОУ "СОШ с.Найфельд"'),
        ("edu790205", f"{MKOU} «Центр образования имени В.И. Пеллера»", 'МКОУ "Центр образвоания им.В.И. Пеллера"'),
        ("edu790206", f"{MKOU} «{SOSH} с. Надеждинское»", ""),
    ],
    "Ленинский муниципальный район": [
        (f"edu79030{n}", f"{MKOU} «{SOSH} с. {village}»", f'МКОУ "СОШ с. {village}' + ('"' if n < 4 else ""))
        for n, village in enumerate(("Бабстово", "Биджан", "Дежнево", "Лазарево", "Ленинское"), 1)
    ],
    "Облученский муниципальный район": [
        ("edu790402", f"{MBOU} «{SOSH} № 2 г. Облучье»", 'МБОУ "СОШ № 2 г.Облучье"'),
        ("edu790403", f"{MBOU} «{SOSH} № 3 имени Героя Советского Союза Ю.В. Тварковского»",
         'МБОУ "СОШ № 3 им. Героя Советского Союза Ю.В. Тварковского"'),
        ("edu790404", f"{MKOU} «{SOSH} № 4 п. Хинганск»", 'МКОУ "СОШ № 4 п.Хинганск"'),
        ("edu790405", f"{MKOU} «{SOSH} № 5 с. Пашково»", 'МКОУ "СОШ № 5 с.Пашково"'),
        ("edu790427", "Частное общеобразовательное учреждение «Школа-интернат № 27 среднего общего образования "
                      "открытого акционерного общества «Российские железные дороги»»",
         'ЧАУ Школа-интернат № 27 ОАО РДЖ"" '),
        ("edu790409", f"{MKOU} «{SOSH} № 9 п. Известковый»", 'МКОУ СОШ № 9 п.Известковый"'),
        ("edu790410", f"{MKOU} «Центр образования имени А.И. Раскопенского п. Кульдур»",
         'МКОУ Центр образовнаия им.А.И. Раскопенского п.Кульдур"'),
        ("edu790415", f"{MBOU} «{SOSH} № 15 п. Биракан»", 'МБОУ СОШ № 15 п.Биракан"'),
        ("edu790418", f"{MKOU} «{SOSH} № 18 п. Теплозерск»", 'МКОУ "СОШ № 18 п.Теплозерск"'),
        ("edu790424", f"{MBOU} «{SOSH} № 24 п. Бира»", 'МБОУ "СОШ № 24 п.Бира"'),
    ],
    "Октябрьский муниципальный район": [
        ("edu790501", f"{MBOU} «{SOSH} с. Амурзет»", 'МБОУ "СОШ с.Амурзет"'),
        ("edu790502", f"{MKOU} «{SOSH} с. Екатерино-Никольское»", 'МКОУ "СОШ с.Екатерино-Никольское"'),
    ],
    "Смидовичский муниципальный район": [
        (f"edu7906{n:02d}", f"{MBOU} «{SOSH} № {n} {place}»", f'МБОУ "СОШ № {n} {place.replace(". ", ".")}"')
        for n, place in (
            (1, "п. Смидович"), (2, "п. Николаевка"), (3, "п. Смидович"), (4, "с. Даниловка"), (5, "с. Камышовка"),
            (7, "п. Николаевка"), (8, "с. Аур"), (10, "п. Волочаевка"), (11, "с. Волочаевка"), (18, "п. Приамурский"),
        )
    ],
}  # fmt: skip
# The report's subject headers, in order, and the subject each is (by hand).
SUBJECTS = (
    ("Русский язык", "01"),
    ("Математика (профиль)", "02"),
    ("Иностранные языки", "ИН-ЯЗ"),
    ("История", "07"),
    ("Литература", "18"),
    ("Обществознание", "12"),
    ("ИКТ", "05"),
    ("Химия", "04"),
    ("Физика", "03"),
    ("Биология", "06"),
    ("География", "08"),
)
FIRST_SUBJECT_COLUMN = 5  # E: «приняло участие» of Русский язык; five columns per subject
# The report's municipality rows → the register's municipality (by hand).
FILE_MUNICIPALITIES = {
    "город биробиджан": "Город Биробиджан",
    "биробиджанский район": "Биробиджанский муниципальный район",
    "ленинский район": "Ленинский муниципальный район",
    "облученский район": "Облученский муниципальный район",
    "октябрьский район": "Октябрьский муниципальный район",
    "смидовичский район": "Смидовичский муниципальный район",
}
RESULT_SHEETS = {"2023": 2022, "2022": 2021}  # sheet → academic year it reports (the exams are in summer)


@pytest.fixture
def eao(db):
    return eao_registry()


def eao_registry():
    """The region, its municipalities and schools as the register names them; and the code of
    each school by (municipality, the name the report gives it)."""
    region = RegionFactory(name="Еврейская автономная область", code="79")
    codes_by_name: dict[tuple[str, str], str] = {}
    for number, (municipality_name, schools) in enumerate(REGISTRY.items()):
        municipality = MunicipalityFactory(region=region, name=municipality_name, oktmo=f"9970{number}000")
        for code, name, in_report in schools:
            SchoolFactory(municipality=municipality, code=code, organisation__name=name, organisation__short_name="")
            if in_report:
                codes_by_name[(municipality_name, in_report.strip())] = code
    return region, codes_by_name


def _upload(user, django_capture_on_commit_callbacks, **options) -> ImportJob:
    with django_capture_on_commit_callbacks(execute=True), FILE.open("rb") as handle:
        job = imports.results_import_create(user=user, uploaded_file=handle, original_name=FILE.name, **options)
    job.refresh_from_db()
    return job


def _settle_by_hand(job: ImportJob, user, codes_by_name, django_capture_on_commit_callbacks) -> ImportJob:
    """The matching step as a person does it: the right school of each name, which must be offered."""
    from schools.models import School

    choices = []
    for index, entry in enumerate(job.pending_names):
        assert entry["kind"] == "school", entry
        municipality = next(name for name in REGISTRY if name == entry["municipality"])
        school = School.objects.get(code=codes_by_name[(municipality, entry["name"].strip())])
        # The right school is among the candidates shown with their scores.
        assert school.pk in [candidate["pk"] for candidate in entry["candidates"]], entry
        choices.append(Choice(index, school.pk))
    with django_capture_on_commit_callbacks(execute=True):
        import_names_settle(job=job, user=user, choices=choices)
    job.refresh_from_db()
    return job


def _source_figures(codes_by_name) -> tuple[dict[tuple, dict], int, int]:
    """Every school's figures as the source cells give them; the rows read and the school rows with data."""
    book = load_workbook(FILE)
    expected: dict[tuple, dict] = {}
    rows_read = school_rows = 0
    for sheet_name, year_start in RESULT_SHEETS.items():
        sheet = book[sheet_name]
        for position, (title, _code) in enumerate(SUBJECTS):
            header = sheet.cell(7, FIRST_SUBJECT_COLUMN + 5 * position).value
            assert header.startswith(title), header  # the layout this test reads by hand
        municipality = ""
        for row in range(9, sheet.max_row + 1):
            values = [sheet.cell(row, col).value for col in range(1, sheet.max_column + 1)]
            if all(value is None for value in values):
                continue
            rows_read += 1
            if isinstance(values[0], str):
                municipality = values[0]
            name = values[1]
            if not isinstance(name, str):
                continue  # numbering, region total, municipality subtotal
            registry_municipality = FILE_MUNICIPALITIES[municipality.lower()]
            code = codes_by_name[(registry_municipality, name.strip())]
            took_any = False
            for position, (_title, subject) in enumerate(SUBJECTS):
                first = FIRST_SUBJECT_COLUMN + 5 * position
                participants, below, high, full, mean = (sheet.cell(row, first + i).value for i in range(5))
                if participants is None:
                    assert (below, high, full, mean) == (None, None, None, None)
                    continue
                took_any = True
                expected[(year_start, subject, code)] = {
                    "participants": participants,
                    "below_minimum": below or 0,
                    "high_scorers": high or 0,
                    "full_scorers": full or 0,
                    "mean_score": mean,
                }
            school_rows += took_any
    applications = book["2024"]
    for row in range(8, applications.max_row + 1):
        if any(applications.cell(row, col).value is not None for col in range(1, applications.max_column + 1)):
            rows_read += 1
    return expected, rows_read, school_rows


def test_the_real_regional_ege_report_imports_as_published(eao, django_capture_on_commit_callbacks):
    region, codes_by_name = eao
    user = UserFactory(username="region-eao", role=Role.REGION, region=region)

    job = _upload(user, django_capture_on_commit_callbacks)

    # Nothing is written before the names that do not resolve for sure are settled by a person.
    assert job.status == ImportJob.Status.MATCHING, (job.errors, job.error)
    assert SchoolAggregate.objects.count() == 0
    asked = {entry["name"].strip() for entry in job.pending_names}
    assert asked and len(asked) < 10, asked  # most names resolve by themselves
    assert 'МКОУ "Центр образвоания им.В.И. Пеллера"' in asked  # a misspelt name is never guessed

    job = _settle_by_hand(job, user, codes_by_name, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.DONE, (job.errors, job.pending_names)
    expected, rows_read, school_rows = _source_figures(codes_by_name)
    stored = {
        (a.year.start_year, a.subject.code, a.school.code): a
        for a in SchoolAggregate.objects.filter(replaced_by=None).select_related("year", "subject", "school")
    }
    assert set(stored) == set(expected)
    for key, figures in expected.items():
        aggregate = stored[key]
        assert aggregate.procedure == Procedure.EGE and aggregate.grade == 0
        for field in ("participants", "below_minimum", "high_scorers", "full_scorers"):
            assert getattr(aggregate, field) == figures[field], (key, field)
        if figures["mean_score"] is None:
            assert aggregate.mean_score is None, key
        else:
            assert abs(aggregate.mean_score - Decimal(str(figures["mean_score"]))) <= Decimal("0.005"), key
    # The 100-scorers are kept: the source has some, every one of them stored.
    hundreds = sum(figures["full_scorers"] for figures in expected.values())
    assert hundreds > 0 and sum(a.full_scorers or 0 for a in stored.values()) == hundreds
    # Every row read is accounted for: a school's row written, or skipped on purpose with its reason.
    assert job.error_count == 0 and job.total_rows == rows_read
    assert job.total_rows == school_rows + job.rows_skipped == school_rows + len(job.skipped)
    assert {s["sheet"] for s in job.skipped if s["message"] == SKIP_APPLICATIONS} == {"2024"}
    assert job.rows_created == len(expected)

    # The choices are remembered: the same file again asks nothing and changes nothing.
    assert SchoolAlias.objects.count() == len(asked)
    again = _upload(user, django_capture_on_commit_callbacks)
    assert again.status == ImportJob.Status.DONE, (again.errors, again.pending_names)
    assert (again.rows_created, again.slices_unchanged) == (0, len(expected))


def test_a_department_imports_its_own_rows_of_the_regional_file(eao, django_capture_on_commit_callbacks):
    region, codes_by_name = eao
    leninsky = next(m for m in region.municipalities.all() if m.name.startswith("Ленинский"))
    department = UserFactory(username="leninsky", role=Role.DEPARTMENT, municipality=leninsky)

    refused = _upload(department, django_capture_on_commit_callbacks)

    # Without the choice: one error that says how many rows are the others' and what to choose.
    assert refused.status == ImportJob.Status.FAILED
    [error] = refused.errors
    assert "только строки моего муниципалитета" in error["message"]

    job = _upload(department, django_capture_on_commit_callbacks, own_municipality_only=True)

    assert job.status == ImportJob.Status.DONE, (job.errors, job.pending_names)
    schools = set(SchoolAggregate.objects.values_list("school__municipality", flat=True))
    assert schools == {leninsky.pk}
    mine = {code for (municipality, _name), code in codes_by_name.items() if municipality == leninsky.name}
    assert set(SchoolAggregate.objects.values_list("school__code", flat=True)) == mine
    others = sum(1 for s in job.skipped if s["message"].startswith(SKIP_OTHER_MUNICIPALITY[:20]))
    # 2023 and 2022: every school row outside Ленинский район (46 of 51 on each sheet) is counted.
    assert others > 60
    written_rows = len({(a.year_id, a.school_id) for a in SchoolAggregate.objects.all()})
    assert job.total_rows == written_rows + job.rows_skipped


def test_the_region_role_cannot_load_another_regions_school(eao, django_capture_on_commit_callbacks):
    other = RegionFactory(name="Амурская область", code="28")
    user = UserFactory(username="amur", role=Role.REGION, region=other)
    MunicipalityFactory(region=other, name="Город Биробиджан", oktmo="10701000")

    job = _upload(user, django_capture_on_commit_callbacks)

    # The other region has none of these schools: nothing is written, names are asked about.
    assert job.status in (ImportJob.Status.MATCHING, ImportJob.Status.FAILED)
    assert SchoolAggregate.objects.count() == 0


def test_the_real_file_bytes_are_unchanged():
    content = FILE.read_bytes()
    assert load_workbook(io.BytesIO(content)).sheetnames == ["2024", "2023", "2022"]
