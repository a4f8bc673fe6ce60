"""Celery runs for real: a worker executes the heartbeat, and beat schedules it on the embedded broker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from fund_portal.tasks import heartbeat_task

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def celery_config(tmp_path_factory):
    """The project's broker: Redis when REDIS_URL is set (CI), else the filesystem transport."""
    if settings.REDIS_URL:
        return {"broker_url": settings.REDIS_URL, "result_backend": settings.REDIS_URL}
    folder = tmp_path_factory.mktemp("broker")
    return {
        "broker_url": "filesystem://",
        "broker_transport_options": {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(folder / "control"),
        },
        "result_backend": "cache+memory://",
    }


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_heartbeat_task(celery_app, celery_worker, caplog):
    caplog.set_level("INFO", logger="fund_portal.tasks")
    result = heartbeat_task.delay()
    stamp = result.get(timeout=30)
    assert stamp.endswith("+07:00")  # Asia/Ho_Chi_Minh
    assert any("Celery heartbeat" in r.getMessage() for r in caplog.records)


def test_beat_and_worker_on_the_embedded_broker_log_the_heartbeat(tmp_path):
    """What `make run` starts: worker with embedded beat, no Redis; the periodic task must visibly run."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "BROKER_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "VAR_DIR": str(tmp_path),
            "HEARTBEAT_SECONDS": "1",
        }
    )
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--beat",
                "--loglevel=INFO",
                "--concurrency=1",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "Celery heartbeat" not in log.read_text():
            assert process.poll() is None, log.read_text()
            time.sleep(0.5)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    text = log.read_text()
    assert "Celery heartbeat: worker and beat are running" in text, text
    assert "filesystem" in text
