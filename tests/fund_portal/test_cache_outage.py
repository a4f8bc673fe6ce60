"""The Redis cache backend through an outage: the process's memory while Redis is down, Redis again after.

A Redis server of the test's own (on a free port, no persistence) is stopped and started again.
"""

import logging
import shutil
import socket
import subprocess
import time
import uuid

import pytest
import redis

from fund_portal.cache import FALLBACK_SECONDS, RedisCache

REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)


def stop_redis(process: subprocess.Popen) -> None:
    process.kill()
    process.wait(timeout=10)


@pytest.mark.skipif(REDIS_SERVER is None, reason="needs the redis-server program (Debian: redis-server)")
def test_the_cache_uses_memory_while_redis_is_down_and_redis_again_once_it_answers(caplog):
    caplog.set_level(logging.WARNING, logger="fund_portal.cache")
    port = free_port()
    location = f"redis://127.0.0.1:{port}/0"
    cache = RedisCache(location, {"KEY_PREFIX": f"outage-{uuid.uuid4().hex}"})
    direct = redis.Redis(port=port)
    server = start_redis(port)
    try:
        cache.set("generation", 1, None)
        assert direct.get(cache.make_and_validate_key("generation")) is not None  # in Redis

        stop_redis(server)
        assert cache.get("generation", "absent") == "absent"  # a miss, not an error
        assert cache.add("generation", 5) is True
        assert cache.incr("generation") == 6
        assert cache.get_many(["generation", "page"]) == {"generation": 6}
        with pytest.raises(ValueError):  # as Redis answers an absent key's incr
            cache.incr("never-set")
        outage = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(outage) == 1 and f"Redis cache {location} unreachable" in outage[0].getMessage()

        server = start_redis(port)  # empty: no persistence
        assert cache.get("generation") == 6  # still memory, for a few seconds
        time.sleep(FALLBACK_SECONDS + 0.2)
        assert cache.get("generation", "absent") == "absent"  # Redis again, which lost its keys
        cache.set("generation", 7, None)
        assert direct.get(cache.make_and_validate_key("generation")) is not None
        assert cache.get("generation") == 7
        assert any("answers again" in r.getMessage() for r in caplog.records)
    finally:
        stop_redis(server)


def test_a_redis_that_refuses_connections_is_tried_once_every_few_seconds_not_on_every_call():
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0", {})
    started = time.monotonic()
    cache.get("page")
    first = time.monotonic() - started
    started = time.monotonic()
    for n in range(200):
        cache.get_many([f"page-{n}", "generation"])
    assert time.monotonic() - started < max(first, 0.05) * 3  # 200 calls cost less than a few attempts


def test_the_outage_log_does_not_carry_the_redis_password(caplog):
    caplog.set_level(logging.ERROR, logger="fund_portal.cache")
    cache = RedisCache(f"redis://:s3cret-pass@127.0.0.1:{free_port()}/0", {})
    assert cache.get("page") is None
    (record,) = caplog.records
    assert "s3cret-pass" not in record.getMessage() and "redis://***@127.0.0.1:" in record.getMessage()
