"""What a write calls when the public site must show it at once: the cache generations, per fund.

Every cached public page and its data carry the generations they were built in (`public.cache`);
raising one makes the pages that read it stale. A deployment serves several funds, each with its own
public pages covering the units under the fund's unit, so the generations are kept per unit path:

- `public:generation` (GENERATION_KEY): every page of every fund; raised by a bump without units (a
  change that touches everything, such as a unit renamed);
- `public:generation:<unit path>` (`scope_generation_key`): the pages of the funds of that unit;
  `public:generation:*` for the pages that cover the whole deployment (a one-fund deployment's).

A change at a unit (a posting to its fund, a support or a need of a child of its commune, its campaign,
its news) raises the generation of that unit and of every unit above it, whose funds' pages sum it, and
never a sibling's: a posting to one commune's fund leaves another commune's (or province's) pages alone.

Services call `public_figures_changed(unit_ids=...)` when money, support or needs change and
`public_cache_bump(unit_ids=...)` for other public changes (a news post, a campaign, a withdrawn
story). The core keeps this so that every app can call it without importing the public site.

A page that shows no figures (the news) reads `public:content:<unit path>` (`content_generation_key`)
instead, which only `public_cache_bump` raises: the postings of an appeal night leave it alone.

Each worker process may serve a page it has just found fresh from its own memory for up to a second
(`public.cache`); a bump made in the process itself also raises `local_bumps()`, which that memory is
checked against, so the process that wrote shows the change on its next page at once, and the other
processes within that second.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "public:generation"
#: The scope of pages that cover the whole deployment.
WHOLE_SCOPE = "*"


def scope_generation_key(scope: str | None) -> str:
    """The generation of the pages of a scope: a unit path ("38/380/"), or None for the whole deployment."""
    return f"{GENERATION_KEY}:{scope or WHOLE_SCOPE}"


def content_generation_key(scope: str | None) -> str:
    """The generation of a scope's pages that show no figures: raised by every change but a figure's."""
    return f"public:content:{scope or WHOLE_SCOPE}"


_local = {"bumps": 0}


def local_bumps() -> int:
    """How many bumps this process has made: a page this process keeps in memory from before the
    latest one is not served from there."""
    return _local["bumps"]


def _incr(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def _scopes_above(paths: Iterable[str]) -> set[str]:
    """Each path and every path above it ("38/380/38001/" → "38/", "38/380/", "38/380/38001/")."""
    scopes = {WHOLE_SCOPE}
    for path in paths:
        codes = path.strip("/").split("/")
        scopes.update("/".join(codes[:n]) + "/" for n in range(1, len(codes) + 1))
    return scopes


def public_cache_bump(*, unit_ids: Iterable[int | None] | None = None, figures_only: bool = False) -> None:
    """Make the cached public pages that show these units stale now (their funds' and those above);
    every page of every fund when no unit is given. `figures_only`: only the pages that show figures."""
    _local["bumps"] += 1
    if unit_ids is None:
        _incr(GENERATION_KEY)
        return
    from .models import AdministrativeUnit

    ids = {pk for pk in unit_ids if pk is not None}
    paths = AdministrativeUnit.objects.filter(pk__in=ids).values_list("path", flat=True) if ids else []
    for scope in sorted(_scopes_above(paths)):
        _incr(scope_generation_key(scope))
        if not figures_only:
            _incr(content_generation_key(scope))


def public_cache_bump_on_commit(
    *, unit_ids: Iterable[int | None] | None = None, figures_only: bool = False
) -> None:
    """`public_cache_bump` when the transaction commits."""
    transaction.on_commit(
        partial(
            public_cache_bump,
            unit_ids=None if unit_ids is None else list(unit_ids),
            figures_only=figures_only,
        )
    )


def public_figures_changed(*, unit_ids: Iterable[int | None] | None = None) -> None:
    """Money, support or needs changed at these units: stale now, and again at commit (a page built
    between the two from the figures before the commit is not kept)."""
    unit_ids = None if unit_ids is None else list(unit_ids)
    public_cache_bump(unit_ids=unit_ids, figures_only=True)
    public_cache_bump_on_commit(unit_ids=unit_ids, figures_only=True)
