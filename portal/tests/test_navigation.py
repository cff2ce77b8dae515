from django.test import RequestFactory

from portal.context_processors import navigation


def _menu(user, path="/home/"):
    request = RequestFactory().get(path)
    request.user = user
    return navigation(request)["nav_items"]


def _labels(items):
    return [(item["label"], [child["label"] for child in item.get("children", [])]) for item in items]


def test_the_departments_menu_groups_monitoring_and_support_into_dropdowns(department):
    labels = dict(_labels(_menu(department)))

    assert "Загрузки результатов" in labels["Мониторинг"]
    assert "Дорожные карты" in labels["Поддержка"]
    assert "Журнал действий" in labels
    assert len(labels) <= 7, f"the top line should stay short: {list(labels)}"


def test_the_group_of_the_current_page_is_marked_active(department):
    items = _menu(department, path="/monitoring/imports/")

    monitoring = next(item for item in items if item["label"] == "Мониторинг")
    assert monitoring["active"]
    assert [child["label"] for child in monitoring["children"] if child["active"]] == ["Загрузки результатов"]


def test_a_teacher_sees_no_department_entries(teacher):
    flat = [label for label, children in _labels(_menu(teacher)) for label in [label, *children]]

    assert "Журнал действий" not in flat
    assert "Загрузки результатов" not in flat
    assert "Моя школа" in flat
