"""Celery application: queues ``default``, ``imports``, ``reports``.

Broker and schedule come from Django settings (``CELERY_*``); see config/settings.py.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("opora")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
