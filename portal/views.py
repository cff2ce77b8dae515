import os
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Role
from core.audit import action_label, details_display
from core.extensions import HOME_SLOTS, app_modules
from portal import selectors
from portal.forms import AuditFilterForm
from schools import selectors as school_selectors


@require_GET
def public_home(request):
    return render(request, "core/public_home.html", {"stats": selectors.public_stats()})


@require_GET
def public_system(request):
    """«Система работы со ШНОР»: the model, the criteria and decisions in force, what is done."""
    from identification.catalogue import BY_CODE

    return render(request, "core/public_system.html", {"system": selectors.public_system(), "by_code": BY_CODE})


@login_required
def home(request):
    """One home page per role, each with the user's own data; the apps add their blocks
    (``<app>.home``, core.extensions.HomeBlock)."""
    user = request.user
    context = {"summary": school_selectors.registry_summary(user=user)}
    if user.is_superuser or user.role == Role.REGION:
        context["municipalities"] = school_selectors.municipality_overview(user=user)
        page = "region"
    elif user.role == Role.DEPARTMENT:
        context["imports"] = school_selectors.registry_imports_for(user=user)[:5]
        context["organisations"] = selectors.support_organisations(user=user)
        page = "department"
    elif user.role == Role.METHODOLOGIST:
        context["organisations"] = selectors.support_organisations(user=user)
        page = "methodologist"
    elif user.role == Role.CURATOR:
        context["schools"] = school_selectors.school_list(user=user)
        page = "curator"
    elif user.role in (Role.DIRECTOR, Role.TEACHER) and user.school_id:
        context["school"] = school_selectors.school_get(user=user, pk=user.school_id)
        page = "school"
    else:
        return render(request, "core/home_no_role.html", context)
    context["home_blocks"] = home_blocks(request, page=page, context=context)
    return render(request, f"core/home_{page}.html", context)


def home_blocks(request, *, page: str, context: dict) -> dict[str, list[SimpleNamespace]]:
    """Slot → the apps' blocks on ``page`` (template and data), apps lowest layer first."""
    slots: dict[str, list[SimpleNamespace]] = {slot: [] for slot in HOME_SLOTS}
    for module in app_modules("home"):
        for block in module.BLOCKS:
            if page in block.pages:
                slots[block.slot].append(SimpleNamespace(template=block.template, data=block.data(request, context)))
    return slots


@never_cache
@require_GET
def health(request):
    """Readiness for monitoring: the database must answer and the broker must take messages,
    else 503 — with the broker down no import, recompute, report or letter can run, and an
    operator watching only this page has to see it. The proxy and docker-compose probe the
    liveness path instead (core.middleware.LivenessMiddleware), which a broker outage must not
    turn into a restart loop of the web containers."""
    status = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        status["database"] = "unavailable"
    if not _broker_answers():
        status["broker"] = "unavailable"
    code = 200 if all(value == "ok" for value in status.values()) else 503
    return JsonResponse(status, status=code)


def _broker_answers() -> bool:
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        except Exception:
            return False
        return True
    # The embedded broker is a folder (config.settings): the worker side works while it can be written.
    queue = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    return queue.is_dir() and os.access(queue, os.W_OK)


@login_required
@require_GET
def audit_log(request):
    """The log of sensitive actions in the user's municipalities (department and region)."""
    if not selectors.can_read_audit_log(request.user):
        raise PermissionDenied
    filter_form = AuditFilterForm(request.GET or None)
    events = filter_form.filter(selectors.audit_events_for(user=request.user))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    for event in page:
        event.action_label = action_label(event.action)
        event.details_words = details_display(event.details)
    return render(request, "core/audit_log.html", {"page": page, "filter_form": filter_form})
