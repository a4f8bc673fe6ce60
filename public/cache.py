"""Caching of the public site: whole pages keyed by fund, stamped with generations and a "figures
version", served stale while one request builds them again.

A deployment serves several funds, each with its own public pages (`donations.selectors.public_funds`:
the request's fund, and the unit path its pages cover, its *scope*). Each public page is cached whole
(the HTML) for visitors without a session, and its data for everyone, under a key made of the fund,
the language and the path:

    public:<fund id>:page:<language>:<hash of the path and the query parameters it reads>
    public:<fund id>:data:<language>:<name of the data>

(fund id 0 when the deployment has no fund yet). Each entry holds the *stamp* it was built in and the
time it was built. It is fresh while its stamp is the current one and it is younger than
`PUBLIC_CACHE_SECONDS` (60 s, the backstop for what nothing announces: a news post whose publication
time arrives, a donor changing their display choice). The stamp is:

- the generations, numbers kept in the cache (Redis in production, shared by every worker): one for
  every page of every fund, and one per scope (`fund_portal.public_cache`), which
  `public_figures_changed(unit_ids=...)` raises whenever money, support or needs change at a unit:
  every service that writes a ledger entry (posting, reversal, disbursement, the donations import), a
  support or a needs assessment calls it, at once and again when its transaction commits, for the units
  it touched; the pages of the funds of that unit and of the units above it go stale, a sibling fund's
  stay. `public_cache_bump()` does the same for the changes that are not figures: a news post, a
  campaign edited, a guardian withdrawing consent to a story. A page that shows no figures (the news,
  `figures=False`) reads a generation of its own that only `public_cache_bump()` raises;
- for a page that shows figures, the *version*: numbers that grow with the ledger, the supports and the
  needs of the fund's scope (three `MAX(id)` in one SQL statement for the whole deployment; for a scope,
  the count of its ledger entries from the month totals and its newest support and need among the
  tables' newest rows), read at most once a second per worker process and scope. It is
  the safety net for a writer that forgot to call `public_figures_changed()`: such a change still
  shows within a second.

A stale entry is not thrown away: the first request that finds it stale builds the page again (it
takes a short lock in the cache), and every other request meanwhile gets the stale copy. On an appeal
night, with a posting every second, each page is built about once a second, not once per visitor; a
posted donation shows on the next page load once that build is done.

A cached page therefore costs one cache round trip (the page and its generations together) and no
database query. And once a worker process has found a page fresh in the cache, it serves it from its
own memory for up to a second (`LOCAL_SECONDS`, the second the figures version already waits) without
asking the cache again: no round trip at all. A change made by the process itself shows at once there
(`fund_portal.public_cache.local_bumps`); one made by another process shows within that second, as a
change no service announced already did through the figures version. Only a page the cache confirmed
fresh is kept, never one just built or a stale copy; at most `LOCAL_BYTES` of pages per process.

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
from threading import Lock
from urllib.parse import urlencode

from cachetools import TTLCache
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Max, Sum
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from children.models import Need, Support
from donations.models import LedgerEntry, LedgerMonth
from donations.selectors.public_funds import public_fund_scope, public_funds_forget, request_fund
from fund_portal.lookups import AmongFound
from fund_portal.public_cache import (
    GENERATION_KEY,
    content_generation_key,
    local_bumps,
    scope_generation_key,
)

PUBLIC_CACHE_SECONDS = 60


def _version_sql() -> str:
    tables = [LedgerEntry._meta.db_table, Support._meta.db_table, Need._meta.db_table]
    return "SELECT " + ", ".join(f"(SELECT MAX(id) FROM {table})" for table in tables)


def _read_version(scope: str | None) -> tuple:
    """The ledger, the supports and the needs of a scope, each as a number that grows with every
    change: for the whole deployment three MAX(id); for a scope, the count of the ledger entries of
    its funds (the sum of their month totals' counts, a few hundred rows that the ledger's trigger
    keeps: the entries are never deleted, so the count only grows) and the newest support and need
    (`_newest_in_scope`). A MAX(id) of the
    ledger filtered by the funds' unit path read millions of entries (1.6 s at 5,000,000)."""
    if scope is None:
        with connection.cursor() as cursor:
            cursor.execute(_version_sql())
            return cursor.fetchone()
    ledger = LedgerMonth.objects.filter(fund__unit__path__startswith=scope).aggregate(n=Sum("entries"))["n"]
    return (
        ledger,
        _newest_in_scope(Support, commune__path__startswith=scope),
        _newest_in_scope(Need, child__commune__path__startswith=scope),
    )


#: How many of the newest rows of a table the version of a scope looks through.
NEWEST_WINDOW = 2_000


def _newest_in_scope(model, **in_scope) -> int | None:
    """The id of the scope's newest row among the table's NEWEST_WINDOW newest (None if it has none
    there): a row added in the scope is always among the newest, so this changes whenever one is, as
    the scope's MAX(id) did; the MAX(id) itself read every row of a province (274 ms for its needs).
    More rows than the window added elsewhere within a second also change it: a page built once more."""
    newest = model.objects.aggregate(top=Max("id"))["top"] or 0
    # The window's ids are gathered first (`AmongFound`): joined as a range, PostgreSQL guessed a
    # province's children at a seventh of them and hashed all 100,000 for the 2,000 needs (53 ms, on
    # every cold page); read by id, the window's rows are joined to their child and commune (7 ms).
    window = model.objects.filter(id__gt=newest - NEWEST_WINDOW).values("pk")
    return model.objects.filter(AmongFound(F("pk"), window), **in_scope).aggregate(v=Max("id"))["v"]


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
    """Read the versions again on the next request, and ask the cache again for every page (tests: each
    starts from its own database; the benchmark's cold requests)."""
    _versions.clear()
    public_funds_forget()
    with _local_lock:
        _local.clear()


@dataclass(frozen=True)
class PublicVersion:
    """What a public page's cache entries are checked against: its fund, the scope its pages cover,
    the figures version."""

    fund_id: int
    scope: str | None
    figures: str

    def key(self, kind: str, *parts: str) -> str:
        language = translation.get_language() or ""
        return ":".join(("public", str(self.fund_id), kind, language, *parts))

    def generation_keys(self, *, figures: bool = True) -> list[str]:
        scoped = scope_generation_key(self.scope) if figures else content_generation_key(self.scope)
        return [GENERATION_KEY, scoped]


def public_version(request, *, figures: bool = True) -> PublicVersion:
    """The fund of the request, its scope and its figures version (none for a page without figures:
    it is not read)."""
    fund = request_fund(request)
    scope = public_fund_scope(fund)
    return PublicVersion(
        fund_id=fund.pk if fund else 0, scope=scope, figures=figures_version(scope) if figures else ""
    )


def _shared(request) -> bool:
    """A request that may get the shared copy of a page: a plain GET without a session or messages."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


#: How long an entry stays in the cache: long past its freshness, so that a stale copy is there to
#: serve while one request builds the page again.
ENTRY_SECONDS = 3600
#: How long one request may hold the right to build a stale page again (it gives it back when done).
REBUILD_SECONDS = 30

#: How long a worker process serves a page the cache confirmed fresh from its own memory.
LOCAL_SECONDS = VERSION_CHECK_SECONDS
#: How many bytes of pages a worker process keeps in memory at most.
LOCAL_BYTES = 16 * 1024 * 1024


def _local_size(entry) -> int:
    return len(entry[-1][1])  # the page's HTML, what weighs


#: key → (figures version, local bumps, built at, (content type, HTML)), each for LOCAL_SECONDS.
_local: TTLCache = TTLCache(maxsize=LOCAL_BYTES, ttl=LOCAL_SECONDS, getsizeof=_local_size)
_local_lock = Lock()


def _local_get(key: str, figures: str):
    """The page kept in this process's memory under `key`, if the cache confirmed it fresh less than
    LOCAL_SECONDS ago, for the same figures version, and this process has made no bump since."""
    with _local_lock:
        entry = _local.get(key)
    if entry is None:
        return None
    kept_figures, bumps, built_at, value = entry
    if kept_figures != figures or bumps != local_bumps() or time.time() - built_at >= PUBLIC_CACHE_SECONDS:
        return None
    return value


def _local_keep(key: str, figures: str, bumps: int, built_at: float, value) -> None:
    if _local_size((value,)) > LOCAL_BYTES:
        return
    with _local_lock:
        _local[key] = (figures, bumps, built_at, value)


def _cached(
    key: str,
    version: PublicVersion,
    build: Callable[[], tuple[object, bool]],
    *,
    figures: bool,
    local: bool = False,
):
    """What `build` makes, cached under `key` with the stamp it was built in (the generations and, for
    a page that shows figures, the figures version) and the time.

    Fresh (same stamp, younger than PUBLIC_CACHE_SECONDS): served. Stale: the first request to see it
    builds it again, and every other request meanwhile gets the stale copy (one build, not one per
    visitor, on a night when a posting arrives every second). Missing: built. `build` returns what to
    serve and whether it may be kept. `local`: a fresh entry is also kept in this process's memory
    for LOCAL_SECONDS, and served from there meanwhile (`_local_get`)."""
    figures_stamp = version.figures if figures else ""
    if local:
        kept = _local_get(key, figures_stamp)
        if kept is not None:
            return kept
    bumps = local_bumps()
    generation_keys = version.generation_keys(figures=figures)
    found = cache.get_many([key, *generation_keys])
    stamp = (tuple(found.get(k, 0) for k in generation_keys), figures_stamp)
    entry = found.get(key)
    if entry is not None:
        built_in, built_at, value = entry
        if built_in == stamp and time.time() - built_at < PUBLIC_CACHE_SECONDS:
            if local:
                _local_keep(key, figures_stamp, bumps, built_at, value)
            return value
        if not cache.add(f"{key}:rebuilding", 1, REBUILD_SECONDS):
            return value  # another request is building it: the stale copy meanwhile
    try:
        value, keep = build()
        if keep:
            cache.set(key, (stamp, time.time(), value), ENTRY_SECONDS)
        return value
    finally:
        if entry is not None:
            cache.delete(f"{key}:rebuilding")


def public_data(
    name: str, build: Callable[[], dict], *, version: PublicVersion, figures: bool = True
) -> dict:
    """The data of a public page, built again when its fund's figures or generations moved (see
    `_cached`). `figures=False`: data that shows no figure (postings leave it alone)."""
    return _cached(version.key("data", name), version, lambda: (build(), True), figures=figures)


def public_page(*, params: tuple[str, ...] = (), figures: bool = True):
    """Serve a public page from the cache for visitors without a session (see the module docstring).

    Only the query parameters named in `params` make a page of its own (no cache flooding with
    made-up query strings); the view receives `version` as a keyword, to pass on to `public_data`.
    `figures=False`: a page that shows no figure, which postings leave alone."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return _serve(view, params, figures, request, *args, **kwargs)

        return wrapper

    return decorate


def page_key(request, params: tuple[str, ...], version: PublicVersion) -> str:
    """The cache key of a page: its path and the query parameters it reads, whole and escaped, hashed
    (a made-up 500-character slug must not make a key memcached or Redis refuse). Cut to their first
    20 characters, two searches or fund codes alike in those had one page: the first visitor's."""
    query = urlencode([(p, request.GET.get(p, "")) for p in params])
    address = hashlib.blake2b(f"{request.path}?{query}".encode(), digest_size=16).hexdigest()
    return version.key("page", address)


def _serve(view, params, figures, request, *args, **kwargs):
    version = public_version(request, figures=figures)
    if not _shared(request):
        response = view(request, *args, version=version, **kwargs)
        patch_vary_headers(response, ["Cookie"])
        return response
    built = []

    def build():
        response = view(request, *args, version=version, **kwargs)
        if hasattr(response, "render"):
            response = response.render()
        built.append(response)
        keep = (
            response.status_code == 200
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        )
        return (response["Content-Type"], response.content), keep

    content_type, content = _cached(
        page_key(request, params, version), version, build, figures=figures, local=True
    )
    response = built[0] if built else HttpResponse(content, content_type=content_type)
    patch_vary_headers(response, ["Cookie"])
    return response
