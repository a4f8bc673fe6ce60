"""A report's money figures read the donations' day and donor-month sums (issue 20), and equal what the
period's donations themselves give, whatever the period and whatever happened to the donations."""

import datetime as dt
import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from campaigns.models import Campaign
from donations.models import (
    Donation,
    DonationDay,
    DonationKind,
    DonationStatus,
    Donor,
    Fund,
    PostedDonorMonth,
    SourceCategory,
)
from donations.selectors.ledger import summaries_differences
from donations.services.donations import donation_cancel, donation_create, donation_post, donation_reverse
from donations.services.donors import donor_merge
from reports.figures.money import TOP_CAMPAIGNS, TOP_DONORS, donor_label, money_figures, whole_months
from tests.factories import DonorFactory, FundFactory, staff

pytestmark = pytest.mark.django_db

#: Periods of every shape: the annual report's, whole months only, no whole month, one month, a day,
#: across a new year, a period with nothing in it.
PERIODS = [
    (dt.date(2026, 1, 1), dt.date(2026, 11, 10)),
    (dt.date(2026, 2, 1), dt.date(2026, 6, 30)),
    (dt.date(2026, 1, 15), dt.date(2026, 2, 14)),
    (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    (dt.date(2026, 3, 3), dt.date(2026, 5, 27)),
    (dt.date(2026, 4, 30), dt.date(2026, 4, 30)),
    (dt.date(2025, 12, 15), dt.date(2026, 1, 31)),
    (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
]


def direct_money(*, unit, start, end) -> dict:
    """The money figures computed from the period's donations themselves (what the figures read before
    the sums): the reference the sums must equal."""
    funds = dict(Fund.objects.filter(unit__path__startswith=unit.path).values_list("pk", "unit_id"))
    donations = Donation.objects.filter(
        fund_id__in=list(funds), status=DonationStatus.POSTED, received_on__range=(start, end)
    )
    out = {"count": 0, "cash": 0, "goods": 0, "own": {"count": 0, "cash": 0, "goods": 0}, "by_source": {}}
    for value in SourceCategory.values:
        out["by_source"][value] = {"count": 0, "cash": 0, "goods": 0}
    for row in donations.values("fund_id", "source").annotate(
        n=Count("id"),
        cash=Sum("amount", filter=~Q(kind=DonationKind.GOODS)),
        goods=Sum("amount", filter=Q(kind=DonationKind.GOODS)),
    ):
        targets = [out, out["by_source"][row["source"]]] + (
            [out["own"]] if funds[row["fund_id"]] == unit.pk else []
        )
        for target in targets:
            target["count"] += row["n"]
            target["cash"] += row["cash"] or 0
            target["goods"] += row["goods"] or 0
    campaigns = list(
        donations.filter(campaign__isnull=False)
        .values("campaign_id", "campaign__name")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("-amount", "campaign_id")
    )
    out["campaigns"] = [
        {"name": r["campaign__name"], "count": r["n"], "amount": r["amount"]}
        for r in campaigns[:TOP_CAMPAIGNS]
    ]
    if campaigns[TOP_CAMPAIGNS:]:
        rest = campaigns[TOP_CAMPAIGNS:]
        out["campaigns"].append(
            {
                "name": "Các chiến dịch khác",
                "count": sum(r["n"] for r in rest),
                "amount": sum(r["amount"] for r in rest),
            }
        )
    top = (
        donations.filter(donor__isnull=False)
        .values("donor_id")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("-amount", "donor_id")[:TOP_DONORS]
    )
    donors = {d.pk: d for d in Donor.objects.filter(pk__in=[r["donor_id"] for r in top])}
    out["top_donors"] = [
        {
            "name": donor_label(donors[r["donor_id"]].name, donors[r["donor_id"]].display_preference),
            "count": r["n"],
            "amount": r["amount"],
        }
        for r in top
    ]
    return out


def summed(unit, start, end) -> dict:
    money = money_figures(unit=unit, start=start, end=end, year=end.year)
    del money["salary_drive"]
    return money


@pytest.fixture
def mixed(tree):
    """Three funds (the district's, a commune's under it, a commune's of the other district) with
    donations of every source, kind, campaign and donor over 2024-2026, posted one by one and in bulk,
    some left pending, cancelled, reversed, moved to another day or campaign, merged to another donor."""
    rng = random.Random(20)
    by = staff(tree["d1"], username="ke.toan")
    funds = [
        FundFactory(unit=tree["d1"], code="huyen-mot"),
        FundFactory(unit=tree["a"], code="xa-an"),
        FundFactory(unit=tree["c"], code="xa-cuong"),
    ]
    campaigns = [
        Campaign.objects.create(
            name=f"Chiến dịch {n}",
            slug=f"chien-dich-{n}",
            unit=tree["d1"],
            starts_on=dt.date(2024, 1, 1),
            ends_on=dt.date(2026, 12, 31),
        )
        for n in range(TOP_CAMPAIGNS + 3)
    ]
    donors = [DonorFactory(unit=tree["d1"], name=f"Trần Thị Mai {n}") for n in range(TOP_DONORS + 5)]
    donors[0].display_preference = "anonymous"
    donors[0].save()
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(0, 1065, 3)]  # to 30/11/2026
    days += [dt.date(2026, 1, 31), dt.date(2026, 2, 1), dt.date(2026, 2, 14), dt.date(2026, 11, 10)]
    made = []
    for _n in range(260):
        kind = rng.choice([DonationKind.CASH, DonationKind.TRANSFER, DonationKind.GOODS])
        goods = {"goods_description": "Gạo", "goods_quantity": 10} if kind == DonationKind.GOODS else {}
        made.append(
            donation_create(
                fund=rng.choice(funds),
                amount=rng.choice([100_000, 250_000, 1_000_000, 5_000_000]) * rng.randint(1, 3),
                received_on=rng.choice(days),
                kind=kind,
                source=rng.choice(SourceCategory.values),
                campaign=rng.choice([None, None, *campaigns]),
                donor=rng.choice([None, *donors]),
                by=by,
                **goods,
            )
        )
    for donation in made[:220]:
        donation_post(donation=donation, by=by)
    for donation in made[220:230]:
        donation_cancel(donation=donation, by=by)
    for donation in made[:6]:
        if donation.kind != DonationKind.GOODS:
            donation_reverse(donation=donation, reason="Nhập nhầm", by=by)
    # Bulk writes that bypass the services: a statement of many rows, as an import's COPY is.
    Donation.objects.filter(pk__in=[d.pk for d in made[10:40]]).update(campaign=campaigns[1])
    Donation.objects.filter(pk__in=[d.pk for d in made[40:45]]).update(received_on=dt.date(2026, 3, 1))
    now = timezone.now()
    Donation.objects.bulk_create(
        Donation(
            fund=funds[n % 2],
            amount=300_000 + n,
            received_on=dt.date(2026, 1 + n % 11, 1 + n % 28),
            source=SourceCategory.CHILD_FUND,
            donor=donors[n % 4],
            campaign=campaigns[n % 3],
            status=DonationStatus.POSTED,
            receipt_year=2026,
            receipt_seq=10_000 + n,
            posted_at=now,
        )
        for n in range(40)
    )
    donor_merge(keep=donors[2], duplicate=donors[3], by=None)
    Donation.objects.filter(pk=made[250].pk).delete()  # a pending one
    return {"tree": tree, "funds": funds, "donors": donors, "campaigns": campaigns}


def test_the_money_figures_from_the_sums_equal_the_donations_for_every_period(mixed):
    tree = mixed["tree"]
    assert summaries_differences(connection)["donation_days"] == []
    assert summaries_differences(connection)["posted_donor_months"] == []
    checked = 0
    for unit in (tree["province"], tree["d1"], tree["a"], tree["c"]):
        for start, end in PERIODS:
            expected = direct_money(unit=unit, start=start, end=end)
            assert summed(unit, start, end) == expected, (unit.name, start, end)
            checked += expected["count"]
    assert checked > 500
    whole = summed(tree["province"], dt.date(2024, 1, 1), dt.date(2026, 12, 4))
    assert len(whole["campaigns"]) == TOP_CAMPAIGNS + 1 and len(whole["top_donors"]) == TOP_DONORS


def test_a_wrong_sum_shows_in_the_figures_and_the_check_and_the_rebuild_mends_it(mixed):
    tree = mixed["tree"]
    start, end = PERIODS[0]
    expected = direct_money(unit=tree["d1"], start=start, end=end)
    day = DonationDay.objects.filter(fund=mixed["funds"][0], day__range=(start, end), n__gt=0).first()
    DonationDay.objects.filter(pk=day.pk).update(amount=day.amount + 1)
    month = PostedDonorMonth.objects.filter(
        fund=mixed["funds"][1], month=dt.date(2026, 5, 1), n__gt=0
    ).first()
    PostedDonorMonth.objects.filter(pk=month.pk).update(amount=month.amount + 50_000_000)
    wrong = summed(tree["d1"], start, end)
    assert wrong["cash"] + wrong["goods"] == expected["cash"] + expected["goods"] + 1
    assert wrong["top_donors"] != expected["top_donors"]
    with pytest.raises(CommandError):
        call_command("ledger_months", stdout=io.StringIO(), stderr=io.StringIO())

    call_command("ledger_months", "--rebuild", stdout=io.StringIO())
    assert summed(tree["d1"], start, end) == expected
    assert all(rows == [] for rows in summaries_differences(connection).values())


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 11, 10), (dt.date(2026, 1, 1), dt.date(2026, 10, 1))),
        (dt.date(2026, 1, 2), dt.date(2026, 2, 28), (dt.date(2026, 2, 1), dt.date(2026, 2, 1))),
        (dt.date(2026, 1, 15), dt.date(2026, 2, 14), None),
        (dt.date(2025, 12, 1), dt.date(2026, 1, 31), (dt.date(2025, 12, 1), dt.date(2026, 1, 1))),
        (dt.date(2026, 4, 30), dt.date(2026, 4, 30), None),
    ],
)
def test_the_whole_months_of_a_period(start, end, months):
    assert whole_months(start, end) == months
