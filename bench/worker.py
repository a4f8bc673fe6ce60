"""A real Celery worker for the benchmarks that measure the worker pool (`province`): prefork, one
process per core unless told, against the configured broker (Redis) and database, each pool process
warmed up as in production (`config.celery`)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

from django.conf import settings
from kombu import Connection

from bench.server import server_env


@contextlib.contextmanager
def broadcast_connection() -> Iterator[Connection]:
    """A broker connection of its own for a broadcast to the workers (ping, inspect), closed after it.

    A broadcast reads its replies with a blocking BRPOP. Made on a connection of the app's pool, that
    connection goes back to the pool in that state, and every process forked afterwards (the postings'
    50) inherits it: they read each other's replies and wait for ever."""
    from config.celery import app

    with app.connection_for_write() as connection:
        yield connection


def _answers(name: str) -> bool:
    from config.celery import app

    with broadcast_connection() as connection:
        replies = app.control.ping(timeout=1, connection=connection)
    return any(name in host for reply in replies for host in reply)


@contextlib.contextmanager
def celery_worker(
    *, concurrency: int | None = None, seconds: float = 60, queues: str | None = None, **env: str
) -> Iterator[int]:
    """A worker serving the broker until the block ends; yields its concurrency once it answers a ping.
    `queues`: the queues it serves, as docker compose's workers are started (`--queues=long`); all of
    them when not given. `env`: settings of the worker's environment beside the server's."""
    concurrency = concurrency or os.cpu_count() or 1
    program = os.path.join(os.path.dirname(sys.executable), "celery")
    with tempfile.TemporaryDirectory() as static_root:
        worker = subprocess.Popen(
            [
                program,
                "-A",
                "config",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                str(concurrency),
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
                "--prefetch-multiplier",
                "1",
                "--hostname",
                f"bench-{queues or 'all'}-{os.getpid()}@%h",
                *(["--queues", queues] if queues else []),
            ],
            cwd=settings.BASE_DIR,
            env=server_env(static_root, **env),
            stdout=subprocess.DEVNULL,  # the banner
        )
        try:
            deadline = time.monotonic() + seconds
            name = f"bench-{queues or 'all'}-{os.getpid()}@"
            while not _answers(name):
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Celery worker did not start")
            yield concurrency
        finally:
            worker.terminate()
            worker.wait(timeout=60)
