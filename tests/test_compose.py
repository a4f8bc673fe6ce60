"""The production stack (docker-compose.yml, Dockerfile), checked offline.

No Docker engine is needed: the compose file is interpolated the way Compose does it, then
validated against the Compose Specification's JSON schema, vendored in tests/compose_schema/.
"""

import copy
import functools
import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
SCHEMA_FILE = Path(__file__).resolve().parent / "compose_schema" / "compose-spec.json"

APP_SERVICES = ("web", "worker", "worker-long", "beat")
REQUIRED_VARIABLES = ("SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "POSTGRES_PASSWORD", "EMAIL_URL")
TEST_ENVIRONMENT = {
    "SECRET_KEY": "compose-test-secret-key",
    "ALLOWED_HOSTS": "quy.example.vn",
    "CSRF_TRUSTED_ORIGINS": "https://quy.example.vn",
    "POSTGRES_PASSWORD": "compose-test-password",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.vn:587",
}

# Compose's interpolation: $$ is a literal $, $VAR / ${VAR} a value, and ${VAR:-default},
# ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement}.
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|(?P<named>[_a-zA-Z][_a-zA-Z0-9]*)"
    r"|\{(?P<braced>[_a-zA-Z][_a-zA-Z0-9]*)(?:(?P<operator>:?[-?+])(?P<argument>[^}]*))?\}"
    r"|(?P<invalid>))"
)


class InterpolationError(ValueError):
    pass


def _substitute(text: str, environment: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        if match["invalid"] is not None:
            raise InterpolationError(f"invalid interpolation at {match.start()} in {text!r}")
        name = match["named"] or match["braced"]
        operator, argument = match["operator"], match["argument"]
        value = environment.get(name)
        is_set = value is not None
        is_set_and_not_empty = bool(value)
        if operator in (":-", "-"):
            use_value = is_set_and_not_empty if operator == ":-" else is_set
            return value if use_value else argument
        if operator in (":?", "?"):
            use_value = is_set_and_not_empty if operator == ":?" else is_set
            if not use_value:
                raise InterpolationError(f"{name}: {argument}")
            return value
        if operator in (":+", "+"):
            use_argument = is_set_and_not_empty if operator == ":+" else is_set
            return argument if use_argument else ""
        return value or ""

    return _VARIABLE.sub(replace, text)


def interpolate(node, environment: dict[str, str]):
    """Replace the variables in every string value of a loaded compose file, as Compose does."""
    if isinstance(node, dict):
        return {key: interpolate(value, environment) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(item, environment) for item in node]
    if isinstance(node, str):
        return _substitute(node, environment)
    return node


@functools.cache
def compose_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    # The schema declares draft 07 by an address that jsonschema does not map to draft 07 itself.
    assert "draft-07" in schema["$schema"]
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def schema_errors(config) -> list[str]:
    errors = compose_validator().iter_errors(config)
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors)


@pytest.fixture(scope="module")
def raw_config():
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def config(raw_config):
    return interpolate(raw_config, TEST_ENVIRONMENT)


def command_of(service: dict) -> list[str]:
    command = service["command"]
    return command.split() if isinstance(command, str) else [str(part) for part in command]


def test_compose_file_is_valid_against_the_compose_specification(config):
    assert schema_errors(config) == []


@pytest.mark.parametrize(
    "break_config, error_at",
    [
        pytest.param(
            lambda c: c.update(servicez=c.pop("services")), "<root>: 'servicez'", id="unknown-top-key"
        ),
        pytest.param(
            lambda c: c["services"].update(web="gunicorn"), "services/web: ", id="service-is-a-string"
        ),
        pytest.param(
            lambda c: c["services"]["web"].update(restrat="always"), "services/web: ", id="unknown-key"
        ),
        pytest.param(
            lambda c: c["services"]["db"]["healthcheck"].update(retries=["3"]),
            "services/db/healthcheck/retries: ",
            id="wrong-type",
        ),
        pytest.param(
            lambda c: c["services"]["web"]["depends_on"]["db"].update(condition="service_ready"),
            "services/web/depends_on: ",
            id="unknown-depends-on-condition",
        ),
    ],
)
def test_schema_validation_rejects_a_broken_compose_file(config, break_config, error_at):
    broken = copy.deepcopy(config)
    break_config(broken)
    errors = schema_errors(broken)
    assert errors and all(error.startswith(error_at) for error in errors), errors


@pytest.mark.parametrize("missing", REQUIRED_VARIABLES)
def test_a_missing_secret_or_site_setting_stops_compose_with_its_name(raw_config, missing):
    environment = {name: value for name, value in TEST_ENVIRONMENT.items() if name != missing}
    with pytest.raises(InterpolationError, match=rf"^{missing}: Set {missing}\b"):
        interpolate(raw_config, environment)
    with pytest.raises(InterpolationError, match=rf"^{missing}: "):
        interpolate(raw_config, {**environment, missing: ""})


def test_the_stack_has_the_portal_services_plus_postgres_and_redis(config):
    assert set(config["services"]) == {"migrate", "web", "worker", "worker-long", "beat", "db", "redis"}
    assert config["services"]["db"]["image"] == "postgres:15"
    assert config["services"]["redis"]["image"] == "redis:7"
    app_images = {config["services"][name]["image"] for name in ("migrate", *APP_SERVICES)}
    assert len(app_images) == 1, "one image runs the web server, the migrations, the worker and beat"


def test_web_runs_gunicorn_with_the_portal_wsgi_app_on_port_8000(config):
    command = command_of(config["services"]["web"])
    assert command[:2] == ["gunicorn", "config.wsgi:application"]
    assert "--bind=0.0.0.0:8000" in command
    workers = [int(part.split("=", 1)[1]) for part in command if part.startswith("--workers=")]
    assert len(workers) == 1 and 2 <= workers[0] <= 4
    assert config["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]


@pytest.mark.parametrize("service, role", [("worker", "worker"), ("worker-long", "worker"), ("beat", "beat")])
def test_worker_and_beat_run_the_portal_celery_app(config, service, role):
    assert command_of(config["services"][service])[:4] == ["celery", "-A", "config", role]


def test_each_queue_has_its_worker_holding_one_task_a_process(config):
    """Receipts and urgent mail ("celery") never wait behind long jobs ("long"): a worker for each."""
    from django.conf import settings

    queues = {}
    for name in ("worker", "worker-long"):
        command = command_of(config["services"][name])
        assert "--prefetch-multiplier=1" in command
        [queue] = [part.split("=", 1)[1] for part in command if part.startswith("--queues=")]
        queues[name] = queue
    assert queues == {"worker": "celery", "worker-long": "long"}
    assert {queue.name for queue in settings.CELERY_TASK_QUEUES} == set(queues.values())


def test_beat_keeps_its_schedule_on_the_runtime_data_volume(config):
    beat = config["services"]["beat"]
    assert "--schedule=/app/var/celerybeat-schedule" in command_of(beat)
    assert "appdata:/app/var" in beat["volumes"]


def test_migrations_run_once_before_the_portal_starts(config):
    migrate = config["services"]["migrate"]
    assert command_of(migrate) == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["db"] == {"condition": "service_healthy"}
    for name in APP_SERVICES:
        assert config["services"][name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_static_files_are_collected_before_gunicorn_starts():
    entrypoint = ROOT / "docker" / "entrypoint.sh"
    text = entrypoint.read_text(encoding="utf-8")
    assert os.access(entrypoint, os.X_OK)
    assert 'if [ "${1:-}" = "gunicorn" ]; then' in text
    assert "python manage.py collectstatic --noinput" in text
    assert text.rstrip().endswith('exec "$@"')


@pytest.mark.parametrize("service", APP_SERVICES)
def test_portal_services_wait_for_a_healthy_database_and_redis(config, service):
    depends_on = config["services"][service]["depends_on"]
    assert depends_on["db"] == {"condition": "service_healthy"}
    assert depends_on["redis"] == {"condition": "service_healthy"}


def test_database_and_redis_have_healthchecks_and_named_volumes(config):
    db, redis = config["services"]["db"], config["services"]["redis"]
    assert db["healthcheck"]["test"][0] == "CMD-SHELL"
    assert db["healthcheck"]["test"][1].startswith("pg_isready ")
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "pgdata:/var/lib/postgresql/data" in db["volumes"]
    assert "redisdata:/data" in redis["volumes"]
    assert {"pgdata", "redisdata", "appdata"} <= set(config["volumes"])


def test_portal_services_talk_to_the_compose_database_and_redis(config):
    for name in ("migrate", *APP_SERVICES):
        environment = config["services"][name]["environment"]
        assert environment["DEBUG"] == "false"
        assert environment["DATABASE_URL"] == (
            "postgres://fund_portal:compose-test-password@db:5432/fund_portal"
        )
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["SECRET_KEY"] == TEST_ENVIRONMENT["SECRET_KEY"]


def test_portal_services_get_every_setting_of_the_env_file(config):
    """Any variable of README's "Configuration" set in .env reaches the portal (SITE_URL, the bank
    feed's keys...), not only those the compose file names; a stack without .env still starts, and
    the compose file's own values (`environment`, which Compose puts above env_file) stay."""
    for name in ("migrate", *APP_SERVICES):
        service = config["services"][name]
        assert service["env_file"] == [{"path": ".env", "required": False}]
        assert service["environment"]["DEBUG"] == "false"


def test_no_secret_is_written_in_the_compose_file(raw_config):
    """Each secret is a required variable (${NAME:?message}): no value, no default."""
    required = r"\$\{%s:\?[^}]+\}"
    for name, service in raw_config["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"SECRET|PASSWORD|TOKEN", key):
                assert re.fullmatch(required % key, value), f"{name}: {key}"
    for name in ("migrate", *APP_SERVICES):
        environment = raw_config["services"][name]["environment"]
        assert re.fullmatch(required % "SECRET_KEY", environment["SECRET_KEY"])
        assert re.fullmatch(required % "EMAIL_URL", environment["EMAIL_URL"])
        assert re.search(required % "POSTGRES_PASSWORD", environment["DATABASE_URL"])


class _HealthzStub(BaseHTTPRequestHandler):
    status = 200
    seen_headers: list = []

    def do_GET(self):
        type(self).seen_headers.append((self.path, dict(self.headers)))
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("status, exit_code", [(200, 0), (503, 1)])
def test_web_healthcheck_asks_healthz_as_the_tls_proxy_would(config, status, exit_code):
    test = config["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"], "slim images have no curl"
    handler = type("Handler", (_HealthzStub,), {"status": status, "seen_headers": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        code = test[3].replace("127.0.0.1:8000", f"127.0.0.1:{server.server_port}")
        assert code != test[3]
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={"ALLOWED_HOSTS": "quy.example.vn,.example.vn", "PATH": os.environ.get("PATH", "")},
            capture_output=True,
            timeout=30,
            check=False,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == exit_code, result.stderr
    [(path, headers)] = handler.seen_headers
    assert path == "/healthz"
    assert headers["Host"] == "quy.example.vn"
    assert headers["X-Forwarded-Proto"] == "https"


def test_dockerfile_builds_a_non_root_image_with_weasyprint_libraries():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.13-slim-bookworm$", text, re.MULTILINE)
    assert "pip install --no-cache-dir -r requirements.txt" in text
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-liberation2"):
        assert package in text
    users = re.findall(r"^USER (\S+)$", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in text


def test_secrets_and_local_state_stay_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".env", ".git", ".venv", "var"} <= ignored
