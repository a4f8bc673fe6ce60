"""What a write calls when the public site must show it at once: the cache generation.

Every cached public page and its data carry the generation they were built in (`public.cache`);
raising it makes all of them stale. Services call `public_figures_changed()` when money, support or
needs change and `public_cache_bump()` for other public changes (a news post, a campaign, a
withdrawn story). The core keeps this so that every app can call it without importing the public
site.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "public:generation"


def public_cache_bump() -> None:
    """Make every cached public page stale now (after a change that adds no ledger, support or need row)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def public_figures_changed() -> None:
    """Money, support or needs changed: stale now, and again at commit (a page built between the two
    from the figures before the commit is not kept)."""
    public_cache_bump()
    transaction.on_commit(public_cache_bump)
