"""The portal behind gunicorn, for the benchmarks that measure it over real HTTP (`public_load`,
`bank_feed`): 2 sync workers on a free local port, DEBUG off, the configured database and Redis."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator

from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(static_root: str, **extra: str) -> dict:
    """The environment of the server: this one's, with production-like settings for a local address."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        CONN_MAX_AGE="60",
        STATIC_ROOT=static_root,
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def database_url() -> str:
    """The address of the database this process uses (PostgreSQL), for a server that must read the
    same one (a test's database, whose name differs from DATABASE_URL's)."""
    from urllib.parse import quote

    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="") + (":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  local server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url}")


@contextlib.contextmanager
def gunicorn(*, collect_static: bool = False, **extra_env: str) -> Iterator[str]:
    """gunicorn serving the portal until the block ends; yields its base URL once it answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as static_root:
        env = server_env(static_root, **extra_env)
        if collect_static:
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=settings.BASE_DIR,
                env=env,
                check=True,
            )
        program = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        server = subprocess.Popen(
            [
                program,
                "config.wsgi:application",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        try:
            wait_up(base + "/bench/bare/")
            yield base
        finally:
            server.terminate()
            server.wait(timeout=20)
