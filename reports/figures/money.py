"""The money section of the figures: posted donations of the unit's funds and the salary drive."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum

from donations.models import (
    DisplayPreference,
    Donation,
    DonationKind,
    DonationStatus,
    Donor,
    DriveAgency,
    Fund,
    SourceCategory,
)
from fund_portal.models import AdministrativeUnit

TOP_DONORS = 10
TOP_CAMPAIGNS = 10
TOP_AGENCIES = 40


def donor_label(name: str, preference: str) -> str:
    """Reports honour the donor's choice: anonymous donors are not named, initials stay initials."""
    if preference == DisplayPreference.ANONYMOUS or not name:
        return "Nhà hảo tâm (ẩn danh)"
    if preference == DisplayPreference.INITIALS:
        return ".".join(part[0].upper() for part in name.split() if part) + "."
    return name


def money_figures(*, unit: AdministrativeUnit, start: dt.date, end: dt.date, year: int) -> dict:
    """Posted donations of the funds in the unit's subtree received in the period; the year's salary drive."""
    funds = dict(Fund.objects.filter(unit__path__startswith=unit.path).values_list("pk", "unit_id"))
    money = {
        "count": 0,
        "cash": 0,
        "goods": 0,
        "own": {"count": 0, "cash": 0, "goods": 0},
        "by_source": {value: {"count": 0, "cash": 0, "goods": 0} for value in SourceCategory.values},
        "campaigns": [],
        "top_donors": [],
        "salary_drive": {"agencies": [], "agencies_count": 0, "headcount": 0, "expected": 0, "paid": 0},
    }
    if not funds:
        return money
    donations = Donation.objects.filter(
        fund_id__in=list(funds), status=DonationStatus.POSTED, received_on__range=(start, end)
    )
    for row in (
        donations.values("fund_id", "source")
        .annotate(
            n=Count("id"),
            cash=Sum("amount", filter=~Q(kind=DonationKind.GOODS)),
            goods=Sum("amount", filter=Q(kind=DonationKind.GOODS)),
        )
        .order_by()
    ):
        cash, goods = row["cash"] or 0, row["goods"] or 0
        targets = [money, money["by_source"].setdefault(row["source"], {"count": 0, "cash": 0, "goods": 0})]
        if funds[row["fund_id"]] == unit.pk:
            targets.append(money["own"])
        for target in targets:
            target["count"] += row["n"]
            target["cash"] += cash
            target["goods"] += goods

    campaign_rows = list(
        donations.filter(campaign__isnull=False)
        .values("campaign_id", "campaign__name")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("-amount", "campaign_id")
    )
    money["campaigns"] = [
        {"name": r["campaign__name"], "count": r["n"], "amount": r["amount"]}
        for r in campaign_rows[:TOP_CAMPAIGNS]
    ]
    rest = campaign_rows[TOP_CAMPAIGNS:]
    if rest:
        money["campaigns"].append(
            {
                "name": "Các chiến dịch khác",
                "count": sum(r["n"] for r in rest),
                "amount": sum(r["amount"] for r in rest),
            }
        )

    top = list(
        donations.filter(donor__isnull=False)
        .values("donor_id")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("-amount", "donor_id")[:TOP_DONORS]
    )

    names = {
        d.pk: donor_label(d.name, d.display_preference)
        for d in Donor.objects.filter(pk__in=[r["donor_id"] for r in top])
    }
    money["top_donors"] = [
        {"name": names.get(r["donor_id"], ""), "count": r["n"], "amount": r["amount"]} for r in top
    ]

    agencies = list(
        DriveAgency.objects.filter(drive__fund_id__in=list(funds), drive__year=year)
        .values("pk", "agency__name", "headcount", "expected_amount")
        .annotate(
            paid=Sum(
                "payments__amount",
                filter=Q(payments__status=DonationStatus.POSTED, payments__received_on__lte=end),
            )
        )
        .order_by("-expected_amount", "pk")
    )
    drive = money["salary_drive"]
    drive["agencies_count"] = len(agencies)
    for row in agencies:
        drive["headcount"] += row["headcount"]
        drive["expected"] += row["expected_amount"]
        drive["paid"] += row["paid"] or 0
    drive["agencies"] = [
        {
            "name": r["agency__name"],
            "headcount": r["headcount"],
            "expected": r["expected_amount"],
            "paid": r["paid"] or 0,
        }
        for r in agencies[:TOP_AGENCIES]
    ]
    return money
