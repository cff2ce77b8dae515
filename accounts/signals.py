"""Counting failed logins per client address (the cap of accounts.views.LoginView)."""

from django.conf import settings
from django.contrib.auth import signals
from django.dispatch import receiver

from core import ratelimit
from core.client_ip import client_ip

LOGIN_SCOPE = "login.ip.failures"


@receiver(signals.user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    if request is not None:
        ratelimit.hit(
            scope=LOGIN_SCOPE,
            key=client_ip(request),
            limit=settings.LOGIN_IP_FAILURE_LIMIT,
            window=settings.LOGIN_IP_FAILURE_WINDOW,
        )
