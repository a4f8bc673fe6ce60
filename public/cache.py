"""Caching of the public site: whole pages keyed by fund, a "figures version" and generations.

A deployment serves several funds, each with its own public pages (`donations.selectors.public_funds`:
the request's fund, and the unit path its pages cover, its *scope*). Each public page is cached whole
(the HTML) for visitors without a session, and its data for everyone, under a key made of the fund,
the path, the language and the fund's *version*, and kept with the *generations* it was built in:

    public:<fund id>:page:<language>:<version>:<hash of the path and the query parameters it reads>
    public:<fund id>:data:<language>:<version>:<name of the data>

(fund id 0 when the deployment has no fund yet.)

- the generations, numbers kept in the cache (Redis in production, shared by every worker): one for
  every page of every fund, and one per scope (`fund_portal.public_cache`), which
  `public_figures_changed(unit_ids=...)` raises whenever money, support or needs change at a unit:
  every service that writes a ledger entry (posting, reversal, disbursement, the donations import), a
  support or a needs assessment calls it, at once and again when its transaction commits, for the units
  it touched; the pages of the funds of that unit and of the units above it go stale, a sibling fund's
  stay. `public_cache_bump()` does the same for the changes that are not figures: a news post, a
  campaign edited, a guardian withdrawing consent to a story. So a posted donation shows on the very
  next page load of its fund's pages;
- the *version*: the ids of the latest ledger entry, support and need within the fund's scope (three
  `MAX(id)`: one SQL statement for the whole deployment, three filtered by the scope's unit path
  otherwise), read at most once a second per worker process and scope. It is the safety net for a
  writer that forgot to call `public_figures_changed()`: such a change still shows within a second;
- a timeout (`PUBLIC_CACHE_SECONDS`, 60 s) as the backstop for the rest (a news post whose
  publication time arrives, a donor changing their display choice).

A cached page therefore costs one cache round trip (the page and its generations together) and no
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
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Max
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from children.models import Need, Support
from donations.models import LedgerEntry
from donations.selectors.public_funds import public_fund_scope, public_funds_forget, request_fund
from fund_portal.public_cache import GENERATION_KEY, scope_generation_key

PUBLIC_CACHE_SECONDS = 60


def _version_sql() -> str:
    tables = [LedgerEntry._meta.db_table, Support._meta.db_table, Need._meta.db_table]
    return "SELECT " + ", ".join(f"(SELECT MAX(id) FROM {table})" for table in tables)


def _read_version(scope: str | None) -> tuple:
    """Three MAX(id): the ledger of the funds in scope, the supports and the needs of its communes."""
    if scope is None:
        with connection.cursor() as cursor:
            cursor.execute(_version_sql())
            return cursor.fetchone()
    return tuple(
        queryset.aggregate(v=Max("id"))["v"]
        for queryset in (
            LedgerEntry.objects.filter(fund__unit__path__startswith=scope),
            Support.objects.filter(commune__path__startswith=scope),
            Need.objects.filter(child__commune__path__startswith=scope),
        )
    )


VERSION_CHECK_SECONDS = 1.0
_versions: dict[str | None, tuple[float, str]] = {}


def figures_version(scope: str | None = None) -> str:
    """The ids of the latest ledger entry, support and need within a scope (a unit path, None for the
    whole deployment), read at most once a second per process and scope."""
    now = time.monotonic()
    read_at, value = _versions.get(scope, (-VERSION_CHECK_SECONDS, ""))
    if now - read_at >= VERSION_CHECK_SECONDS:
        value = "-".join(str(v or 0) for v in _read_version(scope))
        _versions[scope] = (now, value)
    return value


def figures_version_forget() -> None:
    """Read the versions again on the next request (tests: each starts from its own database)."""
    _versions.clear()
    public_funds_forget()


@dataclass(frozen=True)
class PublicVersion:
    """What a public page's cache entries are keyed by: its fund, the scope its pages cover, the version."""

    fund_id: int
    scope: str | None
    figures: str

    def key(self, kind: str, *parts: str) -> str:
        language = translation.get_language() or ""
        return ":".join(("public", str(self.fund_id), kind, language, self.figures, *parts))

    def generation_keys(self) -> list[str]:
        return [GENERATION_KEY, scope_generation_key(self.scope)]


def public_version(request) -> PublicVersion:
    """The fund of the request, its scope and its figures version."""
    fund = request_fund(request)
    scope = public_fund_scope(fund)
    return PublicVersion(fund_id=fund.pk if fund else 0, scope=scope, figures=figures_version(scope))


def _shared(request) -> bool:
    """A request that may get the shared copy of a page: a plain GET without a session or messages."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def public_data(name: str, build: Callable[[], dict], *, version: PublicVersion) -> dict:
    """The data of a public page, built once per fund, figures version, language and generations."""
    key = version.key("data", name)
    found = cache.get_many([key, *version.generation_keys()])
    generation = tuple(found.get(k, 0) for k in version.generation_keys())
    cached = found.get(key)
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
    version = public_version(request)
    if not _shared(request):
        response = view(request, *args, version=version, **kwargs)
        patch_vary_headers(response, ["Cookie"])
        return response
    query = "&".join(f"{p}={request.GET.get(p, '')[:20]}" for p in params)
    # The address is hashed: a made-up 500-character slug must not make a key memcached or Redis refuse.
    address = hashlib.blake2b(f"{request.path}?{query}".encode(), digest_size=16).hexdigest()
    key = version.key("page", address)
    found = cache.get_many([key, *version.generation_keys()])
    generation = tuple(found.get(k, 0) for k in version.generation_keys())
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
