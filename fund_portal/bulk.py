"""Loading many rows fast: PostgreSQL's COPY, or executemany on SQLite (development).

Used by the large demo data set and by the fast import paths. Rows are plain tuples in the
order of `columns` (database column names); None is NULL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

CHUNK_ROWS = 100_000
#: Rows written to COPY at each read of its input.
ROWS_PER_READ = 1_000


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
    stream = _CsvStream(_with_dates_as_text(chunk))
    with connection.cursor() as cursor:
        try:
            # CSV's own NULL, an unquoted empty field: None. Texts are quoted, so "" stays "".
            cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", stream)
        except Exception:
            if stream.error is not None:  # COPY ends with "error in .read() call": the error itself
                raise stream.error from None
            raise


class _CsvStream:
    """Rows as CSV, written as COPY reads them: the server stores a batch while the next is written
    (half the time of writing the whole file first, with a 2-core machine), and the file is never
    whole in memory."""

    def __init__(self, rows: Iterable):
        self._rows = iter(rows)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, quoting=csv.QUOTE_STRINGS)
        self.error: Exception | None = None

    def read(self, size: int = -1) -> str:
        try:
            self._buffer.seek(0)
            self._buffer.truncate()
            self._writer.writerows(itertools.islice(self._rows, ROWS_PER_READ))
            return self._buffer.getvalue()
        except Exception as error:
            self.error = error
            raise


def _with_dates_as_text(chunk: list[tuple]) -> Iterable:
    """The rows with the dates and times of their first row's date columns as text, each distinct one
    formatted once: str() of an aware datetime costs as much as the rest of a row, and loaded rows
    share a few (the moment of the load, the days of the donations)."""
    columns = [index for index, value in enumerate(chunk[0]) if isinstance(value, dt.date)]
    if not columns:
        return chunk
    texts: dict[dt.date, str] = {}

    def with_texts(row: tuple) -> list:
        row = list(row)
        for index in columns:
            value = row[index]
            text = texts.get(value)
            if text is None:
                # Equal dates, and equal datetimes naive or in UTC, have one text; other values are
                # left to the CSV writer.
                if not (
                    type(value) is dt.date or (type(value) is dt.datetime and value.tzinfo in (None, dt.UTC))
                ):
                    continue
                text = texts[value] = str(value)
            row[index] = text
        return row

    return map(with_texts, chunk)


def next_ids(table: str, count: int) -> range:
    """Ids for rows inserted with explicit ids, in one block past the table's rows and its sequence,
    which is moved past them. On PostgreSQL under an advisory lock and from the sequence too (which
    every session sees at once), so that loaders in other processes take other blocks while the rows of
    each are not yet committed (the national data set's funds load in parallel)."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608  table names are ours
            start = cursor.fetchone()[0] + 1
            return range(start, start + count)
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [sequence])
        try:
            cursor.execute(
                f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "  # noqa: S608  ours
                f"(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}))"
            )
            start = cursor.fetchone()[0] + 1
            cursor.execute("SELECT setval(%s, %s)", [sequence, start + count])
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [sequence])
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


def bulk_update_rows(table: str, columns: list[str], rows: list[tuple], *, same: dict | None = None) -> None:
    """Update rows by id, each with its own values of `columns` (`rows`: (id, value, ...)) and all with
    the values of `same` ({column: value}): one UPDATE ... FROM (VALUES ...) per 1,000 rows.

    What Django's `bulk_update` does with a CASE per field, without building the CASE in Python (about
    3 ms a row): 3,000 donations posted by a statement take a tenth of a second instead of nine. The
    table and column names are ours, the values parameters. PostgreSQL and SQLite (3.33 and later)."""
    same = same or {}
    sets = [f"{column} = v.{column}" for column in columns] + [f"{column} = %s" for column in same]
    names = ", ".join(["id", *columns])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            values = ", ".join(["(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"] * len(chunk))
            cursor.execute(
                f"WITH v({names}) AS (VALUES {values}) "  # noqa: S608  our table and column names
                f"UPDATE {table} SET {', '.join(sets)} FROM v WHERE {table}.id = v.id",
                [value for row in chunk for value in row] + list(same.values()),
            )


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


def foreign_keys_drop(fields: Iterable) -> None:
    """PostgreSQL: drop the foreign-key constraints of these fields (ForeignKey fields) for a bulk load
    that `foreign_keys_restore` ends. A checked key costs a look-up and a lock of the row it names for
    each row loaded, made at COMMIT (the constraints are deferred): a third of the national data set's
    load, where one validation after it is a join of each table. Elsewhere nothing is changed.

    For loads that write only rows they made (the demo's data sets), never beside other writers."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for field in fields:
            table = field.model._meta.db_table
            for name, _validated in _foreign_keys(cursor, table, field.column):
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")


def foreign_keys_restore(fields: Iterable) -> None:
    """Add back the foreign keys of these fields that are missing (`foreign_keys_drop`'s, or a load's
    that stopped before its end), as Django's migrations name and define them, each checked over the
    whole table by one `VALIDATE CONSTRAINT` (a join, where the rows were checked one by one). A key
    is added and checked in one transaction: a row naming nothing raises IntegrityError and leaves the
    key missing, not added unchecked."""
    if connection.vendor != "postgresql":
        return
    with connection.schema_editor(atomic=False) as editor, connection.cursor() as cursor:
        for field in fields:
            table = field.model._meta.db_table
            keys = _foreign_keys(cursor, table, field.column)
            if any(validated for _name, validated in keys):
                continue
            with transaction.atomic():
                if keys:
                    name = connection.ops.quote_name(keys[0][0])
                else:
                    statement = editor._create_fk_sql(field.model, field, "_fk_%(to_table)s_%(to_column)s")
                    cursor.execute(f"{statement} NOT VALID")
                    name = str(statement.parts["name"])
                cursor.execute("SET LOCAL work_mem = '256MB'")  # the join's hash of the keys in memory
                cursor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")


def _foreign_keys(cursor, table: str, column: str) -> list[tuple[str, bool]]:
    """The foreign-key constraints of a column: (name, validated)."""
    cursor.execute(
        "SELECT c.conname, c.convalidated FROM pg_constraint c JOIN pg_attribute a"
        " ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)"
        " WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND a.attname = %s",
        [table, column],
    )
    return cursor.fetchall()


#: Values per query where they go as parameters (SQLite caps their number).
MATCH_CHUNK = 5_000


def matching(queryset, field: str, values: list[str], *fields: str) -> list[tuple]:
    """`queryset.filter(<field>__in=values).values_list(*fields)` for the many values an import asks
    about (100,000 document ids, 50,000 personal IDs).

    On PostgreSQL the values go as one text that the server splits: one query, sent and planned in
    less than half the time of as many parameters (a value must not hold a line break). Elsewhere
    they go in chunks of parameters.
    """
    if not values:
        return []
    if connection.vendor == "postgresql":
        split = RawSQL("SELECT unnest(string_to_array(%s, E'\\n'))", ["\n".join(values)])
        return list(queryset.filter(**{f"{field}__in": split}).values_list(*fields))
    found: list[tuple] = []
    for start in range(0, len(values), MATCH_CHUNK):
        chunk = values[start : start + MATCH_CHUNK]
        found += queryset.filter(**{f"{field}__in": chunk}).values_list(*fields)
    return found
