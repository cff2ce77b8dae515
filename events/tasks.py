"""Mail of the centre: thin tasks, ids in.

A letter (events.models.Letter) is claimed by core.jobs before it is sent, so a task that runs
twice (a retry, a redelivered message) sends once.
"""

from celery import shared_task

from events import mail


@shared_task(name="events.tasks.send_letter")
def send_letter(letter_id: int) -> bool:
    return mail.letter_send(letter_id=letter_id)
