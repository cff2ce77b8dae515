import pytest
from django.urls import reverse

from accounts.models import Role
from core.audit import audit_record
from core.models import AuditEvent
from tests.factories import UserFactory


def test_an_unknown_action_is_refused_so_the_log_stays_readable(department):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit_record(actor=department, action="something.else")


def test_the_department_reads_its_municipalitys_log_and_not_the_outsiders(client, department, outsider, school):
    audit_record(actor=department, action="school.changed", target=school, municipality_id=school.municipality_id)
    audit_record(actor=outsider, action="school.changed", municipality_id=outsider.municipality_id)
    client.force_login(department)

    body = client.get(reverse("core:audit_log")).content.decode()

    assert "Карточка школы изменена" in body
    assert "МБОУ СОШ № 1" in body
    assert body.count("<tr>") == 2  # the header and one record: the outsider's is not there


def test_the_log_filters_by_action(client, department, school):
    audit_record(actor=department, action="school.changed", target=school, municipality_id=school.municipality_id)
    audit_record(actor=department, action="status.set", target=school, municipality_id=school.municipality_id)
    client.force_login(department)

    body = client.get(reverse("core:audit_log"), {"action": "status.set"}).content.decode()
    table = body[body.index('id="audit-log"') :]

    assert "Статус школы установлен" in table
    assert "Карточка школы изменена" not in table


def test_a_role_change_in_the_admin_is_logged(client, school):
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True, role="")
    user = UserFactory(username="someone", role=Role.TEACHER, school=school)
    client.force_login(operator)

    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "username": "someone",
            "role": Role.DIRECTOR,
            "school": school.pk,
            "is_active": "on",
            "date_joined_0": "01.01.2026",
            "date_joined_1": "00:00:00",
            "initial-date_joined_0": "01.01.2026",
            "initial-date_joined_1": "00:00:00",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="user.role_changed")
    assert event.actor == operator
    assert event.municipality_id == school.municipality_id
    assert "роль" in event.details["изменено"]


def _written_actions() -> dict[str, str]:
    """Every literal ``action=…`` passed to audit_record in the apps' code, with the module that writes it."""
    import ast
    from pathlib import Path

    from core.extensions import LOCAL_APPS

    root = Path(__file__).resolve().parents[2]
    found: dict[str, str] = {}
    for app in LOCAL_APPS:
        for path in (root / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "audit_record":
                    for keyword in node.keywords:
                        if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                            found[keyword.value.value] = str(path.relative_to(root))
    return found


def test_every_action_written_is_declared_by_the_app_that_writes_it():
    from core.audit import audit_actions
    from core.extensions import app_modules

    declared_by = {
        code: module.__name__.split(".")[0] for module in app_modules("audit_actions") for code in module.ACTIONS
    }
    written = _written_actions()
    assert "results_import.done" in written  # the scan sees the services' calls
    assert {code: path.split("/")[0] for code, path in written.items()} == {
        code: declared_by.get(code) for code in written
    }
    assert set(written) <= set(audit_actions())
