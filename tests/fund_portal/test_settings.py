"""Settings come from the environment; production values pass `check --deploy` silently.

Each case runs in a fresh interpreter, since settings are read once per process.
"""

import json
import re
from pathlib import Path

import pytest

from tests.processes import run_python as run

PRODUCTION = {
    "SECRET_KEY": "x" * 20 + "-production-like-secret-key-for-the-test-only-" + "y" * 20,
    "ALLOWED_HOSTS": "quy.example.org,www.quy.example.org",
    "DATABASE_URL": "postgres://fund:pw@db.example.org:5433/fund",
    "REDIS_URL": "redis://cache.example.org:6380/2",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.org:587",
}
PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "db": [db["ENGINE"], db["NAME"], db.get("HOST"), str(db.get("PORT")), db.get("USER"),
           db.get("CONN_MAX_AGE")],
    "cache": settings.CACHES["default"]["BACKEND"],
    "broker": settings.CELERY_BROKER_URL,
    "result_backend": settings.CELERY_RESULT_BACKEND,
    "mailer": settings.MAILERS["default"],
    "language": settings.LANGUAGE_CODE,
    "tz": settings.TIME_ZONE,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts": settings.SECURE_HSTS_SECONDS,
}))
"""


def settings_with(env, tmp_path) -> dict:
    result = run(["-c", PRINT_SETTINGS], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_environment_is_parsed(tmp_path):
    values = settings_with(PRODUCTION, tmp_path)
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["quy.example.org", "www.quy.example.org"]
    assert values["db"] == ["django.db.backends.postgresql", "fund", "db.example.org", "5433", "fund", 60]
    assert values["cache"] == "fund_portal.cache.RedisCache"
    assert values["broker"] == values["result_backend"] == "redis://cache.example.org:6380/2"
    assert values["mailer"]["OPTIONS"] == {
        "host": "mail.example.org",
        "port": 587,
        "username": "mailer",
        "password": "secret",
        "use_tls": True,
    }
    assert values["ssl_redirect"] is True
    assert values["hsts"] >= 31536000
    assert (values["language"], values["tz"]) == ("vi", "Asia/Ho_Chi_Minh")


def test_nothing_set_with_debug_gives_the_embedded_defaults(tmp_path):
    values = settings_with({"DEBUG": "true"}, tmp_path)
    assert values["db"][0] == "django.db.backends.sqlite3"
    assert values["db"][1] == str(tmp_path / "db.sqlite3")
    assert values["broker"] == "filesystem://"
    assert values["result_backend"] is None
    assert values["cache"].endswith("LocMemCache")
    assert values["mailer"]["BACKEND"].endswith("console.EmailBackend")
    assert values["ssl_redirect"] is False


def test_missing_secret_key_without_debug_is_refused(tmp_path):
    result = run(["-c", PRINT_SETTINGS], {}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("value,expected", [("0", False), ("false", False), ("1", True), ("yes", True)])
def test_debug_flag_values(tmp_path, value, expected):
    assert settings_with({**PRODUCTION, "DEBUG": value}, tmp_path)["DEBUG"] is expected


def test_check_deploy_is_silent_with_production_values(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_does_complain_about_debug(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {**PRODUCTION, "DEBUG": "1"}, tmp_path
    )
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_every_variable_the_settings_read_is_in_the_readme():
    """config/settings.py promises that README.md lists every variable it reads: one read since
    without its line in the table fails here."""
    root = Path(__file__).resolve().parents[2]
    settings_text = (root / "config" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'\benv(?:\.[a-z_]+)?\(\s*"([A-Z][A-Z0-9_]*)"', settings_text))
    assert {"SECRET_KEY", "DATABASE_URL", "DONATION_MAX_AMOUNT"} <= read
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert sorted(name for name in read if f"`{name}`" not in readme) == []
