"""How far a pledge is paid."""

from __future__ import annotations

from django.db.models import Sum
from django.utils import timezone

from ..models import DonationStatus, Pledge


def pledge_progress(*, pledge: Pledge) -> dict:
    """Paid so far (posted instalments), what is left, and whether it is overdue."""
    paid = pledge.instalments.filter(status=DonationStatus.POSTED).aggregate(s=Sum("amount"))["s"] or 0
    left = max(pledge.amount - paid, 0)
    return {
        "paid": paid,
        "left": left,
        "fulfilled": left == 0,
        "overdue": bool(left and pledge.due_by and pledge.due_by < timezone.localdate()),
    }
