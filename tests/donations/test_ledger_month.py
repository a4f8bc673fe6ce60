"""The ledger's month totals (LedgerMonth) are kept by the database and always equal the entries."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from donations.imports.donations import donations_import
from donations.models import (
    EntryKind,
    EntryLink,
    LedgerEntry,
    LedgerMonth,
    Medium,
    RecipientKind,
    RestrictionKind,
)
from donations.selectors.balances import available_balance, fund_balance
from donations.selectors.ledger import months_differences, summaries_differences
from donations.selectors.transparency import fund_statement, raised_in_year
from donations.services.disbursements import disbursement_approve, disbursement_propose
from donations.services.donations import donation_reverse
from tests.donations.test_importing import line, xlsx
from tests.donations.test_ledger import give
from tests.factories import FundFactory

pytestmark = pytest.mark.django_db


def months(fund) -> dict[tuple, tuple]:
    return {
        (m.month, m.medium, m.kind, m.link): (m.inflow, m.outflow, m.entries)
        for m in LedgerMonth.objects.filter(fund=fund)
    }


def test_each_posting_reversal_and_disbursement_is_added_to_its_month(
    fund, district_staff, second_staff, tree
):
    january, february = dt.date(2025, 1, 9), dt.date(2025, 2, 3)
    jan, feb = january.replace(day=1), february.replace(day=1)
    first = give(fund, 1_250_000, january, district_staff)
    give(fund, 750_000, january, district_staff)
    give(fund, 300_000, february, district_staff)
    donation_reverse(donation=first, reason="Chuyển nhầm", by=district_staff)
    proposal = disbursement_propose(
        by=district_staff,
        fund=fund,
        amount=400_000,
        spent_on=february,
        purpose="Quà Tết",
        recipient_kind=RecipientKind.CHILDREN,
        recipient_unit=tree["a"],
    )
    disbursement_approve(disbursement=proposal, by=second_staff)
    reversed_on = timezone.localdate().replace(day=1)

    assert months(fund) == {
        (jan, Medium.CASH, EntryKind.DONATION, EntryLink.DONATION): (2_000_000, 0, 2),
        (feb, Medium.CASH, EntryKind.DONATION, EntryLink.DONATION): (300_000, 0, 1),
        (reversed_on, Medium.CASH, EntryKind.REVERSAL, EntryLink.DONATION): (0, -1_250_000, 1),
        (feb, Medium.CASH, EntryKind.DISBURSEMENT, EntryLink.DISBURSEMENT): (0, -400_000, 1),
    }
    assert months_differences(connection) == []


def test_the_statement_balances_and_year_total_read_from_the_months_equal_the_entries(
    fund, district_staff, second_staff, tree
):
    year = timezone.localdate().year - 1
    for month, amount in ((1, 1_000_000), (3, 2_500_000), (3, 500_000), (11, 90_000)):
        give(fund, amount, dt.date(year, month, 5), district_staff)
    lower = FundFactory(unit=tree["a"], code="xa-mot", parent=fund)
    transfer = disbursement_propose(
        by=district_staff,
        fund=fund,
        amount=600_000,
        spent_on=dt.date(year, 3, 20),
        purpose="Chuyển quỹ xã",
        recipient_kind=RecipientKind.LOWER_FUND,
        recipient_fund=lower,
    )
    disbursement_approve(disbursement=transfer, by=second_staff)

    statement = fund_statement(fund=fund, year=year)
    entries = LedgerEntry.objects.filter(fund=fund)
    for row in statement.months:
        in_month = entries.filter(entry_date__year=year, entry_date__month=row.month.month)
        assert row.cash_in == in_month.filter(amount__gt=0).aggregate(s=Sum("amount"))["s"] or 0
        assert row.cash_out == -(in_month.filter(amount__lt=0).aggregate(s=Sum("amount"))["s"] or 0)
    assert [row.month.month for row in statement.months] == [1, 3, 11]
    assert statement.closing_cash == entries.aggregate(s=Sum("amount"))["s"] == 3_490_000
    assert fund_balance(fund=fund) == {"received": 4_090_000, "spent": 600_000, "balance": 3_490_000}
    # The lower fund's transfer is received money there, not a donation.
    assert fund_statement(fund=lower, year=year).months[0].cash_in == 600_000
    assert raised_in_year(year=year) == 4_090_000


def test_unrestricted_money_is_the_total_less_the_restricted_pools(fund, district_staff, tree):
    day = timezone.localdate() - dt.timedelta(days=2)
    free = give(fund, 2_000_000, day, district_staff)
    give(
        fund,
        700_000,
        day,
        district_staff,
        restriction=RestrictionKind.COMMUNE,
        restriction_unit=tree["a"],
    )
    assert available_balance(fund=fund, like=free) == 2_000_000
    direct = LedgerEntry.objects.filter(fund=fund, restriction=RestrictionKind.NONE).aggregate(
        s=Sum("amount")
    )
    assert available_balance(fund=fund, like=free) == direct["s"]


def test_an_import_loaded_in_bulk_is_added_to_the_months(fund, district_staff):
    rows = [line(f"CT-{n}", amount=f"{(n + 1) * 10_000}") for n in range(30)]
    result = donations_import(uploaded=xlsx(rows), by=district_staff, dry_run=False, name="x.xlsx")
    assert result.ok, result.error_messages()
    assert months_differences(connection) == []
    total = LedgerMonth.objects.filter(fund=fund).aggregate(s=Sum("inflow"), n=Sum("entries"))
    assert (total["s"], total["n"]) == (sum((n + 1) * 10_000 for n in range(30)), 30)


def test_the_command_finds_totals_that_drifted_and_rebuilds_them(fund, district_staff, yesterday):
    give(fund, 1_000_000, yesterday, district_staff)
    out = io.StringIO()
    call_command("ledger_months", stdout=out)
    assert "khớp" in out.getvalue() or "equal" in out.getvalue()

    LedgerMonth.objects.filter(fund=fund).update(inflow=999)
    with pytest.raises(CommandError) as error:
        call_command("ledger_months", stdout=io.StringIO(), stderr=io.StringIO())
    assert "--rebuild" in str(error.value)
    assert LedgerEntry.objects.filter(fund=fund).count() == 1  # the entries were not touched

    call_command("ledger_months", "--rebuild", stdout=io.StringIO())
    assert months_differences(connection) == []
    assert LedgerMonth.objects.get(fund=fund).inflow == 1_000_000


def test_the_rebuild_recomputes_the_donors_yearly_sums_too(fund, district_staff, yesterday):
    from donations.models import DonorYear
    from tests.factories import DonorFactory

    donor = DonorFactory(unit=fund.unit, name="Lê Văn An")
    give(fund, 1_000_000, yesterday, district_staff, donor=donor)
    DonorYear.objects.filter(donor=donor).update(total=5)
    call_command("ledger_months", "--rebuild", stdout=io.StringIO())
    assert list(DonorYear.objects.filter(donor=donor).values_list("year", "total")) == [
        (yesterday.year, 1_000_000)
    ]


def summaries_from_ledger() -> tuple[set, set]:
    """What DonorYear and CampaignRaised must hold, computed from the ledger, beside what they hold."""
    from donations.ledger_sql import campaigns_raised_sql, donor_years_sql
    from donations.models import CampaignRaised, DonorYear

    with connection.cursor() as cursor:
        cursor.execute(donor_years_sql(connection.vendor))
        donor_years = {row for row in cursor.fetchall() if row[3]}
        cursor.execute(campaigns_raised_sql())
        campaigns = {row for row in cursor.fetchall() if row[1]}
    kept_years = {
        row for row in DonorYear.objects.values_list("fund_id", "donor_id", "year", "total") if row[3]
    }
    kept_campaigns = {row for row in CampaignRaised.objects.values_list("campaign_id", "total") if row[1]}
    return (donor_years, campaigns), (kept_years, kept_campaigns)


def test_a_campaigns_total_follows_postings_and_reversals_and_is_rebuilt(fund, district_staff, yesterday):
    from campaigns.models import Campaign
    from donations.models import CampaignRaised
    from donations.selectors.transparency import campaigns_raised

    campaign = Campaign.objects.create(
        name="Trung thu", slug="trung-thu", unit=fund.unit, starts_on=yesterday, ends_on=yesterday
    )
    give(fund, 1_000_000, yesterday, district_staff, campaign=campaign)
    wrong = give(fund, 4_000_000, yesterday, district_staff, campaign=campaign)
    give(fund, 9_000_000, yesterday, district_staff)  # to no campaign
    assert campaigns_raised(campaign_ids=[campaign.pk]) == {campaign.pk: 5_000_000}
    donation_reverse(donation=wrong, reason="Nhập nhầm", by=district_staff)
    assert campaigns_raised(campaign_ids=[campaign.pk]) == {campaign.pk: 1_000_000}
    CampaignRaised.objects.filter(campaign=campaign).update(total=7)
    call_command("ledger_months", "--rebuild", stdout=io.StringIO())
    assert campaigns_raised(campaign_ids=[campaign.pk]) == {campaign.pk: 1_000_000}
    expected, kept = summaries_from_ledger()
    assert kept == expected


@pytest.fixture
def trung_thu(fund):
    """An open campaign of the fund's unit, named in import rows as "trung-thu"."""
    from campaigns.models import Campaign

    today = timezone.localdate()
    return Campaign.objects.create(
        name="Trung thu",
        slug="trung-thu",
        unit=fund.unit,
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30),
    )


def test_an_import_loaded_in_bulk_is_added_to_the_donors_years_and_campaigns(fund, district_staff, trung_thu):
    rows = [
        line(f"CT-{n}", amount=f"{(n + 1) * 10_000}", donor_name=f"Lê Văn {n % 3}", campaign="trung-thu")
        for n in range(12)
    ]
    result = donations_import(uploaded=xlsx(rows), by=district_staff, dry_run=False, name="x.xlsx")
    assert result.ok, result.error_messages()
    expected, kept = summaries_from_ledger()
    assert kept == expected
    donor_years, campaigns = expected
    assert len(donor_years) == 3 and [total for _campaign, total in campaigns] == [780_000]


def test_an_import_loaded_in_bulk_is_added_to_the_donations_day_and_donor_month_sums(fund, district_staff):
    """The import's COPY (PostgreSQL: one statement over its transition table) keeps the sums the
    reports' money figures read (`donations.period_sql`) equal to the posted donations."""
    from donations.models import DonationDay

    days = [timezone.localdate() - dt.timedelta(days=n) for n in (3, 40, 41)]
    rows = [
        line(f"NG-{n}", amount=f"{(n + 1) * 10_000}", received_on=days[n % 3].strftime("%d/%m/%Y"))
        for n in range(30)
    ]
    result = donations_import(uploaded=xlsx(rows), by=district_staff, dry_run=False, name="x.xlsx")
    assert result.ok, result.error_messages()
    found = summaries_differences(connection)
    assert found["donation_days"] == [] and found["posted_donor_months"] == []
    total = DonationDay.objects.filter(fund=fund).aggregate(s=Sum("amount"), n=Sum("n"))
    assert (total["s"], total["n"]) == (sum((n + 1) * 10_000 for n in range(30)), 30)


def _plans_logged(cursor_notices: list[str]) -> list[dict]:
    """The plans auto_explain sent to the client (JSON, one per statement run, triggers' included)."""
    plans = []
    for notice in cursor_notices:
        if "plan:" in notice:
            plans.append(json.loads(notice[notice.index("{") :]))
    return plans


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL's statement trigger")
def test_an_import_of_a_campaign_into_a_ledger_without_one_reads_its_new_entries_once(
    fund, district_staff, trung_thu
):
    """Issue 20: where no donation had a campaign yet, the statistics said `campaign_id IS NOT NULL`
    matched one donation, and the campaigns' sum looped over the import's new entries once for each
    imported donation of a campaign (140 s for 100,000 rows). The sums now join the new entries to their
    donations once, before any condition: every scan of a statement's new entries runs once, read from
    the plans PostgreSQL ran (auto_explain, nested statements included)."""
    plain = [line(f"KH-{n}", amount="100.000", donor_name=f"Lê Văn {n % 7}") for n in range(150)]
    assert donations_import(uploaded=xlsx(plain), by=district_staff, dry_run=False, name="a.xlsx").ok
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE donations_donation")
        cursor.execute("LOAD 'auto_explain'")
        for setting, value in (
            ("auto_explain.log_min_duration", "0"),
            ("auto_explain.log_nested_statements", "on"),
            ("auto_explain.log_analyze", "on"),
            ("auto_explain.log_format", "json"),
            ("client_min_messages", "log"),
        ):
            cursor.execute("SELECT set_config(%s, %s, true)", [setting, value])  # until the test's rollback
    notices = connection.connection.notices
    rows = [
        line(f"CT-{n}", amount="20.000", donor_name=f"Lê Văn {n % 7}", campaign="trung-thu")
        for n in range(40)
    ]
    try:
        connection.connection.notices = logged = []  # every notice, not the last 50
        result = donations_import(uploaded=xlsx(rows), by=district_staff, dry_run=False, name="b.xlsx")
    finally:
        connection.connection.notices = notices
    assert result.ok, result.error_messages()
    scans = [
        node
        for plan in _plans_logged(logged)
        for node in _nodes(plan["Plan"])
        if node["Node Type"] == "Named Tuplestore Scan"  # a trigger's new rows (the plan names none)
    ]
    assert any("kind" in node.get("Filter", "") for node in scans), "no plan of the ledger's sums was logged"
    assert [node["Actual Loops"] for node in scans] == [1] * len(scans), scans
    expected, kept = summaries_from_ledger()
    assert kept == expected and expected[1] == {(trung_thu.pk, 40 * 20_000)}
