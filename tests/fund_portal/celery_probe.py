"""A task for the worker tests (loaded with the worker's `--include`): it says when it starts and when it
has finished, by files in the folder it is given, and takes a few seconds in between."""

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task
def slow_probe_task(folder: str, seconds: float) -> None:
    path = Path(folder)
    (path / f"started-{os.getpid()}").touch()
    time.sleep(seconds)
    (path / "done").write_text(str(os.getpid()))
