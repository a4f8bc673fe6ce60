"""Settings of `make bench`: the portal's settings with the bench app installed (its `bench` command)
and its URLconf (the portal's URLs plus a bare view, the framework's ceiling the public pages are
compared with). Never used in production; the Docker image leaves the bench app out (.dockerignore)."""

from config.settings import *  # noqa: F403
from config.settings import ALLOWED_HOSTS, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
# The measures call pages through Django's test client, whose host is "testserver"; the public site
# resolves a fund from the request's host on every request (`donations.middleware`), so it must be allowed.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
