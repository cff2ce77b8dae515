"""Letters printed by the console backend under `make run` are readable text, links included."""

import io
import os
import subprocess  # nosec B404 # runs our own settings in a child interpreter
import sys

from django.core.mail import EmailMultiAlternatives

from core.mail import ReadableConsoleBackend


def test_a_russian_letter_is_printed_as_text_with_its_link_whole():
    stream = io.StringIO()
    letter = EmailMultiAlternatives(
        subject="Приглашение в «Опору»",
        body="Задайте пароль по ссылке: http://127.0.0.1:8104/accounts/invite/MQ/abc-123/\nСсылка действует 7 дней.",
        from_email="opora@localhost",
        to=["director@example.org"],
    )
    letter.attach_alternative("<p>Задайте пароль</p>", "text/html")

    ReadableConsoleBackend(stream=stream).send_messages([letter])

    printed = stream.getvalue()
    assert "Subject: Приглашение в «Опору»" in printed
    assert "http://127.0.0.1:8104/accounts/invite/MQ/abc-123/" in printed
    assert "Ссылка действует 7 дней." in printed
    assert "<p>Задайте пароль</p>" in printed
    assert "base64" not in printed


def test_the_default_mailer_of_make_run_is_the_readable_console():
    # A fresh process with the settings `make run` gives (DEBUG=1, no EMAIL_URL).
    env = {k: v for k, v in os.environ.items() if k not in ("EMAIL_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.MAILERS['default']['BACKEND'])"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert out.stdout.strip() == "core.mail.ReadableConsoleBackend"
