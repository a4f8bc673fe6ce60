"""Loading many rows fast: PostgreSQL's COPY, or executemany on SQLite (development).

Used by the large demo data set and by the fast import paths. Rows are plain tuples in the
order of `columns` (database column names); None is NULL.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable

from django.db import connection

CHUNK_ROWS = 100_000


def bulk_load(table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """Insert the rows into the table; returns how many. Runs inside the caller's transaction."""
    total = 0
    quoted = [connection.ops.quote_name(column) for column in columns]
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, CHUNK_ROWS)):
        if connection.vendor == "postgresql":
            _copy(table, quoted, chunk)
        else:
            marks = ", ".join(["%s"] * len(columns))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} ({', '.join(quoted)}) VALUES ({marks})", chunk)
        total += len(chunk)
    return total


def _copy(table: str, columns: list[str], chunk: list[tuple]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in chunk:
        writer.writerow(["\\N" if value is None else value for value in row])
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
        )


def next_ids(table: str, count: int) -> range:
    """Ids for rows inserted with explicit ids; the table's sequence is moved past them (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608  table names are ours
        start = cursor.fetchone()[0] + 1
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, start + count])
    return range(start, start + count)


def reserve_ids(table: str, count: int) -> list[int]:
    """Ids for rows loaded with explicit ids, taken from the table's sequence (safe beside other writers,
    unlike `next_ids`, which is for the demo data set)."""
    if count == 0:
        return []
    if connection.vendor != "postgresql":
        # SQLite: the transaction holds the database's write lock, so MAX(id) cannot move under it.
        return list(next_ids(table, count))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            "SELECT array_agg(id ORDER BY id) FROM "
            "(SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)) AS ids",
            [sequence, count],
        )
        return cursor.fetchone()[0] or []


def analyze(*models, added: int | None = None) -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL); stale ones sort 1M rows.

    With `added` (the rows just loaded), a table more than ten times larger is left to autovacuum.
    Outside a transaction it is VACUUM (ANALYZE): a freshly COPied table has no visibility map yet,
    so an index-only scan (the transparency page's month table over 5M ledger entries) would still
    read every heap page until autovacuum came by."""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            if added is not None:
                # `added` rows into a table ten times larger leave its statistics as good as they were
                # (autovacuum's own threshold is 10%): ANALYZE of a 5M-row table costs a second.
                cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
                row = cursor.fetchone()
                if row and row[0] > 10 * added:
                    continue
            cursor.execute(f"{command} {table}")
