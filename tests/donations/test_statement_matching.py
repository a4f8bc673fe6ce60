"""Each bank's export imported and matched: every line classified (matched and posted, left waiting with
its reason, set aside as money out or a summary row), and the same statement again changes nothing."""

import pytest
from auditlog.models import LogEntry
from django.db.models import Sum

from donations.models import (
    BankStatementLine,
    Donation,
    DonationStatus,
    LedgerEntry,
    StatementLineStatus,
)
from donations.services.donations import donation_create
from donations.services.statements import statement_import
from tests.donations.test_statement_layouts import BANKS, FORMATS, account_for, statement_rows

pytestmark = pytest.mark.django_db(transaction=False)


def pledge(fund, day, amount):
    return donation_create(
        fund=fund, amount=amount, received_on=day, kind="transfer", with_transfer_reference=True
    )


def entries(day, glued, split, short, refund):
    """A day's transfers quoting four pledges' references in the ways senders and banks write them."""
    on = f"{day:%d/%m/%Y}"
    return [
        # Glued to the next word by a truncated description.
        {
            "date": on,
            "ref": "FT26001",
            "in": "1,250,000",
            "text": f"CT DEN:0123 {glued.transfer_reference}CT tu AN",
        },
        # Split by spaces and in lower case.
        {"date": on, "ref": "FT26002", "in": "500,000", "text": "ung ho " + spaced(split.transfer_reference)},
        # Quotes a pledge but brings less than announced: waits beside it.
        {"date": on, "ref": "FT26003", "in": "150,000", "text": f"{short.transfer_reference} ung ho"},
        # Money out that quotes a pending pledge (a refund): never confirms it.
        {"date": on, "ref": "FT26004", "out": "300,000", "text": f"hoan tien {refund.transfer_reference}"},
        # No reference at all.
        {"date": on, "ref": "FT26005", "in": "75,000", "text": "ung ho tre em vung cao"},
    ]


def spaced(reference: str) -> str:
    return f"{reference[:5].lower()} {reference[5:9].lower()} {reference[9:].lower()}"


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "xls"])
@pytest.mark.parametrize("bank", BANKS)
def test_each_banks_statement_is_matched_line_by_line_and_imported_again_changes_nothing(
    fund, district_staff, yesterday, bank, file_format
):
    layout = BANKS[bank]
    account = account_for(fund, layout)
    glued, split = pledge(fund, yesterday, 1_250_000), pledge(fund, yesterday, 500_000)
    short, refund = pledge(fund, yesterday, 200_000), pledge(fund, yesterday, 300_000)
    rows = statement_rows(layout, yesterday, entries=entries(yesterday, glued, split, short, refund))

    statement = statement_import(
        bank_account=account, uploaded=FORMATS[file_format](rows), by=district_staff, name=f"a.{file_format}"
    )

    assert (statement.new_lines, statement.matched_lines, statement.known_lines) == (4, 2, 0)
    lines = {line.bank_ref: line for line in BankStatementLine.objects.all()}
    assert set(lines) == {"FT26001", "FT26002", "FT26003", "FT26005"}  # out, totals and balance skipped
    assert lines["FT26001"].status == StatementLineStatus.MATCHED and lines["FT26001"].donation_id == glued.pk
    assert lines["FT26002"].status == StatementLineStatus.MATCHED and lines["FT26002"].donation_id == split.pk
    assert (
        lines["FT26003"].status == StatementLineStatus.UNMATCHED and lines["FT26003"].candidate_id == short.pk
    )
    assert lines["FT26005"].status == StatementLineStatus.UNMATCHED and lines["FT26005"].note
    statuses = dict(Donation.objects.values_list("pk", "status"))
    assert statuses == {
        glued.pk: DonationStatus.POSTED,
        split.pk: DonationStatus.POSTED,
        short.pk: DonationStatus.PENDING,
        refund.pk: DonationStatus.PENDING,
    }
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 1_750_000

    again = statement_import(
        bank_account=account, uploaded=FORMATS[file_format](rows), by=district_staff, name=f"b.{file_format}"
    )

    assert (again.new_lines, again.matched_lines, again.known_lines) == (0, 0, 4)
    assert BankStatementLine.objects.count() == 4
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 1_750_000


def test_a_reference_that_is_no_donation_does_not_hide_the_one_glued_after_it(
    fund, district_staff, yesterday
):
    layout = BANKS["Vietcombank"]
    account = account_for(fund, layout)
    paid = pledge(fund, yesterday, 500_000)
    text = f"MA QBTTEAB23CD45 {paid.transfer_reference}UNGHO"  # a made-up code first, then the real one
    rows = statement_rows(
        layout,
        yesterday,
        entries=[{"date": f"{yesterday:%d/%m/%Y}", "ref": "FT1", "in": "500,000", "text": text}],
    )

    statement = statement_import(
        bank_account=account, uploaded=FORMATS["csv"](rows), by=district_staff, name="a.csv"
    )

    paid.refresh_from_db()
    assert statement.matched_lines == 1 and paid.status == DonationStatus.POSTED


def test_two_lines_paying_one_pledge_post_it_once_and_the_second_waits(fund, district_staff, yesterday):
    layout = BANKS["Techcombank"]
    account = account_for(fund, layout)
    paid = pledge(fund, yesterday, 500_000)
    on = f"{yesterday:%d/%m/%Y}"
    twice = [
        {"date": on, "ref": "FT1", "in": "500,000", "text": f"ung ho {paid.transfer_reference}"},
        {"date": on, "ref": "FT2", "in": "500,000", "text": f"ung ho {paid.transfer_reference}"},
    ]

    statement_import(
        bank_account=account,
        uploaded=FORMATS["xlsx"](statement_rows(layout, yesterday, entries=twice)),
        by=district_staff,
        name="a.xlsx",
    )

    lines = {line.bank_ref: line for line in BankStatementLine.objects.all()}
    assert lines["FT1"].status == StatementLineStatus.MATCHED
    assert (
        lines["FT2"].status == StatementLineStatus.UNMATCHED and paid.transfer_reference in lines["FT2"].note
    )
    assert LedgerEntry.objects.count() == 1


def test_donations_posted_by_a_statement_are_in_the_audit_trail_by_whom_and_what_changed(
    fund, district_staff, yesterday
):
    layout = BANKS["MB"]
    account = account_for(fund, layout)
    paid = pledge(fund, yesterday, 500_000)
    on = f"{yesterday:%d/%m/%Y}"
    rows = statement_rows(
        layout,
        yesterday,
        entries=[{"date": on, "ref": "FT1", "in": "500,000", "text": paid.transfer_reference}],
    )

    statement_import(bank_account=account, uploaded=FORMATS["csv"](rows), by=district_staff, name="a.csv")

    paid.refresh_from_db()
    entry = LogEntry.objects.get_for_object(paid).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == district_staff
    assert entry.changes["status"] == ["pending", "posted"]
    assert entry.changes["receipt_number"] == ["", paid.receipt_number]
    assert entry.additional_data["unit_id"] == fund.unit_id
    assert entry.object_repr == paid.receipt_number
