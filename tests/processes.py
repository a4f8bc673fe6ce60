"""Running the project in a fresh interpreter, as a deployment would: settings are read once per
process, so a test of what the environment sets (or of a command's exit) needs a process of its own."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_python(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    """`python *args` in the repository with the portal's settings: this run's DATABASE_URL, REDIS_URL,
    DEBUG and SECRET_KEY removed, VAR_DIR in tmp_path, then `env` on top."""
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )
