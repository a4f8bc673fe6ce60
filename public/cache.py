"""Caching of the public site: whole pages keyed by a "figures version" and a generation number.

Each public page is cached whole (the HTML) for visitors without a session, and its data for everyone,
under a key made of the path, the language, the *generation* and the *version*:

- the generation, a number kept in the cache (Redis in production, shared by every worker), which
  `fund_portal.public_cache.public_figures_changed()` raises whenever money, support or needs
  change: every service that writes a ledger entry (posting, reversal, disbursement, the donations
  import), a support or a needs assessment calls it, at once and again when its transaction commits.
  `public_cache_bump()` does the same for the changes that are not figures: a news post, a campaign
  edited, a guardian withdrawing consent to a story. So a posted donation shows on the very next
  page load;
- the *version*: the ids of the latest ledger entry, support and need (one SQL statement of three
  `MAX(id)` on primary keys), read at most once a second per worker process. It is the safety net
  for a writer that forgot to call `public_figures_changed()`: such a change still shows within a
  second. Reading it on every request cost two database round trips (the query and the connection
  health check) on a page otherwise served from the cache alone;
- a timeout (`PUBLIC_CACHE_SECONDS`, 60 s) as the backstop for the rest (a news post whose
  publication time arrives, a donor changing their display choice).

A cached page therefore costs one cache round trip (the page and the generation together) and no
database query.

Why not cache the HTML for everyone: the page shows who is logged in and may carry a message, and
the shared copy must carry no CSRF token (the public language switch posts without one, see
`public.views.site.set_language_public`). A request with a session or messages cookie gets a fresh
render of the cached data instead.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from children.models import Need, Support
from donations.models import LedgerEntry
from fund_portal.public_cache import GENERATION_KEY

PUBLIC_CACHE_SECONDS = 60


def _version_sql() -> str:
    tables = [LedgerEntry._meta.db_table, Support._meta.db_table, Need._meta.db_table]
    return "SELECT " + ", ".join(f"(SELECT MAX(id) FROM {table})" for table in tables)


VERSION_CHECK_SECONDS = 1.0
_version = {"read_at": -VERSION_CHECK_SECONDS, "value": ""}


def figures_version() -> str:
    """The ids of the latest ledger entry, support and need, read at most once a second per process."""
    now = time.monotonic()
    if now - _version["read_at"] >= VERSION_CHECK_SECONDS:
        with connection.cursor() as cursor:
            cursor.execute(_version_sql())
            row = cursor.fetchone()
        _version["value"], _version["read_at"] = "-".join(str(v or 0) for v in row), now
    return _version["value"]


def figures_version_forget() -> None:
    """Read the version again on the next request (tests: each starts from its own database)."""
    _version["read_at"] = -VERSION_CHECK_SECONDS


def _shared(request) -> bool:
    """A request that may get the shared copy of a page: a plain GET without a session or messages."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def public_data(name: str, build: Callable[[], dict], *, version: str | None = None) -> dict:
    """The data of a public page, built once per figures version, language and generation."""
    version = version or figures_version()
    key = f"public:data:{name}:{translation.get_language()}:{version}"
    generation = cache.get(GENERATION_KEY, 0)
    cached = cache.get(key)
    if cached is not None and cached[0] == generation:
        return cached[1]
    data = build()
    cache.set(key, (generation, data), PUBLIC_CACHE_SECONDS)
    return data


def public_page(*, params: tuple[str, ...] = ()):
    """Serve a public page from the cache for visitors without a session (see the module docstring).

    Only the query parameters named in `params` make a page of its own (no cache flooding with
    made-up query strings); the view receives `version` as a keyword, to pass on to `public_data`."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return _serve(view, params, request, *args, **kwargs)

        return wrapper

    return decorate


def _serve(view, params, request, *args, **kwargs):
    version = figures_version()
    if not _shared(request):
        response = view(request, *args, version=version, **kwargs)
        patch_vary_headers(response, ["Cookie"])
        return response
    query = "&".join(f"{p}={request.GET.get(p, '')[:20]}" for p in params)
    # The address is hashed: a made-up 500-character slug must not make a key memcached or Redis refuse.
    address = hashlib.blake2b(f"{request.path}?{query}".encode(), digest_size=16).hexdigest()
    key = f"public:page:{translation.get_language()}:{version}:{address}"
    found = cache.get_many([key, GENERATION_KEY])
    generation = found.get(GENERATION_KEY, 0)
    cached = found.get(key)
    if cached is not None and cached[0] == generation:
        response = HttpResponse(cached[2], content_type=cached[1])
    else:
        response = view(request, *args, version=version, **kwargs)
        if hasattr(response, "render"):
            response = response.render()
        if (
            response.status_code == 200
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            cache.set(key, (generation, response["Content-Type"], response.content), PUBLIC_CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie"])
    return response
