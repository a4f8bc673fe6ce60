"""The database's own triggers, installed by migrations: one text for PostgreSQL (functions and
triggers), a list of statements for SQLite (one trigger a statement); other databases get none."""

from __future__ import annotations


def triggers_execute(schema_editor, *, postgresql: str, sqlite: list[str]) -> None:
    """Run the text or the statements that match the migration's database."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgresql)
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)
