"""Reads of the fund's money."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from .models import BankAccount, Donation, Donor, Fund, LedgerMonth, Medium


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
    totals = LedgerMonth.objects.filter(fund=fund, medium=Medium.CASH).aggregate(
        received=Sum("inflow"), spent=Sum("outflow")
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


def donor_duplicates(*, user) -> list[tuple[Donor, Donor, str]]:
    """Pairs of donors that are likely one: the same tax code, or the same name with diacritics folded."""
    donors = Donor.objects.visible_to(user).filter(merged_into__isnull=True)
    pairs = []
    for field, reason in (("tax_code", "tax_code"), ("name_folded", "name")):
        keys = (
            donors.exclude(**{field: ""})
            .values(field)
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list(field, flat=True)
        )
        for key in keys:
            group = list(donors.filter(**{field: key}).order_by("pk"))
            pairs += [(group[0], other, reason) for other in group[1:]]
    return pairs


def donors_for_recognition(*, user, year: int, min_amount: int, consecutive_years: int) -> list[dict]:
    """Donors to propose for commendation: at least `min_amount` in the year, or giving N years running."""
    totals = (
        Donation.objects.visible_to(user)
        .posted()
        .filter(donor__isnull=False, received_on__year__lte=year)
        .values("donor", year_=ExtractYear("received_on"))
        .annotate(total=Sum("amount"))
    )
    by_donor: dict[int, dict[int, int]] = {}
    for row in totals:
        by_donor.setdefault(row["donor"], {})[row["year_"]] = row["total"]
    chosen = []
    for donor_id, years in by_donor.items():
        streak = 0
        while years.get(year - streak, 0) > 0:
            streak += 1
        in_year = years.get(year, 0)
        if in_year >= min_amount or streak >= consecutive_years:
            chosen.append(
                {
                    "donor_id": donor_id,
                    "total_in_year": in_year,
                    "streak": streak,
                    "total_all_years": sum(years.values()),
                }
            )
    donors = Donor.objects.in_bulk([row["donor_id"] for row in chosen])
    for row in chosen:
        row["donor"] = donors[row["donor_id"]]
        row["reasons"] = [
            r
            for r, ok in (
                ("amount", row["total_in_year"] >= min_amount),
                ("years", row["streak"] >= consecutive_years),
            )
            if ok
        ]
    return sorted(chosen, key=lambda r: (-r["total_in_year"], -r["streak"], r["donor"].name))


def donor_own_donations(*, user) -> QuerySet[Donation]:
    """A donor account's donations: its donor record's, and those given with one of its verified emails."""
    from allauth.account.models import EmailAddress

    if not user.is_authenticated:
        return Donation.objects.none()
    emails = list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
    condition = Q(donor__user=user)
    if emails:
        condition |= Q(donor_email__in=emails)
    return Donation.objects.filter(condition).exclude(status="cancelled").select_related("fund", "campaign")


def donor_history(*, donor: Donor) -> dict:
    """A donor's posted donations in brief: how many, how much, from when to when."""
    from django.db.models import Max, Min

    summary = (
        Donation.objects.filter(donor=donor)
        .posted()
        .aggregate(count=Count("pk"), total=Sum("amount"), first=Min("received_on"), last=Max("received_on"))
    )
    summary["total"] = summary["total"] or 0
    return summary
