"""Backing up the database with pg_dump and restoring it with pg_restore.

A backup is one file in pg_dump's custom format of the configured PostgreSQL database: every
table, sequence and trigger, so after a restore every donation, child and support is back and
the receipt counters continue where they were (the next receipt follows the last one, no gap).
The restore replaces the database's objects by those of the file (`pg_restore --clean`) in one
transaction: it either completes or leaves the database as it was.

Uploaded files (`MEDIA_ROOT`: photos, report PDFs) are not in the database; back up that folder
with the file.

SQLite (development only) has no pg_dump: copy its file instead. The client tools must be of the
server's major version or newer (PostgreSQL 15 in docker-compose.yml).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from django.db import connections
from django.utils.translation import gettext as _


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why, for the person running it."""


def _postgres(alias: str) -> tuple[dict, dict[str, str], list[str]]:
    """The database's settings, the environment with its password, and the connection options."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        raise BackupError(
            _(
                "Backup and restore work with PostgreSQL only; this database is %(vendor)s. "
                "With SQLite, copy the database file instead."
            )
            % {"vendor": connection.vendor}
        )
    params = connection.settings_dict
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    options = []
    if params.get("HOST"):
        options += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        options += ["--port", str(params["PORT"])]
    if params.get("USER"):
        options += ["--username", str(params["USER"])]
    return params, env, options


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("%(tool)s was not found. Install the PostgreSQL client (postgresql-client).") % {"tool": name}
        )
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s")
            % {"tool": Path(command[0]).name, "error": (result.stderr or result.stdout).strip()}
        )


def database_backup(*, out: Path, alias: str = "default") -> Path:
    """Write a pg_dump custom-format backup of the database to `out`; the file is complete or absent."""
    params, env, options = _postgres(alias)
    pg_dump = _tool("pg_dump")
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    try:
        _run(
            [pg_dump, "--format=custom", "--no-owner", "--no-privileges", *options, "--file", str(partial)]
            + ["--dbname", str(params["NAME"])],
            env,
        )
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def database_restore(*, source: Path, alias: str = "default") -> None:
    """Replace the database's tables, sequences and data by those of a backup, in one transaction."""
    params, env, options = _postgres(alias)
    pg_restore = _tool("pg_restore")
    source = Path(source)
    if not source.is_file():
        raise BackupError(_("The backup file %(path)s does not exist.") % {"path": source})
    # Our own connection must not hold a lock on a table the restore drops.
    connections[alias].close()
    _run(
        [pg_restore, "--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-privileges"]
        + [*options, "--dbname", str(params["NAME"]), str(source)],
        env,
    )
