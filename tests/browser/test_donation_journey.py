"""Journey 1: a member of the public donates on a phone, staff import the bank statement that carries the
transfer, the donor's page shows the receipt and the transparency page counts it."""

import csv
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from donations.models import BankAccount, Donation, DonationStatus
from donations.services.donations import donation_create, donation_post
from tests.factories import TEST_PASSWORD, FundFactory, give_totp, staff

from .helpers import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def statement_csv(path, rows) -> None:
    """A bank statement in the import template's columns, as a bank's CSV export would carry it."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Ngày giao dịch", "Số tiền", "Nội dung", "Mã giao dịch"])
        writer.writerows(rows)


def money(text: str) -> int:
    """'1.500.000 ₫' -> 1500000"""
    return int(re.sub(r"\D", "", text) or 0)


def received_this_month(page) -> int:
    month = timezone.localdate().strftime("%m/%Y")
    return money(page.locator(f"tr[data-month='{month}'] td.num").first.inner_text())


def test_a_phone_donation_by_vietqr_is_matched_from_the_bank_statement_receipted_and_published(
    tree, new_context, shot, tmp_path
):
    today = timezone.localdate()
    fund = FundFactory(unit=tree["d1"], name="Quỹ Bảo trợ trẻ em Huyện Một", code="huyen-mot")
    account = BankAccount.objects.create(
        fund=fund,
        bank_name="Agribank",
        bank_bin="970405",
        account_number="3509205000123",
        account_name="QUY BAO TRO TRE EM",
        is_default=True,
    )
    donation_post(donation=donation_create(fund=fund, amount=1_000_000, received_on=today), by=None)
    lan = staff(tree["d1"], username="lan", with_totp=False)
    secret = give_totp(lan)

    donor = new_context(PHONE).new_page()
    donor.goto("/transparency/")
    before = received_this_month(donor)
    assert before == 1_000_000
    shot(donor, "transparency-before")

    donor.goto("/donate/")
    expect(donor.locator("h1")).to_have_text("Ủng hộ Quỹ")
    donor.locator("input[name=preset][value='500000']").check()
    donor.locator("input[name=display_preference][value='initials']").check()
    donor.locator("input[name=name]").fill("Trần Thị Mai")
    donor.locator("input[name=phone]").fill("0912345678")
    donor.locator("input[name=email]").fill("mai@example.org")
    donor.locator("[name=message]").fill("Chúc các em vui")
    shot(donor, "donate-form")
    donor.locator("form.donate-form button[type=submit]").click()
    donor.wait_for_url(re.compile(r"/donate/[A-Z0-9]+/$"))
    expect(donor.locator(".vietqr .qr svg")).to_be_visible()
    expect(donor.locator(".vietqr")).to_contain_text("3509205000123")
    reference = donor.locator("code.reference").inner_text().strip()
    status_url = donor.url
    assert status_url.endswith(f"/donate/{reference}/")
    expect(donor.locator("dd.status")).to_have_class(re.compile(r"status-pending"))
    shot(donor, "vietqr")
    donation = Donation.objects.get(transfer_reference=reference)
    assert (donation.amount, donation.status) == (500_000, DonationStatus.PENDING)

    statement = tmp_path / "sao-ke-agribank.csv"
    statement_csv(
        statement,
        [
            [
                today.strftime("%d/%m/%Y"),
                "500.000",
                f"CT DEN TRAN THI MAI chuyen tien {reference} ung ho",
                "FT01",
            ],
            [today.strftime("%d/%m/%Y"), "2.000.000", "Lai tien gui thang", "FT02"],
        ],
    )
    desk = new_context(DESKTOP).new_page()
    log_in(desk, "lan", TEST_PASSWORD, totp_secret=secret, shot=shot)
    desk.goto("/admin/donations/bankstatement/add/")
    desk.locator("select[name=bank_account]").select_option(str(account.pk))
    desk.locator("input[name=file]").set_input_files(statement)
    shot(desk, "statement-import")
    desk.locator("input[type=submit]").click()
    desk.wait_for_url("**/admin/donations/bankstatementline/")
    expect(desk.locator("ul.messagelist li.success")).to_have_text("2 dòng mới, 1 dòng đã khớp và ghi sổ.")
    donation.refresh_from_db()
    assert donation.status == DonationStatus.POSTED and donation.receipt_number
    transfer_line = desk.locator("#result_list tbody tr", has_text=reference)
    expect(transfer_line).to_contain_text("Đã khớp và ghi sổ")
    expect(transfer_line).to_contain_text(donation.receipt_number)
    shot(desk, "statement-lines")

    donor.goto(status_url)
    expect(donor.locator("dd.status")).to_have_class(re.compile(r"status-posted"))
    expect(donor.locator(".vietqr")).to_have_count(0)
    expect(donor.locator("p.message")).to_contain_text(donation.receipt_number)
    shot(donor, "receipt-posted")
    with donor.expect_download() as download_info:
        donor.locator(f"a[href='/donate/{reference}/receipt.pdf']").click()
    receipt = tmp_path / "bien-nhan.pdf"
    download_info.value.save_as(receipt)
    receipt_text = "".join(p.extract_text() for p in PdfReader(receipt).pages)
    assert donation.receipt_number in receipt_text

    donor.goto("/transparency/")
    assert received_this_month(donor) == before + 500_000
    shot(donor, "transparency-after")
