"""The web process freezes what it has loaded (`fund_portal.startup`), so a full garbage collection
walks only what requests made since."""

import os
import subprocess
import sys

from django.conf import settings


def test_the_wsgi_application_leaves_its_loaded_objects_to_no_collection():
    """Run as gunicorn loads it, in a process of its own (freezing this one would change the tests'):
    the URLs and the admin loaded, most of the process's objects frozen, a full collection cheap."""
    program = (
        "import gc, time\n"
        "import config.wsgi\n"
        "frozen, tracked = gc.get_freeze_count(), len(gc.get_objects())\n"
        "print(frozen, tracked)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true"}
    found = subprocess.run(
        [sys.executable, "-c", program], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert found.returncode == 0, found.stderr
    frozen, tracked = (int(n) for n in found.stdout.split())
    assert frozen > 50_000 and tracked < frozen / 10, (frozen, tracked)
