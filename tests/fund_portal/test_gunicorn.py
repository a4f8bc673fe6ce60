"""The web server's worker processes are ready for PDFs before their first request."""

import os
import socket
import subprocess
import sys
import time

import pytest

from tests.processes import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="gunicorn runs on POSIX only")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_each_gunicorn_worker_warms_weasyprint_up_as_it_starts(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.test_settings", "VAR_DIR": str(tmp_path)})
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "2",
             "--bind", f"127.0.0.1:{_free_port()}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 90
            while log.read_text().count("PDF warm-up:") < 2 and time.monotonic() < deadline:
                assert server.poll() is None, log.read_text()
                time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert log.read_text().count("PDF warm-up:") == 2, log.read_text()
