"""Named locks held until the current transaction ends, for a check that must see what a concurrent
writer is about to commit (a uniqueness that only the database's constraint would otherwise catch, as
an error instead of a message)."""

from __future__ import annotations

from django.db import connection


def transaction_lock(name: str) -> None:
    """Wait for, then hold until the transaction ends, the lock called `name`. PostgreSQL: a
    transaction-level advisory lock keyed by the name's hash. SQLite (development) lets one writer at a
    time anyway: nothing to do. Outside a transaction the lock is released at once, so callers run this
    inside the atomic block that also writes."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
