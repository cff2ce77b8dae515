"""Login and password reset behind rate limits; the rest is Django's own views (accounts.urls)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy

from accounts import services
from accounts.forms import LoginForm
from accounts.signals import LOGIN_SCOPE
from core import ratelimit
from core.client_ip import client_ip

RESET_EMAIL_SCOPE = "password_reset.email"
RESET_IP_SCOPE = "password_reset.ip"


class LoginView(auth_views.LoginView):
    """Django's login with a cap of failures per client address across usernames (spraying).

    django-axes locks one username from one address; this stops one address trying one
    password on every username. Failures are counted by accounts.signals."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def post(self, request, *args, **kwargs):
        if ratelimit.over(
            scope=LOGIN_SCOPE,
            key=client_ip(request),
            limit=settings.LOGIN_IP_FAILURE_LIMIT,
            window=settings.LOGIN_IP_FAILURE_WINDOW,
        ):
            return render(request, "accounts/locked_out.html", status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """The letter goes through the outbox (core.letters), throttled per address and per client.

    Over the per-address limit the page still says «sent» (it must not tell whether the address
    exists or was asked for); over the per-client limit it says to wait (429)."""

    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        if ratelimit.hit(
            scope=RESET_IP_SCOPE,
            key=client_ip(request),
            limit=settings.PASSWORD_RESET_PER_IP,
            window=settings.PASSWORD_RESET_WINDOW,
        ):
            return render(request, "accounts/rate_limited.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if not ratelimit.hit(
            scope=RESET_EMAIL_SCOPE,
            key=email.strip().lower(),
            limit=settings.PASSWORD_RESET_PER_EMAIL,
            window=settings.PASSWORD_RESET_WINDOW,
        ):
            services.password_reset_queue(email=email)
        return super(auth_views.PasswordResetView, self).form_valid(form)  # redirect, no sending here
