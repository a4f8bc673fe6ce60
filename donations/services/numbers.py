"""Receipt and voucher numbers: gapless per fund, series and year, given under the counter's row lock."""

from __future__ import annotations

from django.db import connection

from ..models import DocumentCounter, Fund


def receipt_number(fund_code: str, year: int, seq: int) -> str:
    """How a receipt is numbered: the fund's code, the year and the fund's six-digit sequence
    (QBTTE-TRIEU-SON-2026-000123), so that two funds' receipts never read the same.

    Receipts numbered before the code was added (2026-000123) keep their numbers."""
    return f"{receipt_number_prefix(fund_code, year)}{seq:06d}"


def receipt_number_prefix(fund_code: str, year: int) -> str:
    """What every receipt number of a fund and year starts with (QBTTE-TRIEU-SON-2026-)."""
    return f"{fund_code.upper()}-{year}-"


def receipt_number_sql(seq: str) -> str:
    """`receipt_number` in PostgreSQL's SQL, for a posting numbered in the database: the prefix as a
    parameter (`receipt_number_prefix`), then the sequence `seq` (an SQL expression) on six digits at
    least, as Python's `06d` writes it."""
    return f"%s || CASE WHEN {seq} < 1000000 THEN lpad({seq}::text, 6, '0') ELSE {seq}::text END"


def voucher_number(fund_code: str, year: int, seq: int) -> str:
    """How a payment voucher is numbered: PC, the fund's code, the year and the fund's six-digit sequence
    (PC-QBTTE-TRIEU-SON-2026-000045), so that two funds' vouchers never read the same.

    Vouchers numbered before the code was added (PC-2026-000045) keep their numbers."""
    return f"PC-{fund_code.upper()}-{year}-{seq:06d}"


def document_numbers_reserve(*, fund: Fund, series: str, year: int, count: int = 1) -> range:
    """Reserve the next `count` numbers of a fund's series (receipts, vouchers) in a year: the block that
    follows the last number given, none skipped.

    The counter's row stays locked to the end of the caller's transaction: a concurrent caller waits,
    then reserves after this block; a rollback gives the block back. The one place numbers are given.
    Every posting of the fund waits here for the one before it to commit, so the row is taken and
    moved on in one statement (one round trip under the lock, not three); callers take it as late in
    their transaction as they can (`donation_post_many`).
    """
    if count < 1:
        raise ValueError("Reserve at least one number.")
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(COUNTER_ADVANCE, [count, fund.pk, series, year])
            row = cursor.fetchone()
            if row is not None:
                return range(row[0] - count + 1, row[0] + 1)
            document_counter_make(fund=fund, series=series, year=year)
    raise RuntimeError("The document counter could not be made.")  # pragma: no cover


#: Moves a counter on by a block (parameters: the count, the fund's id, the series, the year) and
#: returns the block's last number, or no row when the fund has no counter yet: the statement
#: `document_numbers_reserve` runs, and the first part of the one `donation_post_many` runs on
#: PostgreSQL. Its row lock is held to the end of the transaction.
COUNTER_ADVANCE = (
    f"UPDATE {DocumentCounter._meta.db_table} SET last = last + %s "  # noqa: S608  our table's name
    "WHERE fund_id = %s AND series = %s AND year = %s RETURNING last"
)


def document_counter_make(*, fund: Fund, series: str, year: int) -> None:
    """The fund's counter of a series and year, at 0, unless it exists (its first number of the year):
    whichever caller comes first makes it, the others' inserts do nothing."""
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(fund=fund, series=series, year=year)], ignore_conflicts=True
    )
