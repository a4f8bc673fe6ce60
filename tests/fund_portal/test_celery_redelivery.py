"""A task whose worker is killed mid-run is run again by another worker within the visibility timeout.

Celery's Redis transport keeps a task a worker has taken in an "unacked" set until the worker acknowledges
it (after the task, with acks_late); a worker killed with SIGKILL never does, and another worker gives the
task back to the queue once it is older than the broker's visibility timeout: 5 minutes in production, 5 s
here (BROKER_VISIBILITY_TIMEOUT), read from the settings by real worker processes.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app
from tests.processes import run_python

ROOT = Path(__file__).resolve().parents[2]
TASK = "tests.fund_portal.celery_probe.slow_probe_task"


def start_worker(
    queue: str, log: Path, tmp_path: Path, *, pool: str = "solo", visibility_timeout: int = 5
) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BROKER_URL", "DEBUG"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "VAR_DIR": str(tmp_path / "var"),
            "REDIS_URL": settings.REDIS_URL,
            "BROKER_VISIBILITY_TIMEOUT": str(visibility_timeout),
        }
    )
    with log.open("w") as out:
        return subprocess.Popen(
            [
                sys.executable,
                *("-m", "celery", "-A", "config", "worker", f"--pool={pool}", "--loglevel=INFO"),
                "--concurrency=1",
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                *("--queues", queue, "--include", "tests.fund_portal.celery_probe"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for(condition, *, seconds: float, worker: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert worker.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


@pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis (REDIS_URL): the embedded broker has no visibility timeout"
)
def test_a_task_of_a_worker_killed_mid_run_is_finished_by_the_next_worker(tmp_path):
    queue = f"redelivery-test-{uuid.uuid4().hex}"
    marks = tmp_path / "marks"
    marks.mkdir()
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_worker(queue, first_log, tmp_path)
    second = None
    try:
        app.send_task(TASK, args=[str(marks), 3.0], queue=queue)
        wait_for(lambda: any(marks.glob("started-*")), seconds=40, worker=first, log=first_log)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert not (marks / "done").exists()

        second = start_worker(queue, second_log, tmp_path)
        wait_for(lambda: (marks / "done").exists(), seconds=45, worker=second, log=second_log)
        assert (marks / "done").read_text() == str(second.pid)
        assert {p.name for p in marks.glob("started-*")} == {f"started-{first.pid}", f"started-{second.pid}"}
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=30)


@pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis (REDIS_URL): the tests' embedded broker is not the project's"
)
def test_a_task_whose_pool_process_dies_is_handed_back_and_run_again_at_once(tmp_path):
    """The OOM killer takes the process rendering a PDF, not the worker: the task is not marked failed."""
    queue = f"redelivery-test-{uuid.uuid4().hex}"
    marks = tmp_path / "marks"
    marks.mkdir()
    log = tmp_path / "worker.log"
    # An hour's visibility timeout: only the worker handing the task back can run it again in time.
    worker = start_worker(queue, log, tmp_path, pool="prefork", visibility_timeout=3600)
    try:
        app.send_task(TASK, args=[str(marks), 3.0], queue=queue)
        wait_for(lambda: any(marks.glob("started-*")), seconds=40, worker=worker, log=log)
        (started,) = marks.glob("started-*")
        os.kill(int(started.name.removeprefix("started-")), signal.SIGKILL)
        wait_for(lambda: (marks / "done").exists(), seconds=15, worker=worker, log=log)
        assert len(list(marks.glob("started-*"))) == 2
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


PRINT_CELERY = """
import json, django
django.setup()
from config.celery import app
print(json.dumps({
    "transport": app.conf.broker_transport_options,
    "acks_late": app.conf.task_acks_late,
    "reject_on_worker_lost": app.conf.task_reject_on_worker_lost,
    "prefetch": app.conf.worker_prefetch_multiplier,
}))
"""


def test_production_workers_take_back_a_lost_task_within_minutes(tmp_path):
    result = run_python(
        ["-c", PRINT_CELERY], {"DEBUG": "true", "REDIS_URL": "redis://cache.example.org:6380/2"}, tmp_path
    )
    assert result.returncode == 0, result.stderr
    conf = json.loads(result.stdout)
    assert conf["transport"] == {
        "visibility_timeout": 300,
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
    assert conf["acks_late"] is True and conf["reject_on_worker_lost"] is True and conf["prefetch"] == 1
