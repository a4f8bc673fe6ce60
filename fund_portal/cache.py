"""Django's Redis cache backend, with one redis-py client per connection pool, and a cache in the process's
memory while Redis cannot be reached.

One client per pool: Django's `RedisCacheClient.get_client()` makes a new `redis.Redis` for every cache
operation, and redis-py builds its table of some 170 response callbacks in each one (redis-py issue #3624):
130 of the 590 µs of a public page served from the cache. A client holds no connection of its own (each
command takes one from the pool and gives it back, and the pool starts afresh in a forked process), so one
per pool serves every thread and every worker process.

Outages: Django's backend raises `ConnectionError` on every call while Redis is down, and the page cache,
the donation form's rate limit and allauth's login rate limit and TOTP replay guard all call it, so an
outage of the cache took the whole site down with it (issue 15). django-redis' IGNORE_EXCEPTIONS would turn
each call into a miss, which silently switches the rate limits off (a count that is never stored never
reaches its limit) and lets a TOTP code be used again anywhere. Here each call that cannot reach Redis is
served instead by Django's `LocMemCache`, one per process: pages are cached per process, rate limits count
per process (a client gets the budget once per web worker process, not without limit), and a TOTP code is
single-use within a process. The outage is logged once when it begins and once when Redis answers again;
for `FALLBACK_SECONDS` after a failure the calls go straight to memory, so a Redis that does not answer
costs one connection attempt (capped by the pool's socket timeouts, see settings) every few seconds, not one
per call. `/healthz` does not use the cache: it still reports the broker (the same Redis) as down.
"""

from __future__ import annotations

import logging
import re
import threading
import time

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: What redis-py raises when the server cannot be reached or does not answer in time.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
FALLBACK_SECONDS = 5.0
#: Per server (LOCATION): until when the calls skip Redis. Per process, shared by its threads (Django makes
#: one backend object per thread).
_down_until: dict[str, float] = {}


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[object, object] = {}
        self._lock = threading.Lock()

    def _get_connection_pool(self, write):
        # Django checks for the pool, then makes it: threads starting together each made one (and a client).
        with self._lock:
            return super()._get_connection_pool(write)

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        # By pool: with several servers, Django picks a replica at random for each read.
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


def _without_password(location: str) -> str:
    """The server's address for the log: redis://:secret@host/0 is logged as redis://***@host/0."""
    return re.sub(r"//[^/@]*@", "//***@", location)


def _with_fallback(name: str):
    def method(self, *args, **kwargs):
        if time.monotonic() < _down_until.get(self._location, 0.0):
            return getattr(self._fallback, name)(*args, **kwargs)
        try:
            result = getattr(django_redis.RedisCache, name)(self, *args, **kwargs)
        except UNREACHABLE as exc:
            if self._location not in _down_until:
                logger.error(
                    "Redis cache %s unreachable, using this process's memory: %s",
                    _without_password(self._location),
                    exc,
                )
            _down_until[self._location] = time.monotonic() + FALLBACK_SECONDS
            return getattr(self._fallback, name)(*args, **kwargs)
        if _down_until.pop(self._location, None) is not None:
            logger.warning("Redis cache %s answers again", _without_password(self._location))
        return result

    method.__name__ = name
    method.__doc__ = f"Redis' `{name}`, or the process's memory while Redis cannot be reached."
    return method


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._location = server if isinstance(server, str) else ",".join(server)
        # Same key prefix, version and default timeout as Redis; the name makes every thread of the process
        # share one store (LocMemCache keeps its stores by name).
        local = {k: v for k, v in params.items() if k != "OPTIONS"}
        self._fallback = LocMemCache(f"redis-fallback:{self._location}", local)

    add = _with_fallback("add")
    get = _with_fallback("get")
    set = _with_fallback("set")
    touch = _with_fallback("touch")
    delete = _with_fallback("delete")
    get_many = _with_fallback("get_many")
    has_key = _with_fallback("has_key")
    incr = _with_fallback("incr")
    set_many = _with_fallback("set_many")
    delete_many = _with_fallback("delete_many")
    clear = _with_fallback("clear")
