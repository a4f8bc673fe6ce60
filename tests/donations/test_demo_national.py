"""The national-shape data set (issue 20), `seed_demo --national`, at a tiny scale: the tree's shape,
children over the communes, donations over ten years with gapless receipt numbers and one ledger entry
each, the sums the triggers keep equal to the ledger, a second run that adds nothing, and the province
benchmark finding the province's own funds there instead of loading its own."""

from __future__ import annotations

import datetime as dt
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from children.models import Child
from donations.demo_national import (
    COMMUNE_FUND_CODE,
    PROVINCE_FUND_CODE,
    YEARS,
    national_funds,
    national_seed,
)
from donations.models import CampaignRaised, DocumentCounter, Donation, DonorYear, Fund, LedgerEntry
from donations.selectors.ledger import months_differences, summaries_differences
from fund_portal.bulk import foreign_keys_drop, foreign_keys_restore
from fund_portal.models import AdministrativeUnit, UnitLevel
from tests.concurrency import postgresql_only

pytestmark = pytest.mark.django_db

#: 100 children and 1,000 donations.
SCALE = 0.00005


def _national_donations():
    return Donation.objects.filter(
        Q(fund__code__startswith=PROVINCE_FUND_CODE.format(code=""))
        | Q(fund__code__startswith=COMMUNE_FUND_CODE.format(code=""))
    )


def _tree_is_national() -> None:
    provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE)
    assert provinces.count() == 34
    # Thanh Hóa stays in the demo's three-level shape; the other 33 provinces have their 3,155 communes.
    thanh_hoa = provinces.get(name="Tỉnh Thanh Hóa")
    communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
    assert communes.exclude(path__startswith=thanh_hoa.path).count() == 3155
    assert AdministrativeUnit.objects.filter(
        path__startswith=thanh_hoa.path, level=UnitLevel.DISTRICT
    ).exists()
    villages = AdministrativeUnit.objects.filter(level=UnitLevel.VILLAGE)
    assert not communes.exclude(pk__in=villages.values("parent_id")).exists()
    for province in provinces:
        funds = national_funds(province)
        assert funds[0].code == PROVINCE_FUND_CODE.format(code=province.code) and funds[0].unit == province
        assert len(funds) == 4
        assert all(f.parent_id == funds[0].pk and f.unit.path.startswith(province.path) for f in funds[1:])
    assert Fund.objects.filter(code__startswith=COMMUNE_FUND_CODE.format(code="")).count() == 3 * 34


def _children_and_donations_are_there(last_demo_child: int) -> None:
    today = timezone.localdate()
    national_children = Child.objects.filter(pk__gt=last_demo_child)
    assert national_children.count() == 100
    assert national_children.values("commune_id").distinct().count() > 50  # spread over the country
    donations = _national_donations()
    assert donations.count() == 1000
    assert donations.aggregate(last=Max("received_on"))["last"] < today
    assert not donations.filter(received_on__lt=today - dt.timedelta(days=YEARS * 365)).exists()
    assert len(set(donations.values_list("received_on__year", flat=True))) >= YEARS - 1
    # Receipt numbers: a gapless block per fund and year, and the fund's counter at its end.
    blocks = donations.values_list("fund_id", "receipt_year").annotate(n=Count("id"), last=Max("receipt_seq"))
    for fund_id, year, count, last in blocks:
        assert count == last == DocumentCounter.objects.get(fund_id=fund_id, series="receipt", year=year).last
    # One ledger entry per donation, with its amount; some donations went to the provinces' campaigns.
    entries = LedgerEntry.objects.filter(donation__in=donations)
    assert entries.count() == 1000
    assert entries.aggregate(s=Sum("amount"))["s"] == donations.aggregate(s=Sum("amount"))["s"]
    assert donations.filter(campaign__isnull=False, restriction="campaign").exists()


def _sums_equal_the_ledger() -> None:
    assert months_differences(connection) == []
    found = summaries_differences(connection)
    assert {"donor_years", "donor_months", "campaigns_raised", "donation_days"} <= set(found)
    assert found == dict.fromkeys(found, [])
    assert DonorYear.objects.filter(fund__code__startswith="qbtte-tinh-").exists()
    assert CampaignRaised.objects.filter(campaign__slug__startswith="trung-thu-").exists()
    call_command("ledger_months", stdout=StringIO(), stderr=StringIO())  # raises on a difference


def test_seed_demo_national_at_a_tiny_scale(settings):
    """One load (a minute), then each property of it: the load is what the data set is."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    last_demo_child = Child.objects.order_by("-pk").values_list("pk", flat=True).first()
    call_command("seed_demo", "--national", "--scale", str(SCALE), stdout=StringIO(), stderr=StringIO())
    _tree_is_national()
    _children_and_donations_are_there(last_demo_child)
    _sums_equal_the_ledger()

    # A second run finds every step's rows there and adds nothing.
    counts = (Child.objects.count(), Donation.objects.count(), AdministrativeUnit.objects.count())
    again = national_seed(scale=SCALE, say=lambda _line: None)
    assert again.processes == 1  # inside the test's transaction: one process (the others would not see it)
    assert [done for _label, _s, done in again.steps[:-1]] == [None] * 5
    assert (Child.objects.count(), Donation.objects.count(), AdministrativeUnit.objects.count()) == counts

    # The province benchmark finds the province's national funds and children, and loads nothing.
    from bench.province_data import PROVINCE_CODE, province_prepare

    prepared = province_prepare(children=50, donations=70, commune_funds=2)
    assert prepared.loads == [] and Donation.objects.count() == counts[1]
    assert not Fund.objects.filter(code__startswith="bench-").exists()
    assert prepared.province.code == PROVINCE_CODE and prepared.staff.unit_id == prepared.province.pk
    from bench.benchmarks.public_pages import province_fund  # the public pages and postings measure it

    assert province_fund() == national_funds(prepared.province)[0]

    # The national benchmark finds the data set, and its largest province's figures are measured.
    from bench.benchmarks.national import largest_province_figures, national_loaded

    assert national_loaded()
    [figures] = largest_province_figures(timezone.localdate().year)
    assert figures.target == 3 and figures.value > 0 and figures.baseline is not None
    assert " donations in the period" in figures.note

    # The check finds a sum that differs from the ledger.
    CampaignRaised.objects.filter(pk=CampaignRaised.objects.order_by("pk").first().pk).update(total=1)
    assert len(summaries_differences(connection)["campaigns_raised"]) == 2
    with pytest.raises(CommandError):
        call_command("ledger_months", stdout=StringIO(), stderr=StringIO())


def test_the_national_benchmark_says_when_the_data_set_is_not_there(settings):
    from bench.benchmarks.national import bench_national

    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    [row] = bench_national()
    assert row.passed is None and "not measured" in row.measure and "seed_demo --national" in row.measure


@pytest.mark.parametrize(
    "args",
    [("--national", "--scale", "0"), ("--national", "--scale", "1.5"), ("--scale", "0.5")],
)
def test_a_bad_scale_is_refused_before_anything_is_loaded(settings, args):
    settings.DEBUG = True
    with pytest.raises(CommandError):
        call_command("seed_demo", *args, stdout=StringIO(), stderr=StringIO())
    assert not AdministrativeUnit.objects.exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_donations_load_on_a_process_per_core(settings):
    """Outside a transaction (as `seed_demo --national` runs) the funds' donations are loaded by a
    process per core at once, each fund in its own transaction: the same data set as one process
    makes, with gapless receipt numbers and every sum equal to the ledger."""
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    last_demo_child = Child.objects.order_by("-pk").values_list("pk", flat=True).first()
    load = national_seed(scale=SCALE, say=lambda _line: None)
    assert load.processes == max(os.cpu_count() or 1, 2) > 1
    _tree_is_national()
    _children_and_donations_are_there(last_demo_child)
    _sums_equal_the_ledger()
    # The keys the processes loaded without checking them row by row are back, and were checked.
    for field in (Donation._meta.get_field("donor"), LedgerEntry._meta.get_field("donation")):
        assert [validated for _name, validated in _foreign_keys(field)] == [True]


def _foreign_keys(field) -> list[tuple[str, bool]]:
    """The foreign-key constraints of a field's column: (name, validated)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conname, c.convalidated FROM pg_constraint c JOIN pg_attribute a"
            " ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)"
            " WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND a.attname = %s",
            [field.model._meta.db_table, field.column],
        )
        return cursor.fetchall()


@postgresql_only
def test_the_foreign_keys_dropped_for_the_load_come_back_as_the_migrations_made_them():
    """The national load checks the keys every donation and entry has once after its funds, not row by
    row: they are dropped, then added back under the migrations' names and validated."""
    fields = [Donation._meta.get_field("fund"), LedgerEntry._meta.get_field("donation")]
    before = [_foreign_keys(field) for field in fields]
    assert all(len(keys) == 1 and keys[0][1] for keys in before)
    foreign_keys_drop(fields)
    assert [_foreign_keys(field) for field in fields] == [[], []]
    foreign_keys_restore(fields)
    assert [_foreign_keys(field) for field in fields] == before
    foreign_keys_restore(fields)  # nothing missing: nothing changed
    assert [_foreign_keys(field) for field in fields] == before


@postgresql_only
def test_a_row_loaded_without_its_key_checked_is_refused_when_the_key_comes_back():
    from django.db import IntegrityError, transaction

    from donations.models import Donor

    field = Donor._meta.get_field("unit")
    foreign_keys_drop([field])
    Donor.objects.create(name="Nguyễn Văn Mồ Côi", unit_id=10**9)  # no such unit: nothing checks it now
    with connection.cursor() as cursor:  # the row's other deferred checks run (as its COMMIT would)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError), transaction.atomic():
        foreign_keys_restore([field])
    assert _foreign_keys(field) == []  # not added unchecked: the next run adds it again
