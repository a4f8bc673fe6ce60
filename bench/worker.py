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

from bench.server import server_env


@contextlib.contextmanager
def celery_worker(*, concurrency: int | None = None, seconds: float = 60) -> Iterator[int]:
    """A worker serving the broker until the block ends; yields its concurrency once it answers a ping."""
    from config.celery import app

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
                "--hostname",
                f"bench-{os.getpid()}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=server_env(static_root),
            stdout=subprocess.DEVNULL,  # the banner
        )
        try:
            deadline = time.monotonic() + seconds
            while not app.control.ping(timeout=1):
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Celery worker did not start")
            yield concurrency
        finally:
            worker.terminate()
            worker.wait(timeout=60)
