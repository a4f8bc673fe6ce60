"""The portal's Celery app. Broker and schedule come from Django settings (namespace CELERY)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fund_portal.settings")

app = Celery("fund_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
