"""The honour roll reads what each donor gave each fund in a year (`DonorYear`), kept by the database
as entries are posted; it is a page of donors at a time, with a search by name."""

import datetime as dt
from collections import defaultdict

import pytest
from django.utils import timezone

from donations.models import DisplayPreference, Donation, DonationStatus, DonorYear
from donations.selectors.transparency import recognised_donors
from donations.services.donations import donation_create, donation_post, donation_reverse
from donations.services.donors import donor_merge
from tests.factories import DonorFactory, FundFactory, staff

from .conftest import give

pytestmark = pytest.mark.django_db


def from_donations() -> dict:
    """What DonorYear must hold, summed from the donations themselves: posted, not reversed (a reversed
    donation stays posted, its reversal entry beside it), with a donor, not given anonymously."""
    sums: dict = defaultdict(int)
    posted = (
        Donation.objects.filter(status=DonationStatus.POSTED, donor__isnull=False)
        .exclude(display_preference=DisplayPreference.ANONYMOUS)
        .exclude(entries__reversed_by__isnull=False)
    )
    for donation in posted:
        sums[(donation.fund_id, donation.donor_id, donation.received_on.year)] += donation.amount
    return dict(sums)


def kept() -> dict:
    return {(r.fund_id, r.donor_id, r.year): r.total for r in DonorYear.objects.all() if r.total}


def test_the_years_follow_postings_reversals_anonymous_gifts_and_merges(tree):
    fund = FundFactory(unit=tree["d1"], code="huyen-mot")
    lan = staff(tree["d1"], username="lan")
    today = timezone.localdate()
    last_year = today.replace(year=today.year - 1, day=1)
    an, binh = (
        DonorFactory(unit=tree["d1"], name="Lê Văn An"),
        DonorFactory(unit=tree["d1"], name="Lê Văn Bình"),
    )
    give(fund, 1_000_000, today, donor=an)
    give(fund, 2_000_000, last_year, donor=an)
    reversed_gift = give(fund, 5_000_000, today, donor=binh)
    give(fund, 700_000, today, donor=binh, display_preference=DisplayPreference.ANONYMOUS)
    give(fund, 300_000, today, donor_name="Khách vãng lai")
    pending = donation_create(fund=fund, amount=9_000_000, received_on=today, donor=binh)
    assert (
        kept()
        == from_donations()
        == {
            (fund.pk, an.pk, today.year): 1_000_000,
            (fund.pk, an.pk, last_year.year): 2_000_000,
            (fund.pk, binh.pk, today.year): 5_000_000,
        }
    )
    donation_reverse(donation=reversed_gift, reason="Nhập nhầm", by=lan)
    donation_post(donation=pending, by=lan)
    assert kept() == from_donations()
    assert kept()[(fund.pk, binh.pk, today.year)] == 9_000_000
    donor_merge(keep=an, duplicate=binh, by=lan)
    assert kept() == from_donations()
    assert kept()[(fund.pk, an.pk, today.year)] == 10_000_000
    assert not DonorYear.objects.filter(donor=binh).exclude(total=0).exists()


def test_the_roll_is_a_page_at_a_time_largest_first_with_a_search_by_name(client, tree, settings):
    fund = FundFactory(unit=tree["d1"], code="huyen-mot", parent=None)
    settings.RECOGNITION_MIN_AMOUNT = 1_000_000
    today = timezone.localdate()
    for index in range(7):
        donor = DonorFactory(unit=tree["d1"], name=f"Nguyễn Văn Số {index}")
        give(fund, 1_000_000 + index * 100_000, today, donor=donor)
    give(fund, 2_500_000, today, donor=DonorFactory(unit=tree["d1"], name="Công ty Ánh Dương"))
    give(fund, 900_000, today, donor=DonorFactory(unit=tree["d1"], name="Lê Thị Ít"))  # below, one year
    roll = recognised_donors(year=today.year, fund=fund, per_page=3)
    assert (roll.count, roll.pages, roll.page) == (8, 3, 1)
    assert [r["name"] for r in roll.rows] == ["Công ty Ánh Dương", "Nguyễn Văn Số 6", "Nguyễn Văn Số 5"]
    last = recognised_donors(year=today.year, fund=fund, per_page=3, page=99)  # clamped to the last
    assert last.page == 3 and [r["name"] for r in last.rows] == ["Nguyễn Văn Số 1", "Nguyễn Văn Số 0"]
    found = recognised_donors(year=today.year, fund=fund, query="anh duong")
    assert [r["name"] for r in found.rows] == ["Công ty Ánh Dương"] and found.count == 1

    html = client.get("/honour-roll/", {"q": "NGUYEN VAN SO 3"}).content.decode()
    assert "Nguyễn Văn Số 3" in html and "Nguyễn Văn Số 4" not in html and "Ánh Dương" not in html
    html = client.get("/honour-roll/", {"q": "Trần"}).content.decode()
    assert "Không có nhà hảo tâm nào được vinh danh năm" in html
    assert client.get("/honour-roll/", {"page": "0"}).status_code == 404
    assert client.get("/honour-roll/", {"page": "abc"}).status_code == 200  # the first page


def test_a_streak_of_years_puts_a_small_donor_on_the_roll(tree, settings):
    fund = FundFactory(unit=tree["d1"], code="huyen-mot", parent=None)
    settings.RECOGNITION_MIN_AMOUNT = 10_000_000
    settings.RECOGNITION_CONSECUTIVE_YEARS = 3
    today = timezone.localdate()
    steady = DonorFactory(unit=tree["d1"], name="Hà Văn Đều")
    gap = DonorFactory(unit=tree["d1"], name="Hà Văn Ngắt")
    for back in range(3):
        give(fund, 100_000, dt.date(today.year - back, 3, 1), donor=steady)
    for back in (0, 2):
        give(fund, 100_000, dt.date(today.year - back, 3, 1), donor=gap)
    roll = recognised_donors(year=today.year, fund=fund)
    assert [(r["name"], r["streak"], r["amount"]) for r in roll.rows] == [("Hà Văn Đều", 3, 100_000)]
