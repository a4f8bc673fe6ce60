"""A worker process serves a public page the cache has just confirmed fresh from its own memory for up
to a second, with no cache round trip: a change the process made itself shows at once, one announced by
another process (its generation raised in the shared cache) within that second."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from fund_portal.public_cache import scope_generation_key
from public.cache import LOCAL_SECONDS, page_key, public_version

from .conftest import give

pytestmark = pytest.mark.django_db


def home_key_and_scope() -> tuple[str, str | None]:
    request = RequestFactory().get("/")
    with translation.override("vi"):
        version = public_version(request)
        return page_key(request, (), version), version.scope


def built(queries) -> bool:
    return any("campaigns_campaign" in q["sql"] for q in queries.captured_queries)


def test_a_page_found_fresh_is_served_from_the_process_memory_for_a_second(client, site):
    client.get("/")  # built and cached
    page = client.get("/").content.decode()  # found fresh in the cache: kept in memory
    key, scope = home_key_and_scope()
    # Another process announces a change: its generation raised in the shared cache, and the entry gone.
    cache.incr(scope_generation_key(scope))
    cache.delete(key)
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/").content.decode()
    assert again == page and not queries.captured_queries  # from memory: no query, no cache entry needed
    time.sleep(LOCAL_SECONDS + 0.1)
    with CaptureQueriesContext(connection) as queries:
        later = client.get("/")
    assert later.status_code == 200 and built(queries)  # the second is over: asked the cache, built again
    assert cache.get(key) is not None


def test_a_posting_in_this_process_shows_on_its_next_page_at_once(client, site):
    client.get("/")
    before = client.get("/").content.decode()  # kept in memory
    give(site["fund"], 5_000_000, timezone.localdate(), campaign=site["campaign"], donor_name="Người Mới")
    after = client.get("/").content.decode()
    assert "8.600.000" not in before and "8.600.000" in after


def test_a_stale_copy_served_meanwhile_is_not_kept_in_memory(client, site):
    before = client.get("/").content.decode()
    give(site["fund"], 5_000_000, timezone.localdate(), campaign=site["campaign"], donor_name="Người Mới")
    key, _scope = home_key_and_scope()
    assert cache.add(f"{key}:rebuilding", 1, 30)  # another request is building it
    assert client.get("/").content.decode() == before  # the stale copy, meanwhile
    cache.delete(f"{key}:rebuilding")
    assert "8.600.000" in client.get("/").content.decode()  # not the stale copy from memory


def test_a_logged_in_visitor_is_never_served_the_shared_copy_from_memory(client, site):
    client.get("/")
    shared = client.get("/").content.decode()  # the shared copy, kept in memory
    assert "csrfmiddlewaretoken" not in shared
    client.force_login(site["staff"])
    page = client.get("/")
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
