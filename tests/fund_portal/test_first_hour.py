"""A newcomer's first hour: `make run` serves on PORT (8000 unless set) and SITE_URL follows it;
`make manage ARGS=...` runs a command in the same checkout with the settings `make run` uses."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.processes import ROOT
from tests.processes import run_python as run

BIN = Path(sys.executable).parent


def site_url(env, tmp_path) -> str:
    code = "import django; from django.conf import settings; django.setup(); print(settings.SITE_URL)"
    result = run(["-c", code], {"DEBUG": "true", **env}, tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_site_url_follows_the_port_unless_it_is_set(tmp_path, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert site_url({}, tmp_path) == "http://127.0.0.1:8000"
    assert site_url({"PORT": "8145"}, tmp_path) == "http://127.0.0.1:8145"
    assert (
        site_url({"PORT": "8145", "SITE_URL": "https://quy.example.org/"}, tmp_path)
        == "https://quy.example.org"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_development_web_process_listens_on_port(tmp_path):
    """Procfile.dev's web, started by honcho as `make run` starts it, answers on the PORT given."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
    env.update(
        DEBUG="true",
        PORT=str(port),
        VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="config.settings",
        PATH=f"{BIN}{os.pathsep}{env['PATH']}",
    )
    honcho = subprocess.Popen(
        [str(BIN / "honcho"), "-f", "Procfile.dev", "start", "web"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline, answer = time.monotonic() + 60, None
        while answer is None and time.monotonic() < deadline and honcho.poll() is None:
            try:
                answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=2).status
            except urllib.error.HTTPError as error:
                answer = error.code
            except OSError:
                time.sleep(0.3)
        assert answer == 200
    finally:
        os.killpg(honcho.pid, signal.SIGTERM)
        honcho.wait(timeout=30)


def test_make_manage_runs_a_command_where_plain_manage_py_stops(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}
    }
    env.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    plain = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert plain.returncode != 0 and "SECRET_KEY must be set" in plain.stderr
    # -o: the virtualenv is taken as installed (this run's interpreter is in it).
    made = subprocess.run(
        ["make", "-o", ".venv/.installed", "manage", "ARGS=check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    assert "System check identified no issues" in made.stdout
