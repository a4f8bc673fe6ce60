"""Receipt and voucher numbers: gapless per fund, series and year, given under the counter's row lock."""

from __future__ import annotations

from ..models import DocumentCounter, Fund


def receipt_number(fund_code: str, year: int, seq: int) -> str:
    """How a receipt is numbered: the fund's code, the year and the fund's six-digit sequence
    (QBTTE-TRIEU-SON-2026-000123), so that two funds' receipts never read the same.

    Receipts numbered before the code was added (2026-000123) keep their numbers."""
    return f"{fund_code.upper()}-{year}-{seq:06d}"


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
    """
    if count < 1:
        raise ValueError("Reserve at least one number.")
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(fund=fund, series=series, year=year)], ignore_conflicts=True
    )
    counter = DocumentCounter.objects.select_for_update().get(fund=fund, series=series, year=year)
    block = range(counter.last + 1, counter.last + count + 1)
    counter.last = block[-1]
    counter.save(update_fields=["last"])
    return block
