"""The demo results: loaded through the real pipeline, idempotent, and shaped as promised."""

import datetime as dt
import io
from statistics import mean

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from core.extensions import DEMO_OPTIONS
from core.tabular import read_tables
from monitoring import demo, imports
from monitoring.models import CURRENT, ContextData, ImportJob, ParticipantResult, Procedure, Subject
from schools.demo import demo_current_year, demo_district_seed

# A December day: one year of results (2025/2026), context data of it and of the current 2026/2027.
SEEDED_ON = dt.date(2026, 12, 6)


def _on(day: dt.date):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(12))), tick=True)


@pytest.fixture
def seeded(db, settings, tmp_path, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VAR_DIR = tmp_path
    monkeypatch.setitem(DEMO_OPTIONS, "years", 1)  # one year keeps the test quick; the shape is the same
    with _on(SEEDED_ON):
        demo_district_seed()
        line = demo.demo_seed()
    return line


def _counts():
    return (
        ParticipantResult.objects.count(),
        ContextData.objects.count(),
        ImportJob.objects.count(),
        sorted(ParticipantResult.objects.values_list("pk", "replaced_by_id")),
    )


def _share(school, condition: Q, procedure=Procedure.VPR) -> float:
    counts = ParticipantResult.objects.filter(CURRENT, school=school, procedure=procedure).aggregate(
        n=Count("pk"), hit=Count("pk", filter=condition)
    )
    return counts["hit"] / counts["n"]


def test_demo_loads_vpr_oge_and_context_of_every_school_through_import_jobs(seeded):
    schools = demo.demo_schools()
    jobs = ImportJob.objects.filter(status=ImportJob.Status.DONE)

    assert sorted(jobs.values_list("layout", flat=True)) == sorted(
        [ImportJob.Layout.CONTEXT, ImportJob.Layout.CONTEXT, ImportJob.Layout.VPR_F1, ImportJob.Layout.RCOI_PROTOCOL]
    )
    assert ContextData.objects.filter(year__start_year=2026).count() == len(schools)
    vpr = ParticipantResult.objects.filter(procedure=Procedure.VPR)
    assert set(vpr.values_list("grade", flat=True)) == {4, 5, 6, 7, 8}
    subjects = {"Русский язык", "Математика", "Окружающий мир", "История"}
    assert set(vpr.values_list("subject__name", flat=True)) == subjects
    oge = ParticipantResult.objects.filter(procedure=Procedure.OGE)
    assert set(oge.values_list("subject__code", flat=True)) == {"01", "02"}
    assert "записано" in seeded


def test_seeding_twice_creates_nothing_new(seeded):
    before = _counts()

    with _on(SEEDED_ON):
        line = demo.demo_seed()

    assert _counts() == before
    assert "ничего не добавлено" in line


def test_low_quality_schools_have_a_higher_share_of_twos_and_harder_conditions(seeded):
    schools = sorted(demo.demo_schools(), key=lambda s: s.quality)
    low, rest = schools[: demo.LOW_SCHOOLS], schools[demo.LOW_SCHOOLS :]
    two = Q(mark=2)

    assert min(_share(s.school, two) for s in low) > 2 * mean(_share(s.school, two) for s in rest)
    gymnasium = next(s for s in schools if s.school.school_type == "gymnasium")
    assert _share(gymnasium.school, two) < min(_share(s.school, two) for s in low) / 5

    def low_income(s):
        return float(ContextData.objects.get(school=s.school, year__start_year=2025).low_income_share)

    assert mean(low_income(s) for s in low) > mean(low_income(s) for s in rest) + 5


def test_schools_that_inflate_journal_marks_stand_out(seeded):
    schools = demo.demo_schools()
    raised = Q(journal_mark__gt=F("mark"))
    inflating = [s for s in schools if s.inflates_journal]
    honest = [s for s in schools if not s.inflates_journal and s.school.has_basic]

    assert len(inflating) == demo.INFLATING_SCHOOLS
    assert min(_share(s.school, raised) for s in inflating) > max(_share(s.school, raised) for s in honest)


def test_years_option_sets_how_many_academic_years_are_loaded(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setitem(DEMO_OPTIONS, "years", 2)

    with _on(dt.date(2026, 12, 6)):  # 2026/2027 has no results before the spring
        assert demo.demo_years() == [2024, 2025]
        monkeypatch.setitem(DEMO_OPTIONS, "years", 5)
        assert demo.demo_years() == list(range(2021, 2026))
    with _on(dt.date(2027, 6, 26)):
        assert demo.demo_years() == list(range(2022, 2027))


def test_seed_demo_years_option_reaches_the_results_demo(db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VAR_DIR = tmp_path

    with _on(dt.date(2026, 12, 6)):
        call_command("seed_demo", "--i-know-this-is-demo", "--years", "1", stdout=io.StringIO())

    # One year of results (2025/2026, the latest with any); context data of the current year too.
    assert set(ParticipantResult.objects.values_list("year__start_year", flat=True)) == {2025}
    assert set(ContextData.objects.values_list("year__start_year", flat=True)) == {2025, 2026}
    assert DEMO_OPTIONS == {}
    with pytest.raises(CommandError, match="--years"):
        call_command("seed_demo", "--i-know-this-is-demo", "--years", "0", stdout=io.StringIO())


def test_sample_files_import_replace_three_schools_and_roll_back(seeded, settings):
    folder = settings.VAR_DIR / "samples"
    before = sorted(ParticipantResult.objects.filter(CURRENT).values_list("pk", flat=True))

    for name in ("vpr_f1_individualnye_rezultaty.xlsx", "oge_protokol_rcoi.xlsx", "kontekstnye_dannye.csv"):
        with (folder / name).open("rb") as handle:
            job = imports.results_import_create(user=None, uploaded_file=handle, original_name=name, queue=False)
        job = imports.results_import_run(job_id=job.pk)
        assert job.status == ImportJob.Status.DONE, job.errors
        assert job.rows_replaced > 0 and job.schools_count == 3
        if job.layout != ImportJob.Layout.CONTEXT:
            imports.import_job_rollback(job=job, user=None)

    assert sorted(ParticipantResult.objects.filter(CURRENT).values_list("pk", flat=True)) == before


SAMPLE_LAYOUTS = {
    "vpr_f1_individualnye_rezultaty.xlsx": ImportJob.Layout.VPR_F1,
    "oge_protokol_rcoi.xlsx": ImportJob.Layout.RCOI_PROTOCOL,
    "kontekstnye_dannye.csv": ImportJob.Layout.CONTEXT,
    "vpr_f3_statistika_po_otmetkam.xlsx": ImportJob.Layout.VPR_F3,
    "vpr_sravnenie_s_zhurnalom.xlsx": ImportJob.Layout.VPR_JOURNAL,
    "ege_otchet_po_shkolam.xlsx": ImportJob.Layout.EGE_REPORT,
    "ege_protokol_rcoi.xlsx": ImportJob.Layout.RCOI_PROTOCOL,
    "pokazateli_shkol.csv": ImportJob.Layout.AGGREGATES,
    "rezultaty_uchastnikov.csv": ImportJob.Layout.RESULTS_CSV,
    demo.SAMPLE_SCHOOL_FORM_FILE: ImportJob.Layout.SCHOOL_FORM,
}


def test_every_layout_has_a_sample_file(seeded):
    written = {path.name for path in demo.samples_dir().iterdir()}

    assert written == set(SAMPLE_LAYOUTS)
    assert set(SAMPLE_LAYOUTS.values()) == set(ImportJob.Layout.values)


def test_each_sample_file_imports_cleanly_on_the_seeded_database_with_the_right_counts(seeded):
    senior = len([s for s in demo.demo_schools() if s.school.has_secondary][:3])
    expected_rows = {
        "ege_protokol_rcoi.xlsx": senior * demo.SAMPLE_PARTICIPANTS,
        "rezultaty_uchastnikov.csv": senior * demo.SAMPLE_PARTICIPANTS,
        "ege_otchet_po_shkolam.xlsx": senior * len(demo.SAMPLE_EGE_REPORT),
        "pokazateli_shkol.csv": senior * len(demo.SAMPLE_AGGREGATES),
        "vpr_f3_statistika_po_otmetkam.xlsx": 3,
        "vpr_sravnenie_s_zhurnalom.xlsx": 3,
        demo.SAMPLE_SCHOOL_FORM_FILE: demo.SAMPLE_PARTICIPANTS,
    }

    for name, layout in SAMPLE_LAYOUTS.items():
        path = demo.samples_dir() / name
        with path.open("rb") as handle:
            sheets = read_tables(handle, name)
        choices = {}
        if layout == ImportJob.Layout.SCHOOL_FORM:
            subject, grade = demo.SAMPLE_SCHOOL_FORM
            choices = {
                "form_school": next(s for s in demo.demo_schools() if s.school.has_basic).school,
                "form_subject": Subject.objects.get(name=subject),
                "form_grade": grade,
            }
        job = imports.results_import_sheets(sheets=sheets, original_name=name, **choices)

        assert (job.status, job.layout) == (ImportJob.Status.DONE, layout), (name, job.errors[:3])
        if name in expected_rows:
            assert job.rows_created == expected_rows[name], name
    ege = ParticipantResult.objects.filter(CURRENT, procedure=Procedure.EGE)
    assert ege.filter(subject__code="01").count() == ege.filter(subject__code="02").count() == senior * 12


def _results_years(procedure) -> set[int]:
    return set(ParticipantResult.objects.filter(procedure=procedure).values_list("year__start_year", flat=True))


@pytest.mark.parametrize(
    ("today", "vpr", "oge"),
    [
        # December 2026: 2026/2027 has begun; its ВПР are written in April, its ОГЭ in June.
        (dt.date(2026, 12, 6), {2024, 2025}, {2024, 2025}),
        # Early June 2027: this spring's ВПР are in, the ОГЭ are being written.
        (dt.date(2027, 6, 10), {2025, 2026}, {2025}),
        # Late June 2027: the ОГЭ protocols have come too.
        (dt.date(2027, 6, 28), {2025, 2026}, {2025, 2026}),
    ],
)
def test_the_demo_holds_no_results_before_they_could_exist(db, settings, tmp_path, monkeypatch, today, vpr, oge):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VAR_DIR = tmp_path
    monkeypatch.setitem(DEMO_OPTIONS, "years", 2)

    with _on(today):
        demo_district_seed()
        demo.demo_seed()
        current = demo_current_year()

    assert current == 2026  # 2026/2027 from 1 September 2026 to 31 August 2027
    assert _results_years(Procedure.VPR) == vpr
    assert _results_years(Procedure.OGE) == oge
    # Context data (ОО-1, the autumn) exist for the current year from its start.
    assert current in set(ContextData.objects.values_list("year__start_year", flat=True))
