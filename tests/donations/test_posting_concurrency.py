"""Postings to one fund at once (PostgreSQL): each waits for the one before it only at the receipt
counter, taken as the last of its writes, and the numbers stay gapless and the summaries equal the
ledger."""

import threading

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Campaign
from donations.models import DocumentCounter, DocumentSeries, Donation, DonationStatus, LedgerEntry
from donations.selectors.ledger import months_differences
from donations.services.donations import donation_create, donation_post, donation_post_many
from donations.services.numbers import receipt_number
from tests.concurrency import Call, postgresql_only
from tests.donations.test_honour_roll_triggers import from_donor_years, kept
from tests.donations.test_ledger_month import summaries_from_ledger
from tests.factories import DonorFactory

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]

#: Posters of three donations each: the first posts them together, the others' are posted one a thread.
POSTERS = 8


def test_postings_at_once_are_numbered_without_a_gap_and_every_summary_equals_the_ledger(
    fund, district_staff, yesterday
):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Trung thu", slug="trung-thu", unit=fund.unit, starts_on=yesterday, ends_on=today
    )
    donors = [DonorFactory(unit=fund.unit, name=f"Nhà hảo tâm {n}") for n in range(3)]
    batches = [
        [
            donation_create(
                fund=fund,
                amount=100_000 * (n + 1) + k,
                received_on=yesterday,
                donor=donors[(n + k) % 3] if k != 2 else None,
                campaign=campaign if n % 2 else None,
            )
            for k in range(3)
        ]
        for n in range(POSTERS)
    ]
    posts = [batches[0]] + [[donation] for batch in batches[1:] for donation in batch]
    start = threading.Barrier(len(posts))

    def poster(batch):
        def post():
            start.wait(timeout=20)
            if len(batch) > 1:  # one poster posts its three as a statement does, the others one by one
                return donation_post_many(
                    donations=batch, by=district_staff, received_on={batch[0].pk: today}
                )
            return [donation_post(donation=batch[0], by=district_staff)]

        return post

    calls = [Call(poster(batch)) for batch in posts]
    for call in calls:
        call.start()
    for call in calls:
        call.join(timeout=60)

    assert [call.error for call in calls] == [None] * len(calls)
    posted = Donation.objects.filter(fund=fund, status=DonationStatus.POSTED)
    assert sorted(posted.values_list("receipt_seq", flat=True)) == list(range(1, 3 * POSTERS + 1))
    for donation in posted:
        assert donation.receipt_number == receipt_number(fund.code, today.year, donation.receipt_seq)
        (entry,) = LedgerEntry.objects.filter(donation=donation)
        assert entry.description.endswith(f" {donation.receipt_number}")
        assert (entry.amount, entry.entry_date) == (donation.amount, donation.received_on)
        (trail,) = LogEntry.objects.get_for_object(donation).filter(action=LogEntry.Action.UPDATE)
        assert (trail.object_repr, trail.changes_dict["receipt_number"][1]) == (donation.receipt_number,) * 2
    assert Donation.objects.get(pk=batches[0][0].pk).received_on == today
    # The poster of three got one block of three, in the order it gave them.
    seqs = [Donation.objects.get(pk=d.pk).receipt_seq for d in batches[0]]
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    assert DocumentCounter.objects.get(fund=fund, series=DocumentSeries.RECEIPT, year=today.year).last == 24
    assert months_differences(connection) == []
    expected, kept_summaries = summaries_from_ledger()
    assert kept_summaries == expected and expected[1]  # the campaign's total among them
    assert kept() == from_donor_years()


def test_a_posting_takes_the_receipt_counter_in_its_last_statement_before_the_commit(
    fund, district_staff, yesterday
):
    """What every other posting of the fund waits for: the counter's statement (which also numbers the
    donations and writes them, their ledger entries and their audit trail) and the commit."""
    donation_post(donation=donation_create(fund=fund, amount=50_000, received_on=yesterday), by=None)
    pending = donation_create(fund=fund, amount=70_000, received_on=yesterday)

    with CaptureQueriesContext(connection) as queries:
        donation_post(donation=pending, by=district_staff)

    statements = [query["sql"] for query in queries.captured_queries]
    first = next(n for n, sql in enumerate(statements) if "donations_documentcounter" in sql)
    assert "donations_ledgerentry" in statements[first] and "auditlog_logentry" in statements[first]
    assert statements[first + 1] == "COMMIT"
    pending.refresh_from_db()
    (entry,) = LogEntry.objects.get_for_object(pending).filter(action=LogEntry.Action.UPDATE)
    assert entry.object_repr == pending.receipt_number
    assert entry.changes_dict["receipt_number"] == ["", pending.receipt_number]
    assert entry.changes_dict["status"] == ["pending", "posted"]
    assert entry.actor == district_staff


def test_receipt_numbers_past_a_million_read_as_python_writes_them(fund, district_staff, yesterday):
    year = timezone.localdate().year
    DocumentCounter.objects.create(fund=fund, series=DocumentSeries.RECEIPT, year=year, last=999_998)
    pending = [donation_create(fund=fund, amount=10_000, received_on=yesterday) for _ in range(2)]

    posted = donation_post_many(donations=pending, by=district_staff)

    stored = {d.pk: d.receipt_number for d in Donation.objects.filter(pk__in=[d.pk for d in pending])}
    assert [stored[d.pk] for d in posted] == [d.receipt_number for d in posted]
    assert [d.receipt_number for d in posted] == [
        f"{fund.code.upper()}-{year}-999999",
        f"{fund.code.upper()}-{year}-1000000",
    ]
