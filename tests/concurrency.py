"""Two writers at once, on separate connections, in the order that shows a race (PostgreSQL only).

`hold_then_race` runs one call in a transaction it keeps open, starts the others while it is open,
and commits only once each other call waits on a lock or has finished. So a call that should wait
for the first one's lock (and then see what it wrote) is shown doing so on every run, and one that
does not wait runs into the open transaction, as it did in production, instead of by chance.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connection, connections, transaction

postgresql_only = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    reason="row locks and concurrent transactions need PostgreSQL (SQLite has one writer at a time); "
    "CI runs this with DATABASE_URL set",
)


class Call(threading.Thread):
    """A call in a thread of its own, with a database connection of its own; keeps its result or error."""

    def __init__(self, target):
        super().__init__(daemon=True)
        self.target, self.result, self.error = target, None, None

    def run(self):
        try:
            self.result = self.target()
        except BaseException as error:  # noqa: BLE001  the test reads it
            self.error = error
        finally:
            connections.close_all()


def hold_then_race(first, *others, timeout: float = 20) -> list[Call]:
    """Run `first` in an open transaction, then `others` at once; commit `first` when each of them
    waits on a lock or is done. Returns the calls, first one first, all finished."""
    held, release = threading.Event(), threading.Event()

    def holding():
        with transaction.atomic():
            result = first()
            held.set()
            release.wait(timeout)
        return result

    holder = Call(holding)
    holder.start()
    try:
        assert held.wait(timeout), f"the first call did not finish: {holder.error!r}"
        racers = [Call(other) for other in others]
        for racer in racers:
            racer.start()
        _wait_until_blocked_or_done(racers, timeout=timeout)
    finally:
        release.set()
    for call in (holder, *racers):
        call.join(timeout)
        assert not call.is_alive(), "a call is still running"
    return [holder, *racers]


def _wait_until_blocked_or_done(calls: list[Call], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = [call for call in calls if call.is_alive()]
        if not running:
            return
        with connection.cursor() as cursor:  # the test's own connection, in autocommit
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= len(running):
                return
        time.sleep(0.02)
    raise AssertionError("the calls neither waited on a lock nor finished")
