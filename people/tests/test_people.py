"""People: invitations, the fence of roles and territories, deactivation, curators, bulk accounts."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role, User
from core.models import AuditEvent
from people import services
from tests.factories import MunicipalityFactory, SchoolFactory, UserFactory

LINK = re.compile(r"https?://\S+/people/invitation/\S+/")


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def invite_director(department, school, email="new.director@example.ru") -> User:
    return services.person_invite(
        by=department,
        email=email,
        role=Role.DIRECTOR,
        last_name="Иванова",
        first_name="Анна",
        middle_name="Сергеевна",
        school=school,
    )


def link_in_last_letter() -> str:
    return LINK.search(mail.outbox[-1].body).group(0)


# --- Invitations ----------------------------------------------------------------------------


def test_an_invited_director_sets_a_password_from_the_letter_and_is_signed_in(
    client, department, school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person = invite_director(department, school)

    assert not person.has_usable_password()
    assert mail.outbox[-1].to == ["new.director@example.ru"]
    link = link_in_last_letter()
    form_page = client.get(link, follow=True)
    assert "Задайте пароль" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Sosna-Bereza-2026", "new_password2": "Sosna-Bereza-2026"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    person.refresh_from_db()
    assert person.check_password("Sosna-Bereza-2026")
    assert client.get(reverse("core:home")).context["user"] == person


def test_an_invitation_link_works_once(client, department, school, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite_director(department, school)
    link = link_in_last_letter()
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0], {"new_password1": "Sosna-Bereza-2026", "new_password2": "Sosna-Bereza-2026"}
    )
    client.logout()

    again = client.get(link, follow=True)

    assert "Ссылка недействительна" in again.content.decode()


def test_an_invitation_link_expires_after_the_configured_days(
    client, settings, department, school, django_capture_on_commit_callbacks
):
    settings.INVITATION_TIMEOUT_DAYS = 7
    with django_capture_on_commit_callbacks(execute=True):
        invite_director(department, school)
    link = link_in_last_letter()

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=8)):
        page = client.get(link, follow=True)

    assert "Ссылка недействительна" in page.content.decode()


def test_the_letter_links_to_the_site_url(settings, department, school, django_capture_on_commit_callbacks):
    settings.SITE_URL = "http://127.0.0.1:8104"
    with django_capture_on_commit_callbacks(execute=True):
        invite_director(department, school)

    assert link_in_last_letter().startswith("http://127.0.0.1:8104/people/invitation/")


def test_the_invitation_is_in_the_audit_log_in_the_departments_municipality(department, school):
    person = invite_director(department, school)

    event = AuditEvent.objects.get(action="user.invited")
    assert (event.actor, event.object_id, event.municipality_id) == (department, str(person.pk), school.municipality_id)


def test_an_e_mail_already_used_is_refused(department, school, director):
    with pytest.raises(ValidationError, match="уже есть"):
        invite_director(department, school, email=director.email.upper())


# --- The fence: role and territory -------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.REGION])
def test_a_department_cannot_create_an_account_at_or_above_its_role(department, role):
    with pytest.raises(ValidationError, match="не можете создавать"):
        services.person_invite(by=department, email="boss@example.ru", role=role, last_name="А", first_name="Б")
    assert not User.objects.filter(email="boss@example.ru").exists()


def test_a_department_cannot_create_a_director_of_another_municipalitys_school(department, foreign_school):
    with pytest.raises(ValidationError, match="вне"):
        invite_director(department, foreign_school)
    assert not User.objects.filter(email="new.director@example.ru").exists()


def test_a_department_cannot_give_a_curator_a_school_of_another_municipality(department, school, foreign_school):
    with pytest.raises(ValidationError, match="вне"):
        services.person_invite(
            by=department,
            email="cur@example.ru",
            role=Role.CURATOR,
            last_name="А",
            first_name="Б",
            curated_schools=[school, foreign_school],
        )


def test_a_department_cannot_place_a_methodologist_in_another_municipality(department, foreign_municipality):
    with pytest.raises(ValidationError, match="вне"):
        services.person_invite(
            by=department,
            email="m@example.ru",
            role=Role.METHODOLOGIST,
            last_name="А",
            first_name="Б",
            municipality=foreign_municipality,
        )


def test_the_invite_form_refuses_a_foreign_school_posted_by_hand(client, department, foreign_school):
    client.force_login(department)

    response = client.post(
        reverse("people:invite"),
        {
            "last_name": "А",
            "first_name": "Б",
            "email": "x@example.ru",
            "role": Role.DIRECTOR,
            "school": foreign_school.pk,
        },
    )

    assert response.status_code == 200
    assert not User.objects.filter(email="x@example.ru").exists()


def test_the_region_creates_a_department_for_a_municipality_of_its_region_only(
    region_user, municipality, foreign_municipality
):
    made = services.person_invite(
        by=region_user,
        email="uo2@example.ru",
        role=Role.DEPARTMENT,
        last_name="А",
        first_name="Б",
        municipality=municipality,
    )
    assert made.municipality == municipality
    with pytest.raises(ValidationError, match="вне"):
        services.person_invite(
            by=region_user,
            email="uo3@example.ru",
            role=Role.DEPARTMENT,
            last_name="А",
            first_name="Б",
            municipality=foreign_municipality,
        )


def test_the_region_does_not_manage_directors(region_user, school):
    with pytest.raises(ValidationError, match="не можете создавать"):
        invite_director(region_user, school)


def test_a_department_cannot_promote_a_director_it_manages_to_department(department, director):
    with pytest.raises(ValidationError, match="не можете создавать"):
        services.person_update(by=department, user=director, role=Role.DEPARTMENT, last_name="А", first_name="Б")
    director.refresh_from_db()
    assert director.role == Role.DIRECTOR


# --- Deactivation and resets --------------------------------------------------------------------


def test_deactivating_ends_the_sessions_and_keeps_the_account(client, department, director):
    client.force_login(director)
    assert client.get(reverse("core:home")).status_code == 200

    services.person_deactivate(by=department, user=director)

    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert User.objects.filter(pk=director.pk, is_active=False).exists()
    assert AuditEvent.objects.get(action="user.deactivated").details["sessions_ended"] == 1


def test_a_department_cannot_deactivate_itself_or_a_foreign_account(department, foreign_school):
    foreign = UserFactory(username="fd", role=Role.DIRECTOR, school=foreign_school)
    with pytest.raises(ValidationError):
        services.person_deactivate(by=department, user=department)
    with pytest.raises(ValidationError):
        services.person_deactivate(by=department, user=foreign)
    assert User.objects.get(pk=foreign.pk).is_active


def test_a_reset_by_staff_stops_the_old_password_and_sends_a_link(
    department, director, django_capture_on_commit_callbacks
):
    director.set_password("old-password-1")
    director.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.person_password_reset(by=department, user=director)

    director.refresh_from_db()
    assert not director.check_password("old-password-1")
    assert mail.outbox[-1].to == [director.email]
    assert "новый пароль" in mail.outbox[-1].subject.lower()


# --- Curators -----------------------------------------------------------------------------------


def test_the_curator_page_assigns_schools_and_the_school_card_shows_the_curator(
    client, department, curator, school, other_school
):
    client.force_login(department)

    response = client.post(reverse("people:curators"), {f"c{curator.pk}": [school.pk, other_school.pk]})

    assert response.status_code == 302
    assert set(curator.curated_schools.all()) == {school, other_school}
    card = client.get(reverse("schools:detail", args=[other_school.pk])).content.decode()
    assert curator.full_name in card
    assert AuditEvent.objects.get(action="curators.assigned").details["links"] == 1


def test_a_foreign_school_cannot_be_ticked_for_a_curator(client, department, curator, school, foreign_school):
    client.force_login(department)

    client.post(reverse("people:curators"), {f"c{curator.pk}": [school.pk, foreign_school.pk]})

    assert list(curator.curated_schools.all()) == [school]


# --- Bulk accounts -------------------------------------------------------------------------------


def test_directors_from_the_registry_one_per_school_with_an_e_mail(department, municipality, school, other_school):
    school.organisation.email = "sosh1@example.ru"
    school.organisation.save()
    third = SchoolFactory(municipality=municipality, code="edu980077", organisation__email="")

    preview = services.directors_from_registry(by=department, municipality=municipality, apply=False)
    assert User.objects.filter(role=Role.DIRECTOR).count() == 0
    applied = services.directors_from_registry(by=department, municipality=municipality, apply=True)

    outcomes = {row.name: (row.outcome, row.reason) for row in applied.rows}
    assert [r.outcome for r in preview.rows] == [r.outcome for r in applied.rows]
    assert outcomes[school.organisation.display_name] == ("created", "")
    assert outcomes[third.organisation.display_name] == ("skipped", "в реестре нет адреса эл. почты школы")
    assert User.objects.get(email="sosh1@example.ru").school == school
    again = services.directors_from_registry(by=department, municipality=municipality, apply=True)
    assert again.count("created") == 0


def _sheet(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Фамилия", "Имя", "Отчество", "Эл. почта", "Роль", "Код ОО", "Должность"])
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def test_a_spreadsheet_with_one_bad_row_creates_nobody_and_names_the_row(department, municipality, school):
    upload = _sheet(
        [
            ["Петров", "Пётр", "", "petrov@example.ru", "Учитель", "edu980001", ""],
            ["Сидоров", "Сидор", "", "sidorov@example.ru", "Учитель", "edu970001", ""],
            ["Главный", "Начальник", "", "boss@example.ru", "Управление образования", "", ""],
        ]
    )

    result = services.people_import(by=department, fileobj=upload, name="people.xlsx", municipality=municipality)

    assert User.objects.filter(email__in=["petrov@example.ru", "sidorov@example.ru"]).count() == 0
    by_row = {row.row: (row.outcome, row.reason) for row in result.rows}
    assert by_row[2][0] == "skipped"
    assert by_row[3] == ("error", "школа с кодом «edu970001» не найдена в вашем реестре")
    assert by_row[4] == ("error", "роль «Управление образования» вам не подчинена")


def test_a_good_spreadsheet_creates_every_row(department, municipality, school):
    upload = _sheet(
        [
            ["Петров", "Пётр", "Петрович", "petrov@example.ru", "Учитель", "edu980001", "Учитель физики"],
            ["Кураторова", "Ольга", "", "olga@example.ru", "Куратор", "", ""],
        ]
    )

    result = services.people_import(by=department, fileobj=upload, name="people.xlsx", municipality=municipality)

    assert result.count("created") == 2
    assert User.objects.get(email="petrov@example.ru").school == school
    assert User.objects.get(email="olga@example.ru").municipality == municipality


def test_a_department_of_another_district_sees_none_of_these_accounts(client, cast):
    client.force_login(cast["outsider"])

    body = client.get(reverse("people:list")).content.decode()

    assert cast["director"].email not in body
    assert cast["curator"].email not in body


def test_the_people_list_shows_the_departments_accounts(client, department, director, curator):
    client.force_login(department)

    body = client.get(reverse("people:list")).content.decode()

    assert director.email in body and curator.email in body


def test_other_municipality_fixture_is_not_manageable(department):
    other = MunicipalityFactory(region=department.municipality.region, name="Соседний", oktmo="98620000")
    with pytest.raises(ValidationError, match="вне"):
        services.person_invite(
            by=department,
            email="n@example.ru",
            role=Role.CURATOR,
            last_name="А",
            first_name="Б",
            municipality=other,
        )
