"""Benchmarks of the donations app (issue 3): the donation list at scale, receipt numbering under load."""

import threading

from django.conf import settings
from django.db import connections
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.benchmarks import bank, donations_import  # noqa: F401  register "donation_import", "statement_import", "bank_feed"
from bench.measure import Measure, benchmark, percentile, timed
from donations.models import Donation, Fund
from donations.services.donations import donation_create, donation_post
from fund_portal.demo import DISTRICT_LOGINS, PROVINCE_LOGINS, seed_demo
from fund_portal.models import User

LIST_TARGET_MS = 200
BIG_LIST_ROWS = 1_000_000


def _staff_client(fund: Fund | None = None) -> Client:
    """A client logged in as the demo's district staff, or for `fund` as the demo's staff nearest to its
    unit whose scope holds it (the province's staff for Thanh Hóa's province fund, the largest of the
    national data set: the district's staff would list nothing)."""
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost")
    user = User.objects.get(username="canbo.huyen")
    if fund is not None:
        staff = User.objects.filter(username__in=[login[0] for login in (*DISTRICT_LOGINS, *PROVINCE_LOGINS)])
        holding = [
            u for u in staff.select_related("unit") if u.unit and fund.unit.path.startswith(u.unit.path)
        ]
        user = max(holding, key=lambda u: len(u.unit.path), default=user)
    client.force_login(user)
    return client


@benchmark("donation_list")
def bench_donation_list() -> list[Measure]:
    """The admin's donation list of the fund that has the most donations: first page and deep pages."""
    seed_demo()
    fund = Fund.objects.annotate(n=Count("donations")).order_by("-n").first()
    rows = fund.n
    client = _staff_client(fund)
    url = reverse("admin:donations_donation_changelist")
    note = f"{rows:,} donations in the fund {fund.code}".replace(",", ".")
    if rows < BIG_LIST_ROWS:
        note += f"; run `seed_demo --donations {BIG_LIST_ROWS}` for the issue's scale"
    results = []
    for label, query in (("page 1", ""), ("page 50", "&p=50"), ("page 100", "&p=100")):

        def get(query=query):
            response = client.get(f"{url}?fund__id__exact={fund.pk}{query}")
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")

        get()
        times = timed(get, repeat=20)
        results.append(
            Measure(
                f"donations: admin list {label} p95",
                round(percentile(times, 95), 1),
                "ms",
                target=LIST_TARGET_MS,
                note=note,
            )
        )
    return results


@benchmark("receipts")
def bench_concurrent_receipts() -> list[Measure]:
    """50 postings to one fund from 10 threads: 50 distinct, consecutive receipt numbers, and how fast."""
    seed_demo()
    fund = Fund.objects.get(code="qbtte-trieu-son")
    day = timezone.localdate()
    pending = [donation_create(fund=fund, amount=10_000, received_on=day) for _ in range(50)]
    errors: list[Exception] = []

    def worker(chunk):
        try:
            for donation in chunk:
                donation_post(donation=donation, by=None)
        except Exception as exc:  # noqa: BLE001  reported in the measure
            errors.append(exc)
        finally:
            connections.close_all()

    def run():
        threads = [threading.Thread(target=worker, args=(pending[i::10],)) for i in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    (elapsed,) = timed(run)
    numbers = sorted(
        Donation.objects.filter(pk__in=[d.pk for d in pending]).values_list("receipt_seq", flat=True)
    )
    consecutive = not errors and len(numbers) == 50 and numbers == list(range(numbers[0], numbers[0] + 50))
    return [
        Measure(
            "receipts: 50 concurrent postings, consecutive numbers",
            1.0 if consecutive else 0.0,
            "yes=1",
            target=1,
            bound="min",
            note=f"{len(errors)} errors",
        ),
        Measure(
            "receipts: 50 concurrent postings, throughput", round(50 / (elapsed / 1000), 1), "postings/s"
        ),
    ]
