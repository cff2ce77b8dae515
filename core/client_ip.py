"""The client's address, for django-axes and every rate limit: one rule, one setting.

``TRUSTED_PROXY_COUNT`` says how many proxies of our own stand in front of the application.
Each appends to X-Forwarded-For the address it received the request from, so with N proxies
the client is the N-th entry from the right; anything to the left of it was written by the
client and is not believed. With 0 (the application faces the clients) the header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        # Fewer hops than proxies: the request did not come through all of them (a probe from
        # inside, a misconfiguration). The nearest address is the only one we can vouch for.
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
