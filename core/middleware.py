"""Response rules that hold for every page: no caching of what a signed-in user sees, and
Russian error pages even under ``make run`` (DEBUG=1)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.views import defaults

LIVENESS_PATH = "/health/live/"

# Django's technical 404/500 pages (DEBUG=1) carry this tag; our own pages do not.
_TECHNICAL_PAGE_MARK = b'<meta name="robots" content="NONE,NOARCHIVE">'


class PrivateNoStoreMiddleware:
    """Pages and exports of a signed-in user hold personal and unpublished data: a shared
    proxy must not keep them and the browser must not leave them on disk for the next user of
    the computer (a school's office PC). Public pages keep their own caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response


class RussianErrorPagesMiddleware:
    """Under DEBUG=1 Django answers 404 and 500 with its English technical pages; our users
    (also on a local `make run`) read Russian. The traceback of a 500 still goes to the console
    through the ``django.request`` logger. ``DEBUG_TECHNICAL_PAGES=1`` keeps Django's pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and not settings.DEBUG_TECHNICAL_PAGES
            and response.status_code in (404, 500)
            and not getattr(response, "streaming", False)
            and _TECHNICAL_PAGE_MARK in response.content[:2000]
        ):
            if response.status_code == 404:
                return defaults.page_not_found(request, exception=None)
            return defaults.server_error(request)
        return response


class LivenessMiddleware:
    """``GET /health/live/``: «the web process answers», for the HTTPS proxy and docker-compose.

    First in the chain, before the Host check and the HTTPS redirect: the probe connects to
    127.0.0.1 inside the container, a name ALLOWED_HOSTS rightly does not list, and over plain
    HTTP. It touches no database and shows nothing, so answering any Host is safe.
    Readiness (database and broker) is ``/health/`` (portal.views.health)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == LIVENESS_PATH and request.method in ("GET", "HEAD"):
            return HttpResponse("ok", content_type="text/plain", headers={"Cache-Control": "no-store"})
        return self.get_response(request)
