"""The postings benchmark (issue 20) on a tiny province, PostgreSQL only: separate processes post
through `donation_post` (each its own connection, which SQLite's in-memory test database cannot
share), alone and beside an import rolled back; the appeal night serves pages behind gunicorn while a
side process posts each second."""

import shutil

import pytest
from django.db import connection

from bench.benchmarks.postings import appeal_night_measures, postings_measures, province_staff
from bench.benchmarks.public_pages import province_fund
from bench.province_data import province_prepare
from donations.models import Donation, DonationStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the posting processes need a database they can share"
    ),
]


@pytest.fixture
def province():
    prepared = province_prepare(children=20, donations=200, commune_funds=1)
    return province_fund(), prepared.staff


def test_processes_post_alone_and_beside_an_import_with_every_error_counted(province):
    fund, staff = province
    other = fund.__class__.objects.exclude(pk=fund.pk).get(unit__path__startswith=fund.unit.path)
    before = Donation.objects.filter(fund=other).count()

    rows = postings_measures(
        fund, other, by=staff, processes=4, per_process=2, per_process_max=5, import_rows=200
    )

    names = [row.measure for row in rows]
    assert names == [
        f"postings: 4 processes {case}, {what}"
        for case in ("alone", "while a 200-row import runs")
        for what in ("throughput", "p95", "errors")
    ]
    alone, during = rows[:3], rows[3:]
    assert alone[0].value > 0 and alone[0].target is None and "8 postings" in alone[0].note
    assert during[0].target == 100 and during[0].baseline == alone[0].value
    assert alone[2].value == 0 and during[2].value == 0 and during[2].target == 0
    assert "the import to" in during[0].note and "200 rows, rolled back" in during[0].note
    assert Donation.objects.filter(fund=other).count() == before  # the import rolled back
    posted = Donation.objects.filter(fund=fund, status=DonationStatus.POSTED, amount=100_000)
    assert posted.count() >= 8 + 4
    assert province_staff() == staff


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed")
def test_the_appeal_night_serves_home_and_campaign_while_postings_arrive(province):
    fund, staff = province

    rows = appeal_night_measures(fund, by=staff, seconds=1)

    assert [row.measure for row in rows] == [
        "appeal night: bare view throughput",
        "appeal night: home throughput",
        "appeal night: home p99",
        "appeal night: campaign throughput",
        "appeal night: campaign p99",
        "appeal night: posting errors",
    ]
    assert all(row.value > 0 for row in rows[:-1])
    assert rows[2].target == 500 and rows[1].baseline == rows[0].value
    assert rows[-1].value == 0 and "postings meanwhile" in rows[0].note
