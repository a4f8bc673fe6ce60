"""/healthz answers 200 when the database and the broker answer, 503 when either is down."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def probe(tmp_path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "BROKER_URL"}}
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "ALLOWED_HOSTS": "testserver",
            "VAR_DIR": str(tmp_path),
            "HEALTHZ_TIMEOUT_SECONDS": "1",
            **env,
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    result = probe(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing")
    assert result == {"status": 503, "body": {"status": "error", "database": "error", "broker": "ok"}}


def test_healthz_is_503_when_the_broker_is_down(tmp_path):
    result = probe(tmp_path, BROKER_URL="redis://127.0.0.1:1/0")
    assert result == {"status": 503, "body": {"status": "error", "database": "ok", "broker": "error"}}


def test_healthz_is_200_on_the_embedded_defaults(tmp_path):
    result = probe(tmp_path)
    assert result == {"status": 200, "body": {"status": "ok", "database": "ok", "broker": "ok"}}
