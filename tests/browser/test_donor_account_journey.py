"""A logged-in donor donates on a phone and on a desktop: the form knows them, the status page copies the
account number, the amount and the reference to the clipboard and saves the VietQR code as a PNG, the
donation is on "my donations", and the public header logs them out. Without JavaScript the values stay on
the page and no dead button is shown."""

import io

import pytest
from allauth.account.models import EmailAddress
from PIL import Image
from playwright.sync_api import expect

from donations.models import BankAccount, Donation
from fund_portal.models import Role
from tests.factories import TEST_PASSWORD, DonorFactory, FundFactory, UserFactory

from .helpers import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def donor(tree):
    fund = FundFactory(unit=tree["d1"], name="Quỹ Bảo trợ trẻ em Huyện Một", code="huyen-mot")
    BankAccount.objects.create(
        fund=fund,
        bank_name="Agribank",
        bank_bin="970405",
        account_number="3509205000123",
        account_name="QUY BAO TRO TRE EM",
        is_default=True,
    )
    user = UserFactory(
        username="nhahaotam", role=Role.DONOR, email="ha@example.org", first_name="Hà", last_name="Nguyễn Thu"
    )
    EmailAddress.objects.create(user=user, email="ha@example.org", verified=True, primary=True)
    DonorFactory(unit=fund.unit, name="Nguyễn Thu Hà", user=user)
    return user


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_logged_in_donor_copies_saves_the_qr_finds_the_donation_and_logs_out(
    donor, new_context, shot, live_server, viewport, tmp_path
):
    context = new_context(viewport)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, "nhahaotam", TEST_PASSWORD)

    page.goto("/donate/")
    header = page.locator("header.site-header")
    expect(header.get_by_role("link", name="Các khoản ủng hộ của tôi")).to_be_visible()
    expect(header.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(page.locator("input[name=name]")).to_have_value("Nguyễn Thu Hà")
    expect(page.locator("input[name=email]")).to_have_value("ha@example.org")
    shot(page, "donate-prefilled")
    page.locator("label.preset", has_text="200.000").click()
    page.get_by_role("button", name="Tiếp tục để chuyển khoản").click()
    page.wait_for_url("**/donate/QBTTE*/")
    donation = Donation.objects.get()
    reference = donation.transfer_reference

    copies = [
        ("Sao chép số tài khoản", "3509205000123"),
        ("Sao chép số tiền", "200000"),
        ("Sao chép nội dung chuyển khoản", reference),
    ]
    for label, value in copies:
        button = page.get_by_role("button", name=label)
        expect(button).to_be_visible()
        button.click()
        expect(button).to_have_text("Đã sao chép")
        assert page.evaluate("navigator.clipboard.readText()") == value
    expect(page.locator("[aria-live=polite][data-copy-announcer]")).to_have_text("Đã sao chép")
    shot(page, "status-copied")

    with page.expect_download() as download:
        page.get_by_role("link", name="Lưu mã QR (ảnh PNG)").click()
    assert download.value.suggested_filename == f"vietqr-{reference}.png"
    saved = tmp_path / "qr.png"
    download.value.save_as(saved)
    image = Image.open(io.BytesIO(saved.read_bytes()))
    assert image.format == "PNG" and image.width == image.height >= 330

    header.get_by_role("link", name="Các khoản ủng hộ của tôi").click()
    page.wait_for_url("**/donate/mine/")
    expect(page.locator("table")).to_contain_text("200.000")
    expect(page.locator(f"a[href='/donate/{reference}/']")).to_be_visible()
    shot(page, "my-donations")

    page.goto("/transparency/")
    page.locator("header.site-header").get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("header.site-header").get_by_role("link", name="Đăng nhập")).to_be_visible()
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    shot(page, "logged-out")
    page.goto("/donate/mine/")
    assert "/accounts/login/" in page.url
    assert problems == []


def test_without_javascript_the_values_show_and_no_copy_button_does(donor, browser, live_server, shot):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/donate/")
        page.locator("label.preset", has_text="200.000").click()
        page.get_by_role("button", name="Tiếp tục để chuyển khoản").click()
        page.wait_for_url("**/donate/QBTTE*/")
        reference = Donation.objects.get().transfer_reference
        facts = page.locator("section.vietqr dl")
        for value in ("3509205000123", "200.000", reference):
            expect(facts).to_contain_text(value)
        expect(page.locator("button.copy-button")).to_have_count(3)
        for button in page.locator("button.copy-button").all():
            expect(button).to_be_hidden()
        expect(page.get_by_role("link", name="Lưu mã QR (ảnh PNG)")).to_be_visible()
        shot(page, "no-javascript")
    finally:
        context.close()
