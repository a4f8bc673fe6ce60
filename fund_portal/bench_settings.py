"""Settings of the load benchmark only (`benchmarks_public`): the portal's settings plus a bench URLconf
with a bare view, the framework's ceiling to compare the public pages with. Never used in production."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "fund_portal.bench_urls"
