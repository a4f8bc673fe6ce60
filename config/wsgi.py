import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from fund_portal.startup import freeze_loaded  # noqa: E402  after the apps are loaded

freeze_loaded()
