"""Letters of the account flows, sent by a worker: the request never waits for SMTP."""

from celery import shared_task

from accounts import services


@shared_task(name="accounts.tasks.send_password_reset")
def send_password_reset(email: str) -> int:
    return services.password_reset_send(email=email)
