"""Roadmap statuses: every legal transition, the illegal ones refused, notifications, history."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from roadmaps import services
from roadmaps.models import Notification, Roadmap
from roadmaps.tests.builders import roadmap_of

S = Roadmap.Status


def _at(roadmap: Roadmap, status: str) -> Roadmap:
    Roadmap.objects.filter(pk=roadmap.pk).update(status=status)
    roadmap.refresh_from_db()
    return roadmap


LEGAL = [
    (S.DRAFT, "submit", "director", S.SUBMITTED),
    (S.RETURNED, "submit", "director", S.SUBMITTED),
    (S.SUBMITTED, "return", "curator", S.RETURNED),
    (S.SUBMITTED, "return", "department", S.RETURNED),
    (S.SUBMITTED, "approve", "department", S.APPROVED),
    (S.APPROVED, "complete", "department", S.COMPLETED),
    (S.APPROVED, "archive", "department", S.ARCHIVED),
    (S.COMPLETED, "archive", "department", S.ARCHIVED),
    (S.DRAFT, "archive", "department", S.ARCHIVED),
]


@pytest.mark.parametrize(("source", "action", "actor", "target"), LEGAL)
def test_each_legal_transition_moves_the_programme(draft_programme, cast, source, action, actor, target):
    roadmap = _at(draft_programme, source)

    services.roadmap_transition(roadmap=roadmap, user=cast[actor], action=action, comment="Уточните сроки")

    roadmap.refresh_from_db()
    assert roadmap.status == target


ILLEGAL_STATUS = [
    (S.DRAFT, "approve", "department"),
    (S.DRAFT, "return", "department"),
    (S.APPROVED, "submit", "director"),
    (S.SUBMITTED, "submit", "director"),
    (S.SUBMITTED, "complete", "department"),
    (S.ARCHIVED, "submit", "director"),
    (S.ARCHIVED, "approve", "department"),
    (S.RETURNED, "approve", "department"),
]


@pytest.mark.parametrize(("source", "action", "actor"), ILLEGAL_STATUS)
def test_a_transition_from_the_wrong_status_is_refused_and_changes_nothing(
    draft_programme, cast, source, action, actor
):
    roadmap = _at(draft_programme, source)

    with pytest.raises(services.TransitionRefused):
        services.roadmap_transition(roadmap=roadmap, user=cast[actor], action=action, comment="x")

    roadmap.refresh_from_db()
    assert roadmap.status == source


ILLEGAL_ACTOR = [
    (S.SUBMITTED, "approve", "curator"),
    (S.SUBMITTED, "approve", "director"),
    (S.SUBMITTED, "return", "director"),
    (S.SUBMITTED, "return", "methodologist"),
    (S.DRAFT, "submit", "teacher"),
    (S.DRAFT, "submit", "department"),
    (S.SUBMITTED, "approve", "outsider"),
]


@pytest.mark.parametrize(("source", "action", "actor"), ILLEGAL_ACTOR)
def test_a_role_that_may_not_act_is_forbidden(draft_programme, cast, source, action, actor):
    roadmap = _at(draft_programme, source)

    with pytest.raises(services.ActionForbidden):
        services.roadmap_transition(roadmap=roadmap, user=cast[actor], action=action, comment="x")

    roadmap.refresh_from_db()
    assert roadmap.status == source


def test_returning_without_a_comment_is_refused(draft_programme, department):
    roadmap = _at(draft_programme, S.SUBMITTED)

    with pytest.raises(services.TransitionRefused) as refused:
        services.roadmap_transition(roadmap=roadmap, user=department, action="return", comment="  ")
    assert refused.value.message == services.RETURN_WITHOUT_COMMENT


def test_an_empty_roadmap_cannot_be_submitted(director, school, current_year):
    roadmap = services.roadmap_create(
        user=director, title="Пустая", start_year=current_year, end_year=current_year, school=school
    )

    with pytest.raises(services.TransitionRefused) as refused:
        services.roadmap_transition(roadmap=roadmap, user=director, action="submit")
    assert refused.value.message == services.EMPTY_ROADMAP


def test_approval_records_who_and_when(draft_programme, department):
    roadmap = _at(draft_programme, S.SUBMITTED)

    services.roadmap_transition(roadmap=roadmap, user=department, action="approve")

    roadmap.refresh_from_db()
    assert roadmap.approved_by == department
    assert roadmap.approved_at is not None


def test_submit_return_and_approve_send_letters_to_the_right_people(
    draft_programme, cast, run_on_commit, department, curator, director
):
    run_on_commit(services.roadmap_transition, roadmap=draft_programme, user=director, action="submit")
    assert {tuple(m.to) for m in mail.outbox} == {tuple(sorted([curator.email, department.email]))}
    assert "На согласование" in mail.outbox[0].subject

    mail.outbox.clear()
    run_on_commit(
        services.roadmap_transition, roadmap=draft_programme, user=curator, action="return", comment="Нет сроков"
    )
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert "Нет сроков" in mail.outbox[0].body

    run_on_commit(services.roadmap_transition, roadmap=draft_programme, user=director, action="submit")
    mail.outbox.clear()
    run_on_commit(services.roadmap_transition, roadmap=draft_programme, user=department, action="approve")
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert "Утверждена" in mail.outbox[0].subject


def test_a_notification_is_sent_once_even_if_the_task_runs_twice(draft_programme, director, department):
    notification = services.notification_queue(
        kind=Notification.Kind.ROADMAP_SUBMITTED, recipients=[department.email], subject="Тема", body="Текст"
    )

    first = services.notification_send(notification_id=notification.pk)
    second = services.notification_send(notification_id=notification.pk)

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1


def test_history_says_who_changed_what(draft_programme, director, department):
    services.roadmap_update(roadmap=draft_programme, user=director, title="Программа «Шаг вперёд»")
    _at(draft_programme, S.SUBMITTED)
    services.roadmap_transition(roadmap=draft_programme, user=department, action="approve")

    from roadmaps.selectors import history_entries

    entries = history_entries(roadmap=draft_programme)
    renamed = next(e for e in entries if any(c[0] == "название" for c in e["changes"]))
    assert renamed["who"] == director
    assert ("название", "Черновик программы", "Программа «Шаг вперёд»") in renamed["changes"]
    approved = next(e for e in entries if any(c[0] == "статус" and c[2] == "Утверждена" for c in e["changes"]))
    assert approved["who"] == department


def test_approved_roadmap_cannot_be_edited(programme, director):
    with pytest.raises(services.TransitionRefused) as refused:
        services.objective_add(roadmap=programme, user=director, direction="staff", title="Новая задача")
    assert refused.value.message == services.ROADMAP_LOCKED.format(
        title=programme.title, status=programme.get_status_display()
    )


def test_a_school_programme_can_start_from_last_years_with_dates_moved(programme, director, school):
    from roadmaps.tests.builders import year

    next_year = year(2026)

    copy = services.roadmap_create(
        user=director, title="Программа 2026/2027", start_year=next_year, end_year=next_year, school=school,
        based_on=programme,
    )  # fmt: skip

    original = list(programme.measures.order_by("pk").values_list("title", "due_on"))
    copied = list(copy.measures.order_by("pk").values_list("title", "due_on", "status"))
    assert [(t, d.replace(year=d.year + 1), "planned") for t, d in original] == copied
    assert copy.objectives.count() == programme.objectives.count()
    assert copy.status == S.DRAFT


def test_a_director_cannot_create_a_programme_for_another_school(director, other_school, current_year):
    with pytest.raises(services.ActionForbidden):
        services.roadmap_create(
            user=director, title="Чужая", start_year=current_year, end_year=current_year, school=other_school
        )


def test_department_publishes_an_approved_roadmap_and_anyone_reads_it(client, programme, department):
    url = reverse("roadmaps:public_roadmap", args=[programme.pk])
    assert client.get(url).status_code == 404

    services.roadmap_publish(roadmap=programme, user=department, publish=True)

    response = client.get(url)
    assert response.status_code == 200
    assert "Семинар по критериям оценивания" in response.content.decode()

    services.roadmap_publish(roadmap=programme, user=department, publish=False)
    assert client.get(url).status_code == 404


def test_a_draft_cannot_be_published(draft_programme, department):
    with pytest.raises(services.TransitionRefused):
        services.roadmap_publish(roadmap=draft_programme, user=department, publish=True)


def test_the_director_cannot_publish(programme, director):
    with pytest.raises(services.ActionForbidden):
        services.roadmap_publish(roadmap=programme, user=director, publish=True)


def test_transition_page_refuses_a_wrong_status_with_a_russian_message(client, programme, department):
    client.force_login(department)

    response = client.post(reverse("roadmaps:transition", args=[programme.pk]), {"action": "approve"}, follow=True)

    assert "Нельзя утвердить" in response.content.decode()


def test_a_curator_cannot_move_a_programme_of_a_school_they_do_not_curate(client, curator, other_school, department):
    roadmap = roadmap_of(school=other_school, created_by=department, status=S.SUBMITTED)
    client.force_login(curator)

    response = client.post(reverse("roadmaps:transition", args=[roadmap.pk]), {"action": "return", "comment": "x"})

    assert response.status_code == 404
    roadmap.refresh_from_db()
    assert roadmap.status == S.SUBMITTED


def test_dates_of_a_measure_must_be_in_order(client, draft_programme, director):
    objective = draft_programme.objectives.first()
    client.force_login(director)
    before = draft_programme.measures.count()

    response = client.post(
        reverse("roadmaps:measure_add", args=[objective.pk]),
        {"title": "Семинар", "starts_on": "2025-10-01", "due_on": "2025-09-01"},
        headers={"HX-Request": "true"},
    )

    assert "Срок раньше начала" in response.content.decode()
    assert draft_programme.measures.count() == before
    assert 'value="Семинар"' in response.content.decode()  # what was typed stays in the form


def test_builder_adds_an_objective_and_a_measure_inline(client, draft_programme, director):
    client.force_login(director)

    response = client.post(
        reverse("roadmaps:objective_add", args=[draft_programme.pk]),
        {"direction": "staff", "title": "Закрыть вакансию учителя математики"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Закрыть вакансию учителя математики" in body
    assert "navbar" not in body  # a fragment for htmx
    objective = draft_programme.objectives.get(title="Закрыть вакансию учителя математики")

    response = client.post(
        reverse("roadmaps:measure_add", args=[objective.pk]),
        {
            "title": "Договор с педколледжем",
            "starts_on": "2025-09-01",
            "due_on": "2025-12-01",
            "responsible": "Директор",
        },
        headers={"HX-Request": "true"},
    )
    assert "Договор с педколледжем" in response.content.decode()
    measure = objective.measures.get()
    assert (measure.roadmap_id, measure.due_on) == (draft_programme.pk, dt.date(2025, 12, 1))


def test_the_director_renames_a_draft_in_the_builder_and_the_history_keeps_it(
    client, draft_programme, director, current_year
):
    client.force_login(director)

    client.post(
        reverse("roadmaps:builder", args=[draft_programme.pk]),
        {"title": "Программа «Точка роста»", "start_year": current_year.pk, "end_year": current_year.pk},
    )

    draft_programme.refresh_from_db()
    assert draft_programme.title == "Программа «Точка роста»"
    assert draft_programme.history.filter(title="Черновик программы").exists()


def test_an_approved_roadmap_is_not_renamed(client, programme, director, current_year):
    client.force_login(director)

    response = client.post(
        reverse("roadmaps:builder", args=[programme.pk]),
        {"title": "Другое", "start_year": current_year.pk, "end_year": current_year.pk},
        follow=True,
    )

    assert "менять её нельзя" in response.content.decode()
    programme.refresh_from_db()
    assert programme.title != "Другое"


def test_approval_and_return_go_to_the_audit_log(draft_programme, department):
    from core.models import AuditEvent

    roadmap = _at(draft_programme, S.SUBMITTED)
    services.roadmap_transition(roadmap=roadmap, user=department, action="return", comment="Уточните сроки")

    event = AuditEvent.objects.get(action="roadmap.returned")
    assert (event.actor, event.municipality_id) == (department, roadmap.municipality_id)
    assert event.details == {"замечания": "Уточните сроки"}
