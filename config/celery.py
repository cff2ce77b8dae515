"""Celery application: queues ``default``, ``imports``, ``reports``.

Broker and schedule come from Django settings (``CELERY_*``); see config/settings.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("opora")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class QueueTimeLimits:
    """Task annotation: each task gets the soft and hard time limits of the queue it is routed to
    (settings.CELERY_QUEUE_TIME_LIMITS); a limit set on the task itself wins."""

    def annotate(self, task):
        from django.conf import settings

        queue = queue_of(task.name)
        soft, hard = settings.CELERY_QUEUE_TIME_LIMITS[queue]
        limits = {}
        if getattr(task, "soft_time_limit", None) is None:
            limits["soft_time_limit"] = soft
        if getattr(task, "time_limit", None) is None:
            limits["time_limit"] = hard
        return limits


def queue_of(task_name: str) -> str:
    """The queue CELERY_TASK_ROUTES sends ``task_name`` to (glob patterns, as Celery reads them)."""
    from fnmatch import fnmatchcase

    from django.conf import settings

    for pattern, route in settings.CELERY_TASK_ROUTES.items():
        if fnmatchcase(task_name, pattern):
            return route["queue"]
    return settings.CELERY_TASK_DEFAULT_QUEUE


app.conf.task_annotations = [QueueTimeLimits()]
