"""The project's configuration: settings, URLs, the Celery app, WSGI and ASGI. It may import every app;
no app imports it (an app reads settings through `django.conf.settings`)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
