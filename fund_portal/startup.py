"""What a long-running process of the portal does once it has loaded: its objects made permanent for
the garbage collector.

A web process holds about 160,000 objects once Django, the apps, the URLs and the admin are loaded;
every full collection walks them all (about 60 ms on the benchmark machine), and one falls on some
request every hundred or so, which then takes three times as long. `gc.freeze()` moves the objects
alive now out of the collector's reach (they live as long as the process anyway), so a full
collection walks only what requests made since (about 5 ms).

Each request also leaves about 70 objects in reference cycles (Django's request with its lazy user,
session, messages and CSP nonce), which only the collector frees. At Python's threshold of 2,000 a
young collection (0.3 to 0.7 ms) fell on one request in about 30 and doubled it: on a warm public
page (0.4 ms) that was the p95. At `YOUNG_THRESHOLD` it falls on one request in about 130, under
1%, and takes 2 to 3 ms; the collector's time over all requests is about the same.

Called by `config.wsgi` and `config.asgi` after the application is built, by each Celery worker
process once WeasyPrint is warmed up (`config.celery`: a commune's report built 10% faster over a
deadline's builds), and by the benchmarks before they time requests.
"""

from __future__ import annotations

import gc

#: Allocations (less deallocations) between two collections of the young generation, once frozen.
YOUNG_THRESHOLD = 10_000


def freeze_loaded() -> int:
    """Load what the first request would (the URL patterns, the admin's registry), collect what is
    garbage already, freeze the rest, and collect the young generation less often (`YOUNG_THRESHOLD`).
    Returns the number of objects frozen."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  imports every app's views and the admin's registry
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    return gc.get_freeze_count()
