"""Bank statements: transfers are matched to pending donations by reference, once, whatever the file type."""

import importlib
import io
import time

import openpyxl
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.db.models.functions import Lower

from donations.models import (
    BankAccount,
    BankStatementLine,
    Donation,
    DonationStatus,
    LedgerEntry,
    StatementLineStatus,
)
from donations.services.donations import donation_create
from donations.services.statements import line_post_as_new, line_post_to, statement_import
from donations.tasks import receipt_email_task

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


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker_test
def test_a_transfer_with_the_reference_posts_the_donation_and_a_worker_emails_the_receipt(
    celery_app, celery_worker, account, pending, district_staff, yesterday
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
    statement = statement_import(bank_account=account, uploaded=file, by=district_staff, name="sao-ke.csv")
    pending.refresh_from_db()
    assert pending.status == DonationStatus.POSTED and pending.receipt_number
    assert (statement.new_lines, statement.matched_lines) == (1, 1)
    line = BankStatementLine.objects.get()
    assert line.status == StatementLineStatus.MATCHED and line.donation == pending
    assert receipt_email_task.name in celery_worker.app.tasks  # imported above: the worker knows it
    give_up = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < give_up:
        time.sleep(0.2)  # the worker runs in a thread of this process and writes to the same outbox
    assert len(mail.outbox) == 1 and pending.receipt_number in mail.outbox[0].body
    assert mail.outbox[0].to == ["mai@example.org"]
    assert mail.outbox[0].attachments[0][0] == f"bien-lai-{pending.receipt_number}.pdf"


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


def test_a_re_exported_statement_adds_no_line_and_posts_nothing_twice(
    account, pending, district_staff, yesterday
):
    day = yesterday.strftime("%d/%m/%Y")
    first_export = [
        (day, "500.000", f"CT DEN:0123 ung ho {pending.transfer_reference}", "FT26111001"),
        (day, "300.000", "Nguyen Van B ung ho tre em", "FT26111002"),
        (day, "177.000", "chuyen tien", "FT26111003"),
    ]
    statement_import(bank_account=account, uploaded=csv_file(first_export), by=district_staff, name="a.csv")
    line_post_as_new(line=BankStatementLine.objects.get(bank_ref="FT26111002"), by=district_staff)
    # The bank's export of the same days, made again: descriptions respaced and recased, the
    # transaction numbers the same (one of them typed with a space and in lower case).
    second_export = [
        (day, "500.000", f"CT DEN:0123 UNG HO {spaced(pending.transfer_reference)}", "FT26111001"),
        (day, "300.000", "NGUYEN VAN B  UNG HO TRE EM", "ft26111 002"),
        (day, "177.000", "Chuyen  Tien", "FT26111003"),
    ]

    again = statement_import(
        bank_account=account, uploaded=xlsx_file(second_export), by=district_staff, name="a (1).xlsx"
    )

    assert (again.new_lines, again.matched_lines, again.known_lines) == (0, 0, 3)
    assert BankStatementLine.objects.count() == 3
    assert Donation.objects.filter(status=DonationStatus.POSTED).count() == 2
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 800_000


def test_a_statement_without_transaction_numbers_keeps_its_older_identity(account, district_staff, yesterday):
    rows = [(yesterday.strftime("%d/%m/%Y"), "200.000", "ung ho quy")]
    header = ("Ngày giao dịch", "Số tiền", "Nội dung")
    statement_import(bank_account=account, uploaded=csv_file(rows, header), by=district_staff, name="a.csv")
    again = statement_import(
        bank_account=account, uploaded=csv_file(rows, header), by=district_staff, name="a.csv"
    )
    other_day = statement_import(
        bank_account=account,
        uploaded=csv_file([(yesterday.strftime("%d/%m/%Y"), "200.000", "ung ho quy lan hai")], header),
        by=district_staff,
        name="b.csv",
    )
    assert (again.new_lines, again.known_lines, other_day.new_lines) == (0, 1, 1)
    assert BankStatementLine.objects.count() == 2


@pytest.mark.parametrize("how", ["matched", "posted_new"])
def test_post_as_new_refuses_a_transfer_already_posted(account, pending, district_staff, yesterday, how):
    rows = [(yesterday.strftime("%d/%m/%Y"), "500.000", "ung ho khong ghi ma", "FT9")]
    statement_import(bank_account=account, uploaded=csv_file(rows), by=district_staff, name="a.csv")
    as_shown = BankStatementLine.objects.get()  # what a second page, opened before, still shows
    if how == "matched":
        first = line_post_to(line=BankStatementLine.objects.get(), donation=pending, by=district_staff)
    else:
        first = line_post_as_new(line=BankStatementLine.objects.get(), by=district_staff)
    first.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        line_post_as_new(line=as_shown, by=district_staff)

    assert error.value.code == "already_posted"
    assert error.value.messages == [
        f"Giao dịch ngân hàng FT9 đã được ghi sổ (biên lai {first.receipt_number}); không ghi sổ lần nữa."
    ]
    assert Donation.objects.filter(status=DonationStatus.POSTED).count() == 1
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 500_000
    with pytest.raises(ValidationError):  # nor matched again to another donation
        other = donation_create(fund=account.fund, amount=500_000, received_on=yesterday, kind="transfer")
        line_post_to(line=as_shown, donation=other, by=district_staff)
    assert Donation.objects.filter(status=DonationStatus.POSTED).count() == 1


def test_the_migration_leaves_one_line_per_bank_transaction_and_sets_aside_the_copies(
    account, pending, district_staff, yesterday
):
    from django.apps import apps

    migration = importlib.import_module("donations.migrations.0014_statement_line_bank_ref_once")
    day = yesterday.strftime("%d/%m/%Y")
    # Stored by the import before the change: the same transactions written two ways.
    statement_import(
        bank_account=account,
        uploaded=csv_file(
            [(day, "500.000", f"ung ho {pending.transfer_reference}", "ft 1"), (day, "9.000", "x", "ft 2")]
        ),
        by=district_staff,
        name="a.csv",
    )
    BankStatementLine.objects.update(bank_ref=Lower("bank_ref"))
    BankStatementLine.objects.filter(bank_ref="ft2").update(bank_ref="ft 2")
    statement_import(
        bank_account=account,
        uploaded=csv_file(
            [(day, "500.000", f"UNG HO {pending.transfer_reference}", "FT1"), (day, "9.000", "X", "FT2")]
        ),
        by=district_staff,
        name="b.csv",
    )
    assert BankStatementLine.objects.count() == 4

    migration.forward(apps, None)

    matched = BankStatementLine.objects.get(bank_ref="FT1")
    assert matched.status == StatementLineStatus.MATCHED and matched.donation == pending
    kept = BankStatementLine.objects.get(bank_ref="FT2")
    assert kept.status == StatementLineStatus.UNMATCHED and kept.description == "x"
    copies = BankStatementLine.objects.filter(bank_ref="")
    assert [line.status for line in copies] == [StatementLineStatus.IGNORED] * 2
    assert {line.note.split(";")[0] for line in copies} == {
        f"Giao dịch ngân hàng FT1 là dòng số {matched.pk}",
        f"Giao dịch ngân hàng FT2 là dòng số {kept.pk}",
    }


def test_matching_by_hand_a_line_already_posted_answers_with_the_form_and_posts_nothing(
    client, account, pending, district_staff, yesterday
):
    from django.urls import reverse

    rows = [(yesterday.strftime("%d/%m/%Y"), "500.000", f"ung ho {pending.transfer_reference}", "FT1")]
    statement_import(bank_account=account, uploaded=csv_file(rows), by=district_staff, name="a.csv")
    other = donation_create(fund=account.fund, amount=500_000, received_on=yesterday, kind="transfer")
    line = BankStatementLine.objects.get()
    client.force_login(district_staff)

    response = client.post(
        reverse("admin:donations_bankstatementline_change", args=[line.pk]), {"match_with": other.pk}
    )

    assert response.status_code == 200
    pending.refresh_from_db()
    assert response.context["adminform"].form.errors["match_with"] == [
        f"Giao dịch ngân hàng FT1 đã được ghi sổ (biên lai {pending.receipt_number}); không ghi sổ lần nữa."
    ]
    other.refresh_from_db()
    assert other.status == DonationStatus.PENDING
    assert BankStatementLine.objects.get().donation_id == pending.pk
