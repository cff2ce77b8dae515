"""The director's progress form: evidence checked by content, the edit conflict, review and resubmission."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.sample_documents import tiny_image
from roadmaps import services
from roadmaps.models import Evidence, MeasureStatus, ProgressReport, ReviewComment
from roadmaps.tests.builders import PDF_BYTES, report_of, roadmap_of

R = ProgressReport.Status
PNG = tiny_image("PNG")


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX_WITH_MACROS = _zip(
    {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "xl/vbaProject.bin": b"\x00" * 10}
)
PLAIN_ZIP = _zip({"[Content_Types].xml": b"<Types/>", "readme.txt": b"hello"})


def _url(roadmap, period):
    return reverse("roadmaps:progress", args=[roadmap.pk, period.pk])


def _form_data(report, *, version=None, status="in_progress", percent=40, comment="", **extra):
    data = {"version": report.version if version is None else version, "self_assessment": "Идём по плану"}
    for item in report.items.all():
        data[f"status_{item.measure_id}"] = status
        data[f"percent_{item.measure_id}"] = percent
        data[f"comment_{item.measure_id}"] = comment
    data.update(extra)
    return data


@pytest.fixture
def opened(client, director, programme, period):
    """The director opened the form: the report exists with a row per measure."""
    client.force_login(director)
    assert client.get(_url(programme, period)).status_code == 200
    return ProgressReport.objects.get(roadmap=programme, period=period)


def test_opening_the_form_creates_a_draft_with_a_row_per_measure(opened, programme):
    assert opened.status == R.DRAFT
    assert set(opened.items.values_list("measure_id", flat=True)) == set(
        programme.measures.values_list("pk", flat=True)
    )


def test_director_saves_progress_with_a_file_stored_under_a_name_of_our_own(client, opened, programme, period):
    first = opened.items.order_by("measure_id").first()
    upload = SimpleUploadedFile("../../etc/протокол.pdf", PDF_BYTES, content_type="application/octet-stream")

    response = client.post(
        _url(programme, period),
        _form_data(opened, comment="Проведено 2 семинара", **{f"files_{first.measure_id}": upload}),
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.kind == "pdf"
    assert evidence.original_name == "протокол.pdf"  # Django drops the path part
    assert "протокол" not in evidence.file.name and ".." not in evidence.file.name
    assert evidence.file.name.endswith(f"{evidence.token}.pdf")
    first.refresh_from_db()
    assert (first.percent, first.comment) == (40, "Проведено 2 семинара")
    opened.refresh_from_db()
    assert opened.version == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00 this is a program", "не похож на документ"),
        ("plan.xlsx", XLSX_WITH_MACROS, "макрос"),
        ("archive.docx", PLAIN_ZIP, "архив, а не документ"),
        ("empty.png", b"", "пуст"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_written(
    client, opened, programme, period, name, content, message
):
    first = opened.items.first()
    upload = SimpleUploadedFile(name, content)

    response = client.post(
        _url(programme, period), _form_data(opened, comment="x", **{f"files_{first.measure_id}": upload})
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.exists()
    first.refresh_from_db()
    assert first.comment == ""  # all or nothing


def test_a_file_over_the_size_limit_is_refused(client, opened, programme, period, settings):
    settings.ROADMAP_EVIDENCE_MAX_BYTES = 1024
    first = opened.items.first()
    upload = SimpleUploadedFile("big.png", PNG + b"\x00" * 2048)

    response = client.post(_url(programme, period), _form_data(opened, **{f"files_{first.measure_id}": upload}))

    assert "больше допустимых" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("a.docx", DOCX, "docx"), ("b.png", PNG, "png"), ("c.jpg", tiny_image("JPEG"), "jpg")],
)
def test_real_documents_and_images_are_accepted_by_content(client, opened, programme, period, name, content, kind):
    first = opened.items.first()

    client.post(
        _url(programme, period), _form_data(opened, **{f"files_{first.measure_id}": SimpleUploadedFile(name, content)})
    )

    assert Evidence.objects.get().kind == kind


def test_the_second_of_two_savers_is_refused_and_keeps_what_they_typed(client, opened, programme, period, director):
    seen_version = opened.version
    # Somebody else (another tab, a deputy) saved first.
    client.post(_url(programme, period), _form_data(opened, version=seen_version, comment="Первая правка"))

    response = client.post(
        _url(programme, period), _form_data(opened, version=seen_version, comment="Моя длинная правка")
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "уже изменил другой пользователь" in body
    assert "Моя длинная правка" in body
    assert set(opened.items.values_list("comment", flat=True)) == {"Первая правка"}


def test_the_optimistic_lock_holds_in_the_service_too(opened, director):
    items = {i.measure_id: services.ItemInput("in_progress", 10, "a", []) for i in opened.items.all()}
    services.report_save(report=opened, user=director, version=1, self_assessment="", items=items)

    with pytest.raises(services.EditConflict):
        services.report_save(report=opened, user=director, version=1, self_assessment="", items=items)


def test_a_done_measure_that_requires_evidence_cannot_be_submitted_without_a_file(client, opened, programme, period):
    response = client.post(_url(programme, period), _form_data(opened, status="done", percent=100, submit="1"))

    assert services.EVIDENCE_MISSING.format(measures="Семинар по критериям оценивания № 1") in response.content.decode()
    opened.refresh_from_db()
    assert opened.status == R.DRAFT


def test_done_means_one_hundred_percent(client, opened, programme, period):
    response = client.post(_url(programme, period), _form_data(opened, status="done", percent=70))

    assert "это 100 %" in response.content.decode()


def test_submit_return_resubmit_accept(client, opened, programme, period, director, curator, department, run_on_commit):
    first = opened.items.order_by("measure_id").first()
    client.post(_url(programme, period), _form_data(opened, submit="1"))
    opened.refresh_from_db()
    assert opened.status == R.SUBMITTED

    # The curator returns it with a comment on one measure.
    run_on_commit(
        services.report_review, report=opened, user=curator, accept=False, comment="",
        measure_comments={first.measure_id: "Приложите протокол"},
    )  # fmt: skip
    opened.refresh_from_db()
    assert opened.status == R.RETURNED
    assert ReviewComment.objects.get().measure_id == first.measure_id
    assert mail.outbox[-1].to == [director.email]
    assert "возвращён" in mail.outbox[-1].subject

    # The director sees the comment in the form, attaches the file and sends it again.
    page = client.get(_url(programme, period)).content.decode()
    assert "Приложите протокол" in page
    client.post(
        _url(programme, period),
        _form_data(
            opened,
            status="done",
            percent=100,
            submit="1",
            **{f"files_{first.measure_id}": SimpleUploadedFile("p.pdf", PDF_BYTES)},
        ),
    )
    opened.refresh_from_db()
    assert opened.status == R.SUBMITTED

    run_on_commit(services.report_review, report=opened, user=department, accept=True)
    opened.refresh_from_db()
    assert opened.status == R.ACCEPTED
    assert set(programme.measures.values_list("status", flat=True)) == {MeasureStatus.DONE}
    assert "принят" in mail.outbox[-1].subject


@pytest.mark.parametrize("status", [R.DRAFT, R.RETURNED, R.ACCEPTED])
def test_only_a_submitted_report_can_be_accepted_or_returned(programme, period, department, status):
    report = report_of(programme, period, status=status)

    with pytest.raises(services.TransitionRefused):
        services.report_review(report=report, user=department, accept=True)
    with pytest.raises(services.TransitionRefused):
        services.report_review(report=report, user=department, accept=False, comment="нет")


def test_returning_a_report_needs_a_comment(programme, period, department):
    report = report_of(programme, period)

    with pytest.raises(services.TransitionRefused) as refused:
        services.report_review(report=report, user=department, accept=False)
    assert refused.value.message == services.REPORT_RETURN_WITHOUT_COMMENT


def test_an_accepted_report_cannot_be_edited(client, programme, period, director):
    report = report_of(programme, period, status=R.ACCEPTED)
    client.force_login(director)

    response = client.get(_url(programme, period))

    assert response.status_code == 302
    assert response["Location"] == reverse("roadmaps:review", args=[report.pk])
    with pytest.raises(services.TransitionRefused):
        services.report_submit(report=report, user=director)


def test_a_director_edits_only_their_schools_programme(client, director, other_school, department, period):
    foreign = roadmap_of(school=other_school, created_by=department)
    client.force_login(director)

    assert client.get(_url(foreign, period)).status_code == 404
    assert client.get(reverse("roadmaps:builder", args=[foreign.pk])).status_code == 404


def test_a_curator_reviews_only_assigned_schools(client, curator, other_school, department, period):
    report = report_of(roadmap_of(school=other_school, created_by=department), period)
    client.force_login(curator)

    response = client.post(reverse("roadmaps:review", args=[report.pk]), {"decision": "accept"})

    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == R.SUBMITTED


def test_a_teacher_may_read_but_not_review(client, teacher, programme, period):
    report = report_of(programme, period)
    client.force_login(teacher)

    assert client.get(reverse("roadmaps:review", args=[report.pk])).status_code == 200
    assert client.post(reverse("roadmaps:review", args=[report.pk]), {"decision": "accept"}).status_code == 403


def test_evidence_is_served_only_through_the_checked_view(client, opened, programme, period, outsider):
    first = opened.items.first()
    client.post(
        _url(programme, period),
        _form_data(opened, **{f"files_{first.measure_id}": SimpleUploadedFile("p.pdf", PDF_BYTES)}),
    )
    evidence = Evidence.objects.get()

    response = client.get(reverse("roadmaps:evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]

    client.force_login(outsider)
    assert client.get(reverse("roadmaps:evidence", args=[evidence.pk])).status_code == 404


def test_a_period_not_yet_open_cannot_be_reported(client, director, programme, municipality, department):
    from roadmaps.tests.builders import period_of

    future = period_of(municipality, created_by=department, name="Будущий", days_open=-5, due_in=30)
    client.force_login(director)

    response = client.get(_url(programme, future), follow=True)

    opens_on = services.PERIOD_NOT_OPEN.format(name=future.name, opens_on=future.opens_on)
    assert opens_on in response.content.decode()
    assert not ProgressReport.objects.filter(period=future).exists()


def test_a_refused_submit_leaves_no_file_behind(client, opened, programme, period, settings):
    _first, second = opened.items.order_by("measure_id")
    data = _form_data(opened, status="done", percent=100, submit="1")
    data[f"files_{second.measure_id}"] = SimpleUploadedFile("photo.png", PNG)

    response = client.post(_url(programme, period), data)

    assert services.EVIDENCE_MISSING.format(measures="Семинар по критериям оценивания № 1") in response.content.decode()
    assert not Evidence.objects.exists()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []


def test_files_written_before_a_failure_are_removed_with_the_rollback(opened, director, settings, monkeypatch):
    def broken_submit(**kwargs):
        raise RuntimeError("the mail server is down")

    monkeypatch.setattr(services, "report_submit", broken_submit)
    items = {
        i.measure_id: services.ItemInput("in_progress", 10, "", [SimpleUploadedFile("p.pdf", PDF_BYTES)])
        for i in opened.items.all()
    }

    with pytest.raises(RuntimeError):
        services.report_save(
            report=opened, user=director, version=opened.version, self_assessment="", items=items, submit=True
        )

    assert not Evidence.objects.exists()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []


def test_an_objective_with_reported_measures_cannot_be_deleted(programme, period, director):
    from roadmaps.models import Roadmap

    report_of(programme, period)
    Roadmap.objects.filter(pk=programme.pk).update(status=Roadmap.Status.RETURNED)
    programme.refresh_from_db()

    with pytest.raises(services.TransitionRefused) as refused:
        services.objective_delete(objective=programme.objectives.first(), user=director)
    assert refused.value.message == services.GOAL_HAS_REPORTS
    assert programme.measures.count() == 2


def test_a_measure_added_after_the_report_was_opened_gets_its_row(client, opened, programme, period, director):
    from roadmaps.models import Measure

    objective = programme.objectives.first()
    added = Measure.objects.create(
        objective=objective,
        roadmap=programme,
        title="Новое мероприятие",
        starts_on=period.opens_on,
        due_on=period.due_on,
    )

    client.get(_url(programme, period))

    assert opened.items.filter(measure=added).exists()


def test_the_hostile_corpus_is_refused_through_the_form_in_russian(client, opened, programme, period, settings):
    """Every file of tests/hostile_uploads.py posted as evidence through the director's form: a
    Russian message on the page (400), no Evidence row, nothing on disk (tests/test_upload_fields_http.py)."""
    from tests.hostile_uploads import CORPUS
    from tests.test_hostile_uploads import _russian_only

    first = opened.items.first()
    wrong = []
    for hostile in CORPUS:
        upload = SimpleUploadedFile(hostile.name, hostile.build())
        response = client.post(_url(programme, period), _form_data(opened, **{f"files_{first.measure_id}": upload}))
        said = [error for errors in response.context["form"].errors.values() for error in errors]
        if response.status_code != 400 or not said or not all(_russian_only(text) for text in said):
            wrong.append(f"{hostile.slug}: {response.status_code} {said}")
    stored = (
        [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] if Path(settings.MEDIA_ROOT).exists() else []
    )
    assert not wrong, "\n".join(wrong)
    assert not Evidence.objects.exists() and stored == []
