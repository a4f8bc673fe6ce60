"""The money section of the figures: posted donations of the unit's funds and the salary drive."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Q, Sum

from campaigns.models import Campaign
from donations.models import (
    DisplayPreference,
    Donation,
    DonationDay,
    DonationKind,
    DonationStatus,
    Donor,
    DriveAgency,
    Fund,
    PostedDonorMonth,
    SourceCategory,
)
from fund_portal.models import AdministrativeUnit

TOP_DONORS = 10
TOP_CAMPAIGNS = 10
TOP_AGENCIES = 40
#: The memory of the top donors' aggregate (PostgreSQL's default, 4MB, spilled it to disk).
TOP_DONORS_WORK_MEM = "64MB"
TOP_DONORS_JIT = "off"


def donor_label(name: str, preference: str) -> str:
    """Reports honour the donor's choice: anonymous donors are not named, initials stay initials."""
    if preference == DisplayPreference.ANONYMOUS or not name:
        return "Nhà hảo tâm (ẩn danh)"
    if preference == DisplayPreference.INITIALS:
        return ".".join(part[0].upper() for part in name.split() if part) + "."
    return name


def money_by_source(money: dict, *, unit: AdministrativeUnit, funds: dict, start: dt.date, end: dt.date):
    """The number, cash and goods of the period's posted donations, in all, by source and of the unit's
    own funds: from the donations' day sums (`DonationDay`), a few rows a fund and day."""
    rows = (
        DonationDay.objects.filter(fund_id__in=list(funds), day__range=(start, end))
        .values("fund_id", "source")
        .annotate(
            n=Sum("n"),
            cash=Sum("amount", filter=~Q(kind=DonationKind.GOODS)),
            goods=Sum("amount", filter=Q(kind=DonationKind.GOODS)),
        )
        .order_by()
    )
    for row in rows:
        cash, goods = row["cash"] or 0, row["goods"] or 0
        targets = [money, money["by_source"].setdefault(row["source"], {"count": 0, "cash": 0, "goods": 0})]
        if funds[row["fund_id"]] == unit.pk:
            targets.append(money["own"])
        for target in targets:
            target["count"] += row["n"]
            target["cash"] += cash
            target["goods"] += goods


def campaign_lines(*, fund_ids: list[int], start: dt.date, end: dt.date) -> list[dict]:
    """The campaigns that raised most in the period (number, amount), the rest in one line: from the
    donations' day sums."""
    rows = list(
        DonationDay.objects.filter(fund_id__in=fund_ids, day__range=(start, end), campaign__gt=0)
        .values("campaign")
        .annotate(n=Sum("n"), total=Sum("amount"))
        .filter(n__gt=0)
        .order_by("-total", "campaign")
    )
    names = dict(
        Campaign.objects.filter(pk__in=[r["campaign"] for r in rows[:TOP_CAMPAIGNS]]).values_list(
            "pk", "name"
        )
    )
    lines = [
        {"name": names.get(r["campaign"], ""), "count": r["n"], "amount": r["total"]}
        for r in rows[:TOP_CAMPAIGNS]
    ]
    rest = rows[TOP_CAMPAIGNS:]
    if rest:
        lines.append(
            {
                "name": "Các chiến dịch khác",
                "count": sum(r["n"] for r in rest),
                "amount": sum(r["total"] for r in rest),
            }
        )
    return lines


def whole_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first days of the first and the last whole month of the period, or None if it has none."""
    first = start if start.day == 1 else (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    after = end + dt.timedelta(days=1)
    last_end = after.replace(day=1)  # the day after the last whole month
    if last_end <= first:
        return None
    return first, (last_end - dt.timedelta(days=1)).replace(day=1)


def _edges(
    start: dt.date, end: dt.date, months: tuple[dt.date, dt.date] | None
) -> list[tuple[dt.date, dt.date]]:
    """The days of the period outside its whole months: the whole period when it has none."""
    if months is None:
        return [(start, end)]
    first, last = months
    after_last = (last + dt.timedelta(days=31)).replace(day=1)
    edges = [(start, first - dt.timedelta(days=1)), (after_last, end)]
    return [(a, b) for a, b in edges if a <= b]


def top_donors(*, fund_ids: list[int], start: dt.date, end: dt.date) -> list[dict]:
    """The donors who gave most in the period (number, amount), named as each chose: the period's whole
    months from the donors' month sums (`PostedDonorMonth`), its partial months at either edge from the
    posted donations themselves (through the fund and date index)."""
    funds = "(" + ", ".join(["%s"] * len(fund_ids)) + ")"
    months = whole_months(start, end)
    parts, params = [], []
    if months is not None:
        parts.append(
            f"SELECT donor_id, n, amount FROM {PostedDonorMonth._meta.db_table} "  # noqa: S608  our names
            f"WHERE fund_id IN {funds} AND month BETWEEN %s AND %s"
        )
        params += [*fund_ids, *months]
    for edge in _edges(start, end, months):
        parts.append(
            f"SELECT donor_id, 1 AS n, amount FROM {Donation._meta.db_table} "  # noqa: S608  our names
            f"WHERE fund_id IN {funds} AND status = %s AND donor_id IS NOT NULL "
            "AND received_on BETWEEN %s AND %s"
        )
        params += [*fund_ids, DonationStatus.POSTED, *edge]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A province's donors (125,000 in the benchmark's) hashed in memory, not spilled to disk in
            # batches; no JIT compilation, which cost more than it saved on this one aggregate. Both
            # end with the transaction (report_build's, or this block's).
            cursor.execute(f"SET LOCAL work_mem = '{TOP_DONORS_WORK_MEM}'")
            cursor.execute(f"SET LOCAL jit = {TOP_DONORS_JIT}")
        cursor.execute(
            f"SELECT donor_id, SUM(n), SUM(amount) FROM ({' UNION ALL '.join(parts)}) AS given "  # noqa: S608
            "GROUP BY donor_id HAVING SUM(n) > 0 ORDER BY SUM(amount) DESC, donor_id LIMIT %s",
            [*params, TOP_DONORS],
        )
        top = cursor.fetchall()
    names = {
        d.pk: donor_label(d.name, d.display_preference)
        for d in Donor.objects.filter(pk__in=[r[0] for r in top])
    }
    return [
        {"name": names.get(donor_id, ""), "count": int(n), "amount": int(amount)}
        for donor_id, n, amount in top
    ]


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
    money_by_source(money, unit=unit, funds=funds, start=start, end=end)
    money["campaigns"] = campaign_lines(fund_ids=list(funds), start=start, end=end)
    money["top_donors"] = top_donors(fund_ids=list(funds), start=start, end=end)

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
