"""The Redis cache backend (fund_portal.cache): Django's, with one redis-py client per pool."""

import threading
import uuid

import pytest
from django.conf import settings

from fund_portal.cache import RedisCache

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL,
    reason="needs Redis: CI runs this with REDIS_URL set; without it the cache is local memory",
)


@pytest.fixture
def cache():
    backend = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex}"})
    yield backend
    backend.delete_many([f"k{n}" for n in range(8)] + ["page", "generation", "gone"])


def test_values_go_to_redis_and_back_through_one_client(cache):
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=False) is client  # one server: one pool, one client

    cache.set("page", (3, "text/html", b"<html>trang</html>"), 60)
    assert cache.get_many(["page", "generation"]) == {"page": (3, "text/html", b"<html>trang</html>")}
    assert client.ttl(cache.make_and_validate_key("page")) in range(55, 61)
    cache.set("generation", 1, None)
    assert cache.incr("generation") == 2 and cache.get("generation") == 2
    assert cache.add("generation", 9) is False
    cache.set("gone", "x")
    cache.delete("gone")
    assert cache.get("gone", "absent") == "absent"


def test_threads_share_the_client_and_each_reads_its_own_values(cache):
    failures = []

    def work(n: int) -> None:
        for i in range(200):
            cache.set(f"k{n}", (n, i))
            if cache.get(f"k{n}") != (n, i):
                failures.append((n, i))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [cache.get(f"k{n}") for n in range(8)] == [(n, 199) for n in range(8)]
    assert len(cache._cache._clients) == 1
