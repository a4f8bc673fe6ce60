"""The web process and each Celery worker process freeze what they have loaded (`fund_portal.startup`),
so a full garbage collection walks only what requests and tasks made since, and collect the young
generation less often than Python's default."""

import os
import subprocess
import sys

from django.conf import settings

from fund_portal.startup import YOUNG_THRESHOLD


def _frozen_and_tracked(program: str) -> tuple[int, int]:
    """Run `program` in a process of its own (freezing this one would change the tests'); it prints
    `gc.get_freeze_count()` and the objects the collector still tracks; the young generation's
    threshold must be `YOUNG_THRESHOLD` by then."""
    program += (
        "import gc\n"
        f"assert gc.get_threshold()[0] == {YOUNG_THRESHOLD}, gc.get_threshold()\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true"}
    found = subprocess.run(
        [sys.executable, "-c", program], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert found.returncode == 0, found.stderr
    frozen, tracked = (int(n) for n in found.stdout.split()[-2:])
    return frozen, tracked


def test_the_wsgi_application_leaves_its_loaded_objects_to_no_collection():
    """As gunicorn loads it: the URLs and the admin loaded, most of the process's objects frozen."""
    frozen, tracked = _frozen_and_tracked("import config.wsgi\n")
    assert frozen > 50_000 and tracked < frozen / 10, (frozen, tracked)


def test_a_worker_process_freezes_what_it_holds_once_warmed_up():
    """As Celery starts a pool process (`worker_process_init`): WeasyPrint warmed up, then frozen."""
    frozen, tracked = _frozen_and_tracked(
        "import django\ndjango.setup()\nimport config.celery\nconfig.celery.warm_up_pdf()\n"
    )
    assert frozen > 50_000 and tracked < frozen / 10, (frozen, tracked)
