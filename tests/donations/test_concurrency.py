"""Money posted at the same time from several paths: nothing twice, no deadlock, no 500."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from donations.imports.donations import donations_import
from donations.models import (
    BankAccount,
    BankStatementLine,
    Donation,
    DonationStatus,
    LedgerEntry,
    StatementLineStatus,
)
from donations.services.donations import donation_create, donation_post
from donations.services.statements import line_post_as_new, statement_import
from tests.concurrency import hold_then_race, postgresql_only
from tests.donations.test_importing import line, xlsx
from tests.donations.test_reconciliation import csv_file

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


@pytest.fixture
def account(fund):
    return BankAccount.objects.create(
        fund=fund,
        bank_name="Agribank",
        bank_bin="970405",
        account_number="3509205000123",
        account_name="QUY BTTE",
        is_default=True,
    )


def announced(fund, day, amount):
    return donation_create(
        fund=fund, amount=amount, received_on=day, kind="transfer", with_transfer_reference=True
    )


def test_an_import_and_postings_to_the_same_fund_finish_without_a_deadlock(
    fund, account, district_staff, yesterday
):
    """The import holds the fund's receipt counter until it commits, and its foreign-key checks then
    take a share lock on the fund row; a posting waiting for the counter must not hold that row."""
    by_hand, by_statement = announced(fund, yesterday, 120_000), announced(fund, yesterday, 80_000)
    statement = csv_file([(yesterday.strftime("%d/%m/%Y"), "80.000", by_statement.transfer_reference, "FT7")])
    rows = [line(f"PT-{n:03d}", amount="100.000") for n in range(1, 31)]

    calls = hold_then_race(
        lambda: donations_import(uploaded=xlsx(rows), by=district_staff, dry_run=False, name="ung-ho.xlsx"),
        lambda: donation_post(donation=by_hand, by=district_staff),
        lambda: statement_import(bank_account=account, uploaded=statement, by=district_staff, name="s.csv"),
    )

    assert [call.error for call in calls] == [None, None, None]
    assert calls[0].result.written and calls[2].result.matched_lines == 1
    posted = Donation.objects.filter(fund=fund, status=DonationStatus.POSTED)
    assert sorted(posted.values_list("receipt_seq", flat=True)) == list(range(1, 33))
    assert LedgerEntry.objects.filter(fund=fund).aggregate(total=Sum("amount"))["total"] == 3_200_000


def test_two_imports_of_the_same_new_statement_store_its_lines_once_and_both_answer(
    fund, account, district_staff, yesterday
):
    pending = announced(fund, yesterday, 500_000)
    rows = [
        (yesterday.strftime("%d/%m/%Y"), "500.000", f"ung ho {pending.transfer_reference}", "FT1"),
        (yesterday.strftime("%d/%m/%Y"), "300.000", "Nguyen Van B ung ho tre em", "FT2"),
    ]
    content = csv_file(rows).getvalue()

    def over_http():
        client = Client()
        client.force_login(district_staff)
        file = io.BytesIO(content)
        file.name = "sao-ke.csv"
        return client.post(
            reverse("admin:donations_bankstatement_add"),
            {"bank_account": account.pk, "file": file},
            follow=True,
        )

    first, second = hold_then_race(
        lambda: statement_import(
            bank_account=account, uploaded=io.BytesIO(content), by=district_staff, name="a.csv"
        ),
        over_http,
    )

    assert first.error is None and second.error is None
    assert (first.result.new_lines, first.result.matched_lines) == (2, 1)
    assert second.result.status_code == 200
    shown = [str(message) for message in second.result.context["messages"]]
    assert shown == ["0 dòng mới, 0 dòng đã khớp và ghi sổ; 2 dòng đã có từ trước."]
    assert BankStatementLine.objects.count() == 2
    assert Donation.objects.filter(status=DonationStatus.POSTED).count() == 1


def test_two_clicks_on_post_as_new_post_the_transfer_once(fund, account, district_staff, yesterday):
    rows = [(yesterday.strftime("%d/%m/%Y"), "300.000", "Nguyen Van B ung ho tre em", "FT2")]
    statement_import(bank_account=account, uploaded=csv_file(rows), by=district_staff, name="a.csv")
    waiting = BankStatementLine.objects.get()
    # Each click holds the line as its page showed it: waiting.
    first_click, second_click = BankStatementLine.objects.get(), BankStatementLine.objects.get()

    first, second = hold_then_race(
        lambda: line_post_as_new(line=first_click, by=district_staff),
        lambda: line_post_as_new(line=second_click, by=district_staff),
    )

    assert first.error is None
    assert isinstance(second.error, ValidationError)
    assert "FT2 đã được ghi sổ" in second.error.messages[0]
    waiting.refresh_from_db()
    assert waiting.status == StatementLineStatus.POSTED_NEW and waiting.donation == first.result
    assert Donation.objects.count() == 1
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 300_000
