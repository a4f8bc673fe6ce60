"""Bank statements: transfers are matched to pending donations by reference, once, whatever the file type."""

import io

import openpyxl
import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from donations.models import BankAccount, BankStatementLine, Donation, DonationStatus, StatementLineStatus
from donations.reconciliation import statement_import
from donations.services import donation_create

pytestmark = pytest.mark.django_db(transaction=False)


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


@pytest.fixture
def pending(fund, yesterday):
    return donation_create(
        fund=fund,
        amount=500_000,
        received_on=yesterday,
        kind="transfer",
        with_transfer_reference=True,
        donor_email="mai@example.org",
    )


def csv_file(rows, header=("Ngày giao dịch", "Số tiền", "Nội dung", "Mã giao dịch")) -> io.BytesIO:
    lines = [",".join(header)] + [",".join(f'"{c}"' for c in row) for row in rows]
    return io.BytesIO("\n".join(lines).encode("utf-8"))


def xlsx_file(rows, header=("Ngày giao dịch", "Số tiền", "Nội dung", "Mã giao dịch")) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def spaced(reference: str) -> str:
    """The reference as a sender might type it: lower case, split by spaces."""
    return f"{reference[:5].lower()} {reference[5:9].lower()} {reference[9:]}"


def test_a_transfer_with_the_reference_posts_the_donation_and_emails_the_receipt(
    account, pending, district_staff, yesterday, django_capture_on_commit_callbacks
):
    file = csv_file(
        [
            (
                yesterday.strftime("%d/%m/%Y"),
                "500.000",
                f"CT DEN:0123 TRAN THI MAI chuyen tien {spaced(pending.transfer_reference)} ung ho quy",
                "FT2611",
            )
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        statement = statement_import(
            bank_account=account, uploaded=file, by=district_staff, name="sao-ke.csv"
        )
    pending.refresh_from_db()
    assert pending.status == DonationStatus.POSTED and pending.receipt_number
    assert (statement.new_lines, statement.matched_lines) == (1, 1)
    line = BankStatementLine.objects.get()
    assert line.status == StatementLineStatus.MATCHED and line.donation == pending
    assert len(mail.outbox) == 1 and pending.receipt_number in mail.outbox[0].body
    assert mail.outbox[0].to == ["mai@example.org"]


def test_importing_the_same_statement_twice_changes_nothing(account, pending, district_staff, yesterday):
    rows = [
        (yesterday.strftime("%d/%m/%Y"), "500000", f"ung ho {pending.transfer_reference}", "FT1"),
        (yesterday.strftime("%d/%m/%Y"), "200000", "ung ho quy khong ghi ma", "FT2"),
    ]
    statement_import(bank_account=account, uploaded=xlsx_file(rows), by=district_staff, name="a.xlsx")
    second = statement_import(
        bank_account=account, uploaded=xlsx_file(rows), by=district_staff, name="a.xlsx"
    )
    assert (second.new_lines, second.matched_lines) == (0, 0)
    assert BankStatementLine.objects.count() == 2
    assert Donation.objects.filter(status=DonationStatus.POSTED).count() == 1


def test_unmatched_lines_wait_with_a_reason(account, pending, district_staff, yesterday):
    rows = [
        (yesterday.strftime("%d/%m/%Y"), "450.000", f"{pending.transfer_reference}", "FT1"),
        (yesterday.strftime("%d/%m/%Y"), "100.000", "QBTTE9Z9Z9Z9Z", "FT2"),
        (yesterday.strftime("%d/%m/%Y"), "300.000", "ung ho tre em", "FT3"),
    ]
    statement_import(bank_account=account, uploaded=csv_file(rows), by=district_staff, name="b.csv")
    lines = BankStatementLine.objects.order_by("bank_ref")
    assert [line.status for line in lines] == [StatementLineStatus.UNMATCHED] * 3
    assert "450.000 ₫" in lines[0].note and "500.000 ₫" in lines[0].note
    pending.refresh_from_db()
    assert pending.status == DonationStatus.PENDING


def test_debit_lines_are_left_out(account, district_staff, yesterday):
    rows = [(yesterday.strftime("%d/%m/%Y"), "", "phi dich vu", "FT9")]
    statement = statement_import(
        bank_account=account, uploaded=csv_file(rows), by=district_staff, name="c.csv"
    )
    assert statement.new_lines == 0


@pytest.mark.parametrize(
    "content,code",
    [
        (b"", "empty"),
        (b"%PDF-1.7 not a spreadsheet", None),
        (b"PK\x03\x04 not really a zip", "bad_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "xls"),
    ],
)
def test_a_file_that_is_not_a_statement_is_refused_and_nothing_is_written(
    account, district_staff, content, code
):
    with pytest.raises(ValidationError) as error:
        statement_import(bank_account=account, uploaded=io.BytesIO(content), by=district_staff, name="x.xlsx")
    if code:
        assert error.value.code == code
    assert not BankStatementLine.objects.exists()


def test_bad_rows_are_all_reported_with_their_row_numbers_and_nothing_is_written(
    account, district_staff, yesterday
):
    rows = [
        (yesterday.strftime("%d/%m/%Y"), "500000", "ok", "FT1"),
        ("31/02/2026", "100000", "ngay sai", "FT2"),
        (yesterday.strftime("%d/%m/%Y"), "1.000,50", "so tien sai", "FT3"),
        ("01/01/2099", "100000", "tuong lai", "FT4"),
    ]
    with pytest.raises(ValidationError) as error:
        statement_import(bank_account=account, uploaded=csv_file(rows), by=district_staff, name="d.csv")
    text = " ".join(error.value.messages)
    assert all(f" {n}:" in text for n in (3, 4, 5)) and " 2:" not in text
    assert not BankStatementLine.objects.exists()


def test_a_file_without_the_needed_columns_says_which(account, district_staff):
    file = csv_file([("a", "b")], header=("Cột A", "Cột B"))
    with pytest.raises(ValidationError) as error:
        statement_import(bank_account=account, uploaded=file, by=district_staff, name="e.csv")
    assert "Ngày giao dịch" in error.value.messages[0]


def test_staff_import_a_statement_in_the_admin_and_post_a_waiting_line(
    client, account, pending, district_staff, yesterday
):
    from django.urls import reverse

    rows = [
        (yesterday.strftime("%d/%m/%Y"), "500.000", f"MBVCB {pending.transfer_reference}", "FT1"),
        (yesterday.strftime("%d/%m/%Y"), "300.000", "Nguyen Van B ung ho tre em", "FT2"),
    ]
    file = csv_file(rows)
    file.name = "sao-ke-thang-11.csv"
    client.force_login(district_staff)
    response = client.post(
        reverse("admin:donations_bankstatement_add"), {"bank_account": account.pk, "file": file}, follow=True
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == DonationStatus.POSTED
    waiting = BankStatementLine.objects.get(status=StatementLineStatus.UNMATCHED)
    client.post(
        reverse("admin:donations_bankstatementline_changelist"),
        {"action": "post_as_new", "_selected_action": [waiting.pk]},
        follow=True,
    )
    waiting.refresh_from_db()
    assert waiting.status == StatementLineStatus.POSTED_NEW and waiting.donation.amount == 300_000


def test_a_bad_file_in_the_admin_shows_the_error_and_writes_nothing(client, account, district_staff):
    from django.urls import reverse

    file = io.BytesIO(b"%PDF-1.4 binary\x00\x01")
    file.name = "sao-ke.xlsx"
    client.force_login(district_staff)
    response = client.post(
        reverse("admin:donations_bankstatement_add"), {"bank_account": account.pk, "file": file}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not BankStatementLine.objects.exists()
