"""Role-aware navigation for the base layout."""

from django.http import HttpRequest
from django.urls import reverse

from accounts.models import Role
from accounts.scopes import can_manage_registry
from core.extensions import feature_modules
from core.selectors import can_read_audit_log
from monitoring.services import can_upload_results


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("Главная", reverse("core:home"), "bi-house")]
    if user.is_superuser or user.role in (Role.DEPARTMENT, Role.REGION, Role.METHODOLOGIST, Role.CURATOR):
        items.append(("Реестр школ", reverse("schools:list"), "bi-building"))
    elif user.school_id:
        items.append(("Моя школа", reverse("schools:detail", args=[user.school_id]), "bi-building"))
    if can_manage_registry(user):
        items.append(("Загрузка реестра", reverse("schools:import"), "bi-upload"))
    if can_upload_results(user):
        items.append(("Результаты: загрузки", reverse("monitoring:import_list"), "bi-clipboard-data"))
    for module in feature_modules("navigation"):
        items.extend(module.nav_items(user))
    if can_read_audit_log(user):
        items.append(("Журнал действий", reverse("core:audit_log"), "bi-journal-text"))
    # The longest matching prefix is the active item (/schools/import/ is not «Реестр школ»).
    current = request.path
    active = max((url for _, url, _ in items if current.startswith(url)), key=len, default=None)
    return {
        "nav_items": [{"label": label, "url": url, "icon": icon, "active": url == active} for label, url, icon in items]
    }
