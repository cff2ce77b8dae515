"""Two tabs and double clicks: one comment per form, no «saved» beside «changed by someone else»."""

from django.urls import reverse

from roadmaps.models import ReviewComment
from roadmaps.tests.test_progress import _form_data, _url, opened  # noqa: F401 - the fixture


def test_two_tabs_of_one_director_do_not_show_saved_beside_the_conflict(client, opened, programme, period):  # noqa: F811
    seen = opened.version
    first_tab = client.post(_url(programme, period), _form_data(opened, version=seen, comment="Вкладка 1"))

    second_tab = client.post(_url(programme, period), _form_data(opened, version=seen, comment="Вкладка 2"))

    assert first_tab.status_code == 302
    body = second_tab.content.decode()
    assert second_tab.status_code == 409 and "уже изменил другой пользователь" in body
    assert "Отчёт сохранён" not in body
    # The first tab, following its redirect, does say it saved (its version is still the latest).
    assert "Отчёт сохранён" in client.get(first_tab["Location"]).content.decode()


def test_the_saved_notice_is_not_shown_once_another_save_followed(client, opened, programme, period):  # noqa: F811
    first = client.post(_url(programme, period), _form_data(opened, comment="Раз"))
    opened.refresh_from_db()
    client.post(_url(programme, period), _form_data(opened, comment="Два"))

    assert "Отчёт сохранён" not in client.get(first["Location"]).content.decode()


def test_a_double_submitted_comment_is_posted_once(client, opened):  # noqa: F811
    page = client.get(reverse("roadmaps:review", args=[opened.pk]))
    token = page.context["comment_token"]
    data = {"text": "Прошу уточнить сроки", "measure": "", "submit_token": token}

    for _ in range(2):
        client.post(reverse("roadmaps:report_comment", args=[opened.pk]), data)

    assert ReviewComment.objects.filter(text="Прошу уточнить сроки").count() == 1
    # A new rendering of the form is a new comment.
    again = client.get(reverse("roadmaps:review", args=[opened.pk])).context["comment_token"]
    client.post(reverse("roadmaps:report_comment", args=[opened.pk]), data | {"submit_token": again})
    assert ReviewComment.objects.filter(text="Прошу уточнить сроки").count() == 2
