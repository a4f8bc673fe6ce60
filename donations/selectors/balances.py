"""What a fund holds and what it can still spend, from the ledger's month totals and restricted entries."""

from __future__ import annotations

from django.db.models import F, Sum

from children.models import Child

from ..models import Fund, LedgerEntry, LedgerMonth, Medium, Restricted, RestrictionKind
from ..models.common import restriction_values


def fund_balance(*, fund: Fund) -> dict[str, int]:
    """Money in, money out and what is left, in cash, from the ledger alone."""
    totals = LedgerMonth.objects.filter(fund=fund, medium=Medium.CASH).aggregate(
        received=Sum("inflow"), spent=Sum("outflow")
    )
    received, spent = totals["received"] or 0, -(totals["spent"] or 0)
    return {"received": received, "spent": spent, "balance": received - spent}


def available_balance(*, fund: Fund, like: Restricted, medium: str = Medium.CASH) -> int:
    """What a fund can still spend of the money that has the same restriction as `like`.

    Money restricted to a child counts the records merged into that child too (`children.duplicates`):
    posted ledger entries keep the id they were posted with and are never rewritten.

    Unrestricted money is the fund's total (LedgerMonth: a few rows, not millions of entries) less the
    restricted entries, which are few and read through the partial index `entry_fund_restricted_idx`.
    The check constraint `entry_restriction_consistent` makes "restriction is none" mean no target."""
    restriction = restriction_values(like)
    if restriction["restriction"] == RestrictionKind.NONE:
        total = LedgerMonth.objects.filter(fund=fund, medium=medium).aggregate(
            total=Sum(F("inflow") + F("outflow"))
        )["total"]
        restricted = (
            LedgerEntry.objects.filter(fund=fund, medium=medium)
            .exclude(restriction=RestrictionKind.NONE)
            .aggregate(total=Sum("amount"))["total"]
        )
        return (total or 0) - (restricted or 0)
    child_id = restriction.pop("restriction_child_id")
    entries = LedgerEntry.objects.filter(fund=fund, medium=medium, **restriction)
    if child_id is None:
        entries = entries.filter(restriction_child_id__isnull=True)
    else:
        ids, frontier = {child_id}, [child_id]
        while frontier:  # records merged into this one, and those merged into them
            frontier = list(Child.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
            ids.update(frontier)
        entries = entries.filter(restriction_child_id__in=ids)
    return entries.aggregate(total=Sum("amount"))["total"] or 0
