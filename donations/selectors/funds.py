"""Reads of funds: the one /donate/ collects for, its default account, those a user may ask support from."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from ..models import BankAccount, Fund


def public_fund() -> Fund | None:
    """The fund /donate/ collects for: PUBLIC_FUND_CODE, else the top fund with a default bank account."""
    funds = Fund.objects.filter(is_active=True, bank_accounts__is_default=True)
    if settings.PUBLIC_FUND_CODE:
        return funds.filter(code=settings.PUBLIC_FUND_CODE).first()
    return funds.filter(parent__isnull=True).order_by("pk").first()


def fund_default_account(*, fund: Fund) -> BankAccount | None:
    return BankAccount.objects.filter(fund=fund, is_default=True).first()


def funds_for_proposal(*, user) -> QuerySet[Fund]:
    """Funds a user may ask support from: those in scope and those of the units above theirs."""
    if user.unit_id is None:
        return Fund.objects.visible_to(user)
    above = [unit.pk for unit in user.unit.ancestors()]
    return Fund.objects.filter(
        Q(pk__in=Fund.objects.visible_to(user).values("pk")) | Q(unit__in=above), is_active=True
    ).order_by("name")
