"""What a one-day-salary drive collected, agency by agency."""

from __future__ import annotations

from django.db.models import Q, Sum

from ..models import DonationStatus, SalaryDrive


def drive_collection(*, drive: SalaryDrive) -> dict:
    """Each agency's expected and paid amounts and rate; the drive's totals and who has not paid yet."""
    rows = list(
        drive.agencies.select_related("agency").annotate(
            paid=Sum("payments__amount", filter=Q(payments__status=DonationStatus.POSTED))
        )
    )
    agencies = []
    for row in rows:
        paid = row.paid or 0
        rate = round(100 * paid / row.expected_amount, 1) if row.expected_amount else None
        agencies.append(
            {
                "row": row,
                "agency": row.agency,
                "headcount": row.headcount,
                "expected": row.expected_amount,
                "paid": paid,
                "rate": rate,
            }
        )
    expected = sum(a["expected"] for a in agencies)
    paid = sum(a["paid"] for a in agencies)
    return {
        "agencies": agencies,
        "expected": expected,
        "paid": paid,
        "rate": round(100 * paid / expected, 1) if expected else None,
        "unpaid": [a for a in agencies if a["paid"] == 0],
        "headcount": sum(a["headcount"] for a in agencies),
    }
