"""The donors' month lines (DonorMonth) are kept by the database from the ledger and always equal the
month's donation entries; the transparency page reads them a page at a time, anonymous gifts on one
line at its rank, each donor as they chose to be shown now."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from donations.imports.donations import donations_import
from donations.models import DisplayPreference, DonorMonth, EntryKind, LedgerEntry
from donations.selectors.ledger import summaries_differences
from donations.selectors.transparency import fund_donor_lines, fund_donor_list
from donations.services.donations import donation_reverse
from donations.services.donors import donor_merge
from tests.donations.test_importing import line, xlsx
from tests.donations.test_ledger import give
from tests.factories import DonorFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = "Nhà hảo tâm ẩn danh"


def expected_lines(fund, day: dt.date) -> dict[str, tuple[int, int]]:
    """The month's lines computed from the ledger's entries, one Python loop, as the page shows them:
    {shown name: (gifts, amount)}."""
    lines: dict[str, list[int]] = {}
    entries = LedgerEntry.objects.filter(
        fund=fund,
        kind__in=[EntryKind.DONATION, EntryKind.REVERSAL],
        donation__isnull=False,
        entry_date__year=day.year,
        entry_date__month=day.month,
    ).select_related("donation__donor")
    for entry in entries:
        row = lines.setdefault(entry.donation.public_name, [0, 0])
        row[0] += entry.kind == EntryKind.DONATION
        row[1] += entry.amount
    return {name: (gifts, amount) for name, (gifts, amount) in lines.items() if amount}


def shown(fund, day: dt.date) -> dict[str, tuple[int, int]]:
    return {
        r["name"]: (r["count"], r["amount"])
        for r in fund_donor_list(fund=fund, year=day.year, month=day.month)
    }


def assert_in_step(fund, day: dt.date) -> None:
    assert shown(fund, day) == expected_lines(fund, day)
    assert summaries_differences(connection)["donor_months"] == []


@pytest.fixture
def month(fund, district_staff):
    """A month of gifts: two donors by name, one by initials, one anonymous donor, an anonymous gift of
    a named donor, and gifts without a donor record (named and not)."""
    day = timezone.localdate().replace(day=1) - dt.timedelta(days=20)
    donors = {
        "an": DonorFactory(
            unit=fund.unit, name="Nguyễn Văn An", display_preference=DisplayPreference.FULL_NAME
        ),
        "bich": DonorFactory(
            unit=fund.unit, name="Trần Thị Bích", display_preference=DisplayPreference.INITIALS
        ),
        "kin": DonorFactory(
            unit=fund.unit, name="Phạm Văn Kín", display_preference=DisplayPreference.ANONYMOUS
        ),
        "cong": DonorFactory(
            unit=fund.unit, name="Công ty Ánh Dương", display_preference=DisplayPreference.FULL_NAME
        ),
    }
    give(fund, 500_000, day, district_staff, donor=donors["an"])
    give(fund, 300_000, day, district_staff, donor=donors["an"])
    give(
        fund, 200_000, day, district_staff, donor=donors["an"], display_preference=DisplayPreference.ANONYMOUS
    )
    give(fund, 700_000, day, district_staff, donor=donors["bich"])
    give(fund, 900_000, day, district_staff, donor=donors["kin"])
    give(fund, 5_000_000, day, district_staff, donor=donors["cong"])
    give(fund, 150_000, day, district_staff, donor_name="Lê Thị Hoa")
    give(fund, 50_000, day, district_staff, donor_name="")
    return {"day": day, "donors": donors}


def test_each_posting_is_added_to_its_donor_s_line(fund, month):
    day = month["day"]
    assert shown(fund, day) == {
        "Công ty Ánh Dương": (1, 5_000_000),
        ANONYMOUS: (3, 1_150_000),
        "Nguyễn Văn An": (2, 800_000),
        "T.T.B.": (1, 700_000),
        "Lê Thị Hoa": (1, 150_000),
    }
    assert_in_step(fund, day)


def test_a_reversal_counts_in_the_month_it_was_entered(fund, month, district_staff):
    day = month["day"]
    gift = give(fund, 400_000, day, district_staff, donor=month["donors"]["cong"])
    donation_reverse(donation=gift, reason="Chuyển nhầm", by=district_staff)
    today = timezone.localdate()
    assert shown(fund, day)["Công ty Ánh Dương"] == (2, 5_400_000)
    assert shown(fund, today)["Công ty Ánh Dương"] == (0, -400_000)
    assert_in_step(fund, day)
    assert_in_step(fund, today)


def test_an_import_s_rows_are_added_to_their_lines(fund, district_staff):
    rows = [line(f"CT-{n}", amount=f"{(n + 1) * 10_000}", donor_name=f"Lê Văn {n % 3}") for n in range(12)]
    result = donations_import(uploaded=xlsx(rows), by=district_staff, dry_run=False, name="x.xlsx")
    assert result.ok, result.error_messages()
    for day in {e.entry_date for e in LedgerEntry.objects.filter(fund=fund)}:
        assert_in_step(fund, day)
    assert DonorMonth.objects.filter(fund=fund).exclude(total=0).exists()


def test_a_donor_merge_moves_the_lines_to_the_donor_kept(fund, month, district_staff):
    day, donors = month["day"], month["donors"]
    twin = DonorFactory(unit=fund.unit, name="Nguyễn Văn An", display_preference=DisplayPreference.FULL_NAME)
    give(fund, 100_000, day, district_staff, donor=twin)
    donor_merge(keep=donors["an"], duplicate=twin, by=district_staff)
    assert not DonorMonth.objects.filter(donor_id=twin.pk).exclude(total=0).exists()
    assert shown(fund, day)["Nguyễn Văn An"] == (3, 900_000)
    assert_in_step(fund, day)


def test_a_donor_who_now_asks_to_stay_anonymous_is_at_once(fund, month):
    day = month["day"]
    month["donors"]["cong"].display_preference = DisplayPreference.ANONYMOUS
    month["donors"]["cong"].save()
    lines = shown(fund, day)
    assert "Công ty Ánh Dương" not in lines
    assert lines[ANONYMOUS] == (4, 6_150_000)
    assert_in_step(fund, day)
    kin = month["donors"]["kin"]
    kin.display_preference = DisplayPreference.FULL_NAME
    kin.save()
    assert shown(fund, day)["Phạm Văn Kín"] == (1, 900_000)
    assert_in_step(fund, day)


def test_pages_hold_the_lines_in_order_with_the_anonymous_line_at_its_rank(fund, month):
    day = month["day"]
    every = fund_donor_list(fund=fund, year=day.year, month=day.month)
    assert [r["name"] for r in every] == [
        "Công ty Ánh Dương",
        ANONYMOUS,
        "Nguyễn Văn An",
        "T.T.B.",
        "Lê Thị Hoa",
    ]
    pages = [
        fund_donor_lines(fund=fund, year=day.year, month=day.month, page=n, per_page=2) for n in (1, 2, 3)
    ]
    assert [r for p in pages for r in p.rows] == every
    assert [(p.page, p.pages, p.count, p.has_next) for p in pages] == [
        (1, 3, 5, True),
        (2, 3, 5, True),
        (3, 3, 5, False),
    ]
    assert pages[0].total == sum(r["amount"] for r in every) == 7_800_000
    beyond = fund_donor_lines(fund=fund, year=day.year, month=day.month, page=9, per_page=2)
    assert beyond.page == 3 and beyond.rows == pages[2].rows


def test_the_rebuild_recomputes_lines_that_drifted(fund, month):
    DonorMonth.objects.filter(fund=fund).update(total=1)
    assert summaries_differences(connection)["donor_months"]
    call_command("ledger_months", "--rebuild", stdout=io.StringIO())
    assert_in_step(fund, month["day"])
