"""A console mail backend a developer can read: headers and the text of each part, decoded.

Django's console backend prints the MIME source; letters in Russian arrive there as base64,
so the links in an invitation or a reminder cannot be read or clicked under ``make run``.
"""

from __future__ import annotations

from email.message import EmailMessage as MIMEMessage

from django.core.mail.backends.console import EmailBackend as ConsoleBackend

SHOWN_HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date")


def readable(message) -> str:
    """The letter as text: the headers people read, then every text part decoded."""
    mime: MIMEMessage = message.message()
    lines = [f"{name}: {mime[name]}" for name in SHOWN_HEADERS if mime[name]]
    for part in mime.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        if kind.startswith("text/"):
            lines += ["", f"[{kind}]", part.get_content().rstrip("\n")]
        else:
            lines += ["", f"[{kind}: {part.get_filename() or 'вложение'}]"]
    return "\n".join(lines)


class ReadableConsoleBackend(ConsoleBackend):
    def write_message(self, message) -> None:
        self.stream.write(readable(message) + "\n")
        self.stream.write("-" * 79 + "\n")
