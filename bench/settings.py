"""Settings of `make bench`: the portal's settings with the bench app installed (its `bench` command)
and its URLconf (the portal's URLs plus a bare view, the framework's ceiling the public pages are
compared with). Never used in production; the Docker image leaves the bench app out (.dockerignore)."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
