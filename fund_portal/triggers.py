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


def sqlite_triggers_drop(schema_editor, *tables: str) -> None:
    """Drop the SQLite triggers whose text names one of these tables, before a migration that rebuilds
    one of them: SQLite refuses to rename the rebuilt table while another table's trigger reads it.
    The apps create their triggers again after every migrate (their `ensure_sqlite_triggers`)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        names = [name for name, sql in cursor.fetchall() if any(table in sql for table in tables)]
        for name in names:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
