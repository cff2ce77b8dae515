import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.pdf import local_path, render_pdf
from events import selectors, services
from events.models import Event, EventMaterial, Registration
from events.tests.factories import PDF_BYTES, EnrolmentFactory, EventFactory, PracticeFactory, RegistrationFactory


@pytest.fixture
def held_event(municipality):
    start = timezone.now() - dt.timedelta(days=1)
    return EventFactory(
        municipality=municipality, status="closed", starts_at=start, ends_at=start + dt.timedelta(hours=3), hours=3
    )


def test_methodologist_creates_a_draft_and_publishes_it(client, methodologist, municipality):
    client.force_login(methodologist)
    start = timezone.localtime() + dt.timedelta(days=7)
    response = client.post(
        reverse("events:staff_event_create"),
        {
            "kind": "seminar",
            "title": "Смысловое чтение на уроках",
            "description": "Описание",
            "location": "ИМЦ",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "hours": "2",
            "capacity": "25",
            "audience": ["supported", "teachers"],
        },
    )
    event = Event.objects.get()
    assert response.status_code == 302
    assert (event.status, event.municipality, event.audience) == ("draft", municipality, ["supported", "teachers"])
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 404

    client.post(reverse("events:staff_event_action", args=[event.pk, "publish"]))

    event.refresh_from_db()
    assert event.status == "published"
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 200


def test_event_form_refuses_an_end_before_the_start(client, methodologist):
    client.force_login(methodologist)
    start = timezone.localtime() + dt.timedelta(days=7)
    response = client.post(
        reverse("events:staff_event_create"),
        {"kind": "seminar", "title": "X", "location": "ИМЦ", "hours": "2",
         "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
         "ends_at": (start - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip

    assert "Окончание не может быть раньше начала" in response.content.decode()
    assert not Event.objects.exists()


def test_bulk_attendance_marks_ticked_and_unmarks_the_rest(client, methodologist, held_event):
    came, missed = RegistrationFactory(event=held_event), RegistrationFactory(event=held_event, attended=True)
    waiting = RegistrationFactory(event=held_event, status="waitlisted")
    client.force_login(methodologist)

    client.post(reverse("events:staff_attendance", args=[held_event.pk]), {"attended": [came.pk]})

    came.refresh_from_db(), missed.refresh_from_db(), waiting.refresh_from_db()
    assert (came.attended, missed.attended, waiting.attended) == (True, False, False)


def test_attendance_cannot_be_marked_before_the_event(event):
    registration = RegistrationFactory(event=event)

    with pytest.raises(ValidationError) as refused:
        services.event_attendance_save(event=event, attended_ids={registration.pk})
    assert refused.value.message == services.ATTENDANCE_TOO_EARLY
    registration.refresh_from_db()
    assert not registration.attended


def test_attendance_form_of_another_municipality_is_404(client, outsider, held_event):
    registration = RegistrationFactory(event=held_event)
    client.force_login(outsider)

    response = client.post(reverse("events:staff_attendance", args=[held_event.pk]), {"attended": [registration.pk]})

    assert response.status_code == 404
    registration.refresh_from_db()
    assert not registration.attended


def test_export_lists_every_participant_with_status_and_attendance(
    client, department, held_event, school, django_capture_on_commit_callbacks
):
    from reports.tests.registry import participants_xlsx

    RegistrationFactory(event=held_event, full_name="Орлова Нина", school=school, attended=True)
    RegistrationFactory(event=held_event, full_name="Титов Олег", status="waitlisted")
    client.force_login(department)

    content = participants_xlsx(client, django_capture_on_commit_callbacks, held_event)

    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "ФИО"
    assert {(r[0], r[2], r[6], r[7]) for r in rows[1:]} == {
        ("Орлова Нина", "edu980001", "Записан", "да"),
        ("Титов Олег", None, "В листе ожидания", None),
    }


def test_staff_event_page_takes_a_fixed_number_of_queries(
    client, methodologist, held_event, django_assert_max_num_queries
):
    for _ in range(40):
        RegistrationFactory(event=held_event, attended=True)
    client.force_login(methodologist)

    with django_assert_max_num_queries(16):
        assert client.get(reverse("events:staff_event", args=[held_event.pk])).status_code == 200


def test_report_publication_needs_a_held_event_and_a_summary(held_event):
    with pytest.raises(ValidationError):
        services.event_publish_report(event=held_event, summary="Итоги")
    services.event_mark_held(event=held_event)
    with pytest.raises(ValidationError) as refused:
        services.event_publish_report(event=held_event, summary="  ")
    assert refused.value.message == services.REPORT_NEEDS_RESULTS

    services.event_publish_report(event=held_event, summary="Итоги")

    assert held_event.status == Event.Status.REPORT_PUBLISHED


def test_photo_upload_checks_the_content_not_the_name(held_event):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")

    with pytest.raises(ValidationError, match="JPEG или PNG"):
        services.event_material_add(event=held_event, upload=fake, title="Фото", kind=EventMaterial.Kind.PHOTO)
    assert not EventMaterial.objects.exists()


def test_material_upload_stores_a_pdf_under_a_random_name(held_event):
    upload = SimpleUploadedFile("../../etc/passwd.pdf", PDF_BYTES, content_type="application/pdf")

    material = services.event_material_add(event=held_event, upload=upload, title="", kind="material")

    assert material.extension == "pdf"
    assert "passwd" not in material.file.name
    assert material.file.read() == PDF_BYTES


def test_a_macro_document_is_refused(held_event):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("word/vbaProject.bin", "macro")
    upload = SimpleUploadedFile("plan.docx", buffer.getvalue())

    with pytest.raises(ValidationError, match="макросами"):
        services.event_material_add(event=held_event, upload=upload, title="План", kind="material")


def test_certificate_is_a_pdf_with_the_participants_name(held_event, school):
    from pypdf import PdfReader

    registration = RegistrationFactory(event=held_event, full_name="Воробьёва Юлия Андреевна", school=school)
    services.registration_mark_attended(registration=registration, attended=True)

    content = render_pdf("events/certificate.html", {"registration": registration, "event": held_event})

    assert content.startswith(b"%PDF")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())
    assert "Воробьёва Юлия Андреевна" in text
    assert held_event.title in text


def test_certificate_link_of_someone_who_did_not_come_is_404(client, held_event):
    registration = RegistrationFactory(event=held_event)
    url = reverse("events:registration_certificate", args=[selectors.registration_token(registration)])

    assert client.get(url).status_code == 404


def test_pdf_fetcher_serves_our_static_files_and_nothing_else(settings):
    assert local_path("http://opora.invalid/static/fonts/pt-sans/pt-sans-cyrillic-400-normal.woff2").is_file()
    assert local_path("http://opora.invalid/static/../../config/settings.py") is None
    assert local_path("http://opora.invalid/media/../../etc/passwd") is None
    assert local_path("https://example.com/static/x.css") is None
    assert local_path("file:///etc/passwd") is None


def test_feedback_is_accepted_only_from_those_who_came(client, held_event):
    came = RegistrationFactory(event=held_event, attended=True)
    absent = RegistrationFactory(event=held_event)
    services.event_mark_held(event=held_event)

    for registration in (came, absent):
        client.post(
            reverse("events:registration", args=[selectors.registration_token(registration)]),
            {"action": "feedback", "rating": "5", "comment": "Полезно"},
        )

    assert selectors.event_feedback_summary(event=held_event)["count"] == 1
    came.refresh_from_db()
    assert came.feedback.rating == 5


def test_enrolment_completion_is_recorded(client, methodologist, municipality):
    enrolment = EnrolmentFactory(programme__municipality=municipality, enrolled_on=dt.date(2026, 2, 1))
    client.force_login(methodologist)

    client.post(
        reverse("events:staff_enrolment_complete", args=[enrolment.pk]),
        {"completed_on": "2026-05-30", "certificate_number": "УД-123"},
    )

    enrolment.refresh_from_db()
    assert (enrolment.completed_on, enrolment.certificate_number) == (dt.date(2026, 5, 30), "УД-123")


def test_school_card_shows_its_teachers_attendance_and_hours(client, department, school, other_school, held_event):
    for _ in range(2):
        registration = RegistrationFactory(event=held_event, school=school)
        services.registration_mark_attended(registration=registration, attended=True)
    RegistrationFactory(event=held_event, school=school)  # registered, did not come
    RegistrationFactory(event=held_event, school=other_school, attended=True)
    client.force_login(department)

    body = client.get(reverse("schools:detail", args=[school.pk])).content.decode()

    assert selectors.school_attendance(school=school)["count"] == 2
    assert "Посещений: <strong>2</strong>" in body
    assert "<strong>6</strong> ак. ч." in body


def test_a_waitlisted_person_cannot_be_marked_present(event):
    registration = RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)

    with pytest.raises(ValidationError):
        services.registration_mark_attended(registration=registration, attended=True)


# --- Practice search: PostgreSQL full text there, a folded substring on SQLite ------------------------------


@pytest.fixture
def practices(municipality):
    return [
        PracticeFactory(municipality=municipality, title="Смысловое чтение на уроках истории", subjects="история"),
        PracticeFactory(municipality=municipality, title="Ёмкие задачи по математике", subjects="математика"),
        PracticeFactory(municipality=municipality, title="Черновик про чтение", status="draft"),
    ]


def test_practice_search_finds_published_practices_by_a_word(client, practices):
    body = client.get(reverse("events:practice_list"), {"q": "чтение"}).content.decode()

    assert "Смысловое чтение на уроках истории" in body
    assert "Ёмкие задачи" not in body
    assert "Черновик про чтение" not in body


def test_practice_search_reads_yo_as_ye(practices):
    found = selectors.practice_search(selectors.public_practices(), "емкие")

    assert [p.title for p in found] == ["Ёмкие задачи по математике"]


def test_practice_search_uses_russian_stemming_on_postgresql(practices):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("stemming is PostgreSQL's (the SQLite fallback matches the typed word)")

    found = selectors.practice_search(selectors.public_practices(), "уроки")

    assert [p.title for p in found] == ["Смысловое чтение на уроках истории"]


def test_staff_page_counts_registrations_from_supported_schools(
    client, methodologist, held_event, school, other_school
):
    from identification.models import SchoolStatus, StatusKind
    from tests.factories import AcademicYearFactory

    SchoolStatus.objects.create(school=school, year=AcademicYearFactory(), kind=StatusKind.LOW_RESULTS)
    RegistrationFactory(event=held_event, school=school, attended=True)
    RegistrationFactory(event=held_event, school=school)
    RegistrationFactory(event=held_event, school=other_school, attended=True)
    client.force_login(methodologist)

    assert selectors.event_supported_reach(event=held_event) == {"registered": 2, "attended": 1, "schools": 1}
    body = client.get(reverse("events:staff_event", args=[held_event.pk])).content.decode()
    assert "записано 2 чел. из 1 школы, присутствовали 1" in body


def test_a_real_png_photo_is_accepted_and_served_inline_once_the_report_is_public(client, held_event):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("IMG_0001.JPG", buffer.getvalue())
    photo = services.event_material_add(event=held_event, upload=upload, title="Зал", kind=EventMaterial.Kind.PHOTO)
    services.event_mark_held(event=held_event)
    services.event_publish_report(event=held_event, summary="Итоги")

    response = client.get(reverse("events:material", args=[photo.pk]))

    assert (photo.extension, photo.content_type) == ("png", "image/png")
    assert response["Content-Type"] == "image/png"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert b"".join(response.streaming_content) == buffer.getvalue()
