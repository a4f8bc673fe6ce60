"""Reads of the donor network: likely duplicates, donors to propose for commendation, a donor's history."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear

from ..models import Donation, Donor


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
