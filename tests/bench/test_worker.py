"""The benchmarks' broadcasts to the workers (ping, inspect) leave nothing behind that a process forked
afterwards inherits (issue 20: a full `make bench` hung in the postings after the province's pool).

A broadcast reads its replies with a blocking BRPOP; made on a connection of the Celery app's pool, that
connection went back to the pool in that state, and the 50 posting processes forked later all inherited
it: each publishing read another's reply and they waited for ever. Redis only: the embedded broker has
no blocking read."""

import multiprocessing
import uuid

import pytest
from django.conf import settings

from bench.worker import broadcast_connection
from config.celery import app

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis (REDIS_URL): the embedded broker reads without blocking"
)

_fork = multiprocessing.get_context("fork")


def _publish(queue: str, results) -> None:
    try:
        for n in range(10):
            app.send_task("bench.fork_probe", args=[n], queue=queue)
        results.put("ok")
    except Exception as error:  # noqa: BLE001  the test shows it
        results.put(f"{type(error).__name__}: {error}")


def test_processes_forked_after_a_broadcast_publish_on_connections_of_their_own():
    queue = f"bench-fork-{uuid.uuid4().hex}"
    with broadcast_connection() as connection:
        assert app.control.ping(timeout=0.3, connection=connection) == []  # no worker: no reply
        app.control.inspect(timeout=0.3, connection=connection).active()
    app.send_task("bench.fork_probe", args=[-1], queue=queue)  # the parent's pool in use before forking

    results = _fork.Queue()
    processes = [_fork.Process(target=_publish, args=(queue, results)) for _ in range(6)]
    for process in processes:
        process.start()
    try:
        said = [results.get(timeout=30) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
    try:
        assert said == ["ok"] * 6
        with app.connection_for_read() as connection:
            assert connection.default_channel.client.llen(queue) == 1 + 6 * 10
    finally:
        with app.connection_for_read() as connection:
            connection.default_channel.client.delete(queue)
