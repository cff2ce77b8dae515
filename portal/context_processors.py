"""Role-aware navigation for the base layout.

The menu has a few top-level entries and two groups that open as dropdowns — «Мониторинг»
(data and identification) and «Поддержка» (the work with schools) — so it stays on one line
whatever the role. Feature apps give their entries through ``<app>.navigation``
(core.extensions); the group of an entry is the group of its app.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from accounts.models import Role
from core.extensions import feature_modules
from monitoring.imports import can_upload_results
from portal.selectors import can_read_audit_log
from schools.scopes import can_manage_registry

MONITORING = "Мониторинг"
SUPPORT = "Поддержка"
GROUP_ICONS = {MONITORING: "bi-graph-up", SUPPORT: "bi-life-preserver"}
APP_GROUPS = {
    "monitoring": MONITORING,
    "identification": MONITORING,
    "risks": MONITORING,
    "analytics": MONITORING,
    "people": SUPPORT,
    "roadmaps": SUPPORT,
    "partnerships": SUPPORT,
    "events": SUPPORT,
    "teachers": SUPPORT,
}


def _entries(user) -> list[tuple[str | None, str, str, str]]:
    """(group or None, label, url, icon) in menu order."""
    entries: list[tuple[str | None, str, str, str]] = [(None, "Главная", reverse("core:home"), "bi-house")]
    if user.is_superuser or user.role in (Role.DEPARTMENT, Role.REGION, Role.METHODOLOGIST, Role.CURATOR):
        entries.append((None, "Реестр школ", reverse("schools:list"), "bi-building"))
    elif user.school_id:
        entries.append((None, "Моя школа", reverse("schools:detail", args=[user.school_id]), "bi-building"))
    if can_manage_registry(user):
        entries.append((MONITORING, "Загрузка реестра", reverse("schools:import"), "bi-upload"))
    if can_upload_results(user):
        entries.append((MONITORING, "Загрузки результатов", reverse("monitoring:import_list"), "bi-clipboard-data"))
    for module in feature_modules("navigation"):
        group = APP_GROUPS.get(module.__name__.split(".")[0])
        entries.extend((group, label, url, icon) for label, url, icon in module.nav_items(user))
    if can_read_audit_log(user):
        entries.append((None, "Журнал действий", reverse("core:audit_log"), "bi-journal-text"))
    return entries


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    entries = _entries(user)
    # The longest matching prefix is the active entry (/schools/import/ is not «Реестр школ»).
    current = request.path
    active = max((url for _, _, url, _ in entries if current.startswith(url)), key=len, default=None)
    items: list[dict] = []
    groups: dict[str, dict] = {}
    for group, label, url, icon in entries:
        item = {"label": label, "url": url, "icon": icon, "active": url == active}
        if group is None:
            items.append(item)
            continue
        if group not in groups:
            groups[group] = {"label": group, "icon": GROUP_ICONS[group], "children": [], "active": False}
            items.append(groups[group])
        groups[group]["children"].append(item)
        groups[group]["active"] |= item["active"]
    # A group of one is just that entry.
    items = [item["children"][0] if item.get("children") and len(item["children"]) == 1 else item for item in items]
    return {"nav_items": items}
