"""Receipt and voucher numbers: gapless per fund, series and year, given under the counter's row lock."""

from __future__ import annotations

from ..models import (
    DocumentCounter,
    Fund,
)


def receipt_number(year: int, seq: int) -> str:
    """How a receipt is numbered: year and a six-digit sequence of the fund (2026-000123)."""
    return f"{year}-{seq:06d}"


def next_document_number(*, fund: Fund, series: str, year: int) -> int:
    """The next number of a fund's series in a year, under a row lock: concurrent callers wait in turn."""
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(fund=fund, series=series, year=year)], ignore_conflicts=True
    )
    counter = DocumentCounter.objects.select_for_update().get(fund=fund, series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last
