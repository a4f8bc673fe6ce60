"""Reads of the fund's money."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet, Sum

from .models import BankAccount, Donation, Fund, LedgerEntry, Medium


def public_fund() -> Fund | None:
    """The fund /donate/ collects for: PUBLIC_FUND_CODE, else the top fund with a default bank account."""
    funds = Fund.objects.filter(is_active=True, bank_accounts__is_default=True)
    if settings.PUBLIC_FUND_CODE:
        return funds.filter(code=settings.PUBLIC_FUND_CODE).first()
    return funds.filter(parent__isnull=True).order_by("pk").first()


def fund_default_account(*, fund: Fund) -> BankAccount | None:
    return BankAccount.objects.filter(fund=fund, is_default=True).first()


def donation_by_reference(*, reference: str) -> Donation | None:
    return (
        Donation.objects.select_related("fund", "campaign", "donor")
        .filter(transfer_reference=(reference or "").strip().upper())
        .first()
    )


def fund_balance(*, fund: Fund) -> dict[str, int]:
    """Money in, money out and what is left, in cash, from the ledger alone."""
    totals = LedgerEntry.objects.filter(fund=fund, medium=Medium.CASH).aggregate(
        received=Sum("amount", filter=Q(amount__gt=0)), spent=Sum("amount", filter=Q(amount__lt=0))
    )
    received, spent = totals["received"] or 0, -(totals["spent"] or 0)
    return {"received": received, "spent": spent, "balance": received - spent}


def funds_for_proposal(*, user) -> QuerySet[Fund]:
    """Funds a user may ask support from: those in scope and those of the units above theirs."""
    if user.unit_id is None:
        return Fund.objects.visible_to(user)
    above = [unit.pk for unit in user.unit.ancestors()]
    return Fund.objects.filter(
        Q(pk__in=Fund.objects.visible_to(user).values("pk")) | Q(unit__in=above), is_active=True
    ).order_by("name")
