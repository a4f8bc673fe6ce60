"""Measures that write and leave nothing: the work runs in a transaction that is rolled back.

A rolled-back load leaves dead rows behind, which a committed import never does, so the tables it
wrote are vacuumed afterwards (`vacuum_after_rollback`): each measure starts from the same tables.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator

from django.db import DatabaseError, connection, transaction

from fund_portal.bulk import analyze


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back(*, clean: tuple = ()) -> Iterator[None]:
    """Every write of the block undone at its end; then the tables of the models in `clean` vacuumed."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass
    if clean:
        vacuum_after_rollback(*clean)


def timed_in_rollback(
    func: Callable[[], object], *, clean: tuple = (), before: Callable[[], object] | None = None
) -> tuple[float, object]:
    """Seconds taken by func inside a transaction that is then rolled back, and what it returned;
    `before` runs first in the same transaction, untimed (what the measured call finds written).

    The foreign keys are checked before the rollback: PostgreSQL defers those checks to the
    commit, which a rolled-back measure would otherwise never pay.
    """
    outcome = None
    elapsed = 0.0
    with rolled_back(clean=clean):
        if before is not None:
            before()
        start = time.perf_counter()
        outcome = func()
        check_deferred_constraints()
        elapsed = time.perf_counter() - start
    return elapsed, outcome


#: How many times `median_in_rollback` runs a measure by default.
MEDIAN_RUNS = 3


def median_in_rollback(
    func: Callable[[], object], *, runs: int = MEDIAN_RUNS, clean: tuple = ()
) -> tuple[float, list[float], object]:
    """`timed_in_rollback` `runs` times: the median seconds, every run's seconds in order, and what the
    last run returned. One run of an import at national size varied by a third from one run to the next
    (the database is larger than this machine's memory: what an import reads may or may not be cached
    from what ran before); the median of three is the import as it usually goes, and the runs are
    reported beside it, the slowest included."""
    times: list[float] = []
    outcome = None
    for _ in range(runs):
        elapsed, outcome = timed_in_rollback(func, clean=clean)
        times.append(elapsed)
    return statistics.median(times), times, outcome


def runs_note(times: list[float]) -> str:
    """A median's runs as a row's note shows them: "median of 3 runs: 13.4 / 18.0 / 14.1 s"."""
    return f"median of {len(times)} runs: " + " / ".join(f"{t:.1f}" for t in times) + " s"


def check_deferred_constraints() -> None:
    """The checks PostgreSQL defers to the commit, run now (a rolled-back measure never commits)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def vacuum_after_rollback(*models) -> None:
    """A rolled-back load leaves its rows behind as dead rows, which a committed import never does, and
    the next measure would pay for them in every index (autovacuum may be off, or late): vacuum them
    away, and write the pages that changed to disk now rather than during the next measure, so each
    measure starts from the same tables. PostgreSQL outside a transaction only (the benchmark
    command); in a test's transaction it is ANALYZE alone, and SQLite has nothing to clean."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        analyze(*models)
        return
    analyze(*models)  # outside a transaction: VACUUM (ANALYZE)
    with connection.cursor() as cursor:
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError:  # a role without pg_checkpoint: the writes happen when they happen
            pass
