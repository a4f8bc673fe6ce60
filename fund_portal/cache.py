"""Django's Redis cache backend, with one redis-py client per connection pool instead of one per call.

Django's `RedisCacheClient.get_client()` makes a new `redis.Redis` for every cache operation, and
redis-py builds its table of some 170 response callbacks in each one (redis-py issue #3624): 130 of
the 590 µs of a public page served from the cache. A client holds no connection of its own (each
command takes one from the pool and gives it back, and the pool starts afresh in a forked process),
so one per pool serves every thread and every worker process.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[object, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        # By pool: with several servers, Django picks a replica at random for each read.
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
