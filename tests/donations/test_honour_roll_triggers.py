"""The honour roll's lines under PostgreSQL's statement-level triggers: two transactions posting gifts of
one donor to two funds at once, and the donations import, which posts its gifts in one statement."""

from datetime import date

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from donations.models import HonourRollYear
from donations.roll_sql import roll_lines_sql
from donations.services.donations import donation_create, donation_post
from tests.concurrency import hold_then_race, postgresql_only
from tests.donations.test_importing import line, run
from tests.factories import DonorFactory, FundFactory
from tests.public.test_honour_roll_lines import COLUMNS

statement_triggers = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    reason="statement-level triggers over transition tables are PostgreSQL's (SQLite runs row triggers, "
    "tested by tests/public/test_honour_roll_lines.py); CI runs this with DATABASE_URL set",
)


def kept() -> set[tuple]:
    return set(HonourRollYear.objects.values_list(*COLUMNS))


def from_donor_years() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM ({roll_lines_sql()}) lines")  # noqa: S608
        return set(cursor.fetchall())


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_funds_posting_one_donors_gifts_at_once_both_count(tree):
    """Each posting recomputes all the donor's lines: the second waits for the first (the donor's row
    lock) and then counts both gifts, instead of failing on a line the first one wrote."""
    today = timezone.localdate()
    one = FundFactory(unit=tree["d1"], code="huyen-mot")
    a = FundFactory(unit=tree["a"], code="xa-an", parent=one)
    b = FundFactory(unit=tree["b"], code="xa-binh", parent=one)
    donor = DonorFactory(unit=tree["d1"], name="Công ty Ánh Dương")
    first = donation_create(fund=a, amount=2_000_000, received_on=today, donor=donor)
    second = donation_create(fund=b, amount=3_000_000, received_on=today, donor=donor)

    calls = hold_then_race(
        lambda: donation_post(donation=first, by=None), lambda: donation_post(donation=second, by=None)
    )
    assert [call.error for call in calls] == [None, None]
    assert kept() == from_donor_years()
    assert HonourRollYear.objects.get(scope=one.unit.path, donor=donor).amount == 5_000_000
    assert HonourRollYear.objects.get(scope="", donor=donor).amount == 5_000_000


@statement_triggers
@pytest.mark.django_db
def test_the_donations_import_puts_its_donors_on_the_roll(fund, district_staff):
    rows = [line(f"PT-{n}", amount=1_000_000 * n, donor_name=f"Lê Văn Thành {n}") for n in range(1, 26)]
    rows.append(line("PT-26", amount=500_000, donor_name="Lê Văn Thành 1"))
    result = run(district_staff, rows)
    assert not result.errors
    assert kept() == from_donor_years()
    first = HonourRollYear.objects.get(scope=fund.unit.path, name="Lê Văn Thành 1")
    assert (first.amount, first.streak) == (1_500_000, 1)
    assert HonourRollYear.objects.filter(scope=fund.unit.path).count() == 25


def _ctids(donor) -> dict[tuple[str, int], str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT scope, year, ctid::text FROM donations_honourrollyear WHERE donor_id = %s", [donor.pk]
        )
        return {(scope, year): ctid for scope, year, ctid in cursor.fetchall()}


@statement_triggers
@pytest.mark.django_db
def test_a_gift_rewrites_only_the_lines_it_changes(fund):
    """A posting writes the lines whose amount or streak moved and leaves the donor's other lines where
    they are (their row's physical place, `ctid`, is unchanged); a gift in a year with none before it
    joins two runs of years, and every later line's streak follows."""
    this_year = timezone.localdate().year
    donor = DonorFactory(unit=fund.unit, name="Trần Thị Mai")

    def give(year: int, amount: int) -> None:
        donation = donation_create(fund=fund, amount=amount, received_on=date(year, 3, 1), donor=donor)
        donation_post(donation=donation, by=None)

    for year in (this_year - 4, this_year - 3, this_year - 1, this_year):
        give(year, 1_000_000)
    before = _ctids(donor)
    assert kept() == from_donor_years()

    give(this_year, 500_000)
    after = _ctids(donor)
    assert kept() == from_donor_years()
    for key, ctid in before.items():
        assert (after[key] != ctid) == (key[1] == this_year), key
    line = HonourRollYear.objects.get(scope=fund.unit.path, donor=donor, year=this_year)
    assert (line.amount, line.streak) == (1_500_000, 2)

    give(this_year - 2, 700_000)  # the gap filled: five years running
    assert kept() == from_donor_years()
    streaks = dict(
        HonourRollYear.objects.filter(scope=fund.unit.path, donor=donor).values_list("year", "streak")
    )
    assert streaks == {this_year - n: 5 - n for n in range(5)}
    moved = _ctids(donor)
    untouched = [key for key in before if key[1] in (this_year - 4, this_year - 3)]
    assert untouched and all(moved[key] == before[key] for key in untouched)
