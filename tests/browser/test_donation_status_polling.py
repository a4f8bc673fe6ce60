"""The status page of a pending donation follows the donation by itself: a donor who has just paid sees
the receipt appear without reloading, on a phone and on a desktop at once; without JavaScript the page
offers a link to check again, and a page left open gives up asking after half an hour."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from donations.models import BankAccount
from donations.services.donations import donation_cancel, donation_post, donation_public_submit
from tests.factories import FundFactory

from .helpers import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def pending(tree):
    fund = FundFactory(unit=tree["d1"], name="Quỹ Bảo trợ trẻ em Huyện Một", code="huyen-mot")
    BankAccount.objects.create(
        fund=fund,
        bank_name="Agribank",
        bank_bin="970405",
        account_number="3509205000123",
        account_name="QUY BAO TRO TRE EM",
        is_default=True,
    )
    return donation_public_submit(
        fund=fund,
        client_token="tok-browser-polling",
        amount=500_000,
        donor_name="Trần Thị Mai",
        donor_phone="0912345678",
        donor_email="mai@example.org",
    )


def open_status(context, donation):
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.location.get("url", "").endswith("/favicon.ico")  # the site has none
            and problems.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"/donate/{donation.transfer_reference}/")
    return page, problems


def test_the_receipt_appears_on_the_open_status_page_once_the_donation_is_posted(pending, new_context, shot):
    phone, phone_problems = open_status(new_context(PHONE), pending)
    desk, desk_problems = open_status(new_context(DESKTOP), pending)
    for page in (phone, desk):
        expect(page.locator("dd.status")).to_have_text("Chờ nhận tiền")
        expect(page.locator(".vietqr .qr svg")).to_be_visible()
        # The script asks by itself: the link to check by hand is for pages without it.
        expect(page.locator("[data-check-again]")).to_be_hidden()
        page.evaluate("window.notReloaded = true")
    shot(phone, "pending-phone")
    shot(desk, "pending-desktop")

    donation = donation_post(donation=pending, by=None)

    receipt_url = f"/donate/{pending.transfer_reference}/receipt.pdf"
    for page in (phone, desk):
        # The first question is asked 3 s after the page opened.
        expect(page.locator("dd.status")).to_have_text("Đã ghi sổ và cấp biên lai", timeout=12_000)
        expect(page.locator("dd.status")).to_have_class(re.compile(r"status-posted"))
        expect(page.locator("dd[data-receipt-number]")).to_have_text(donation.receipt_number)
        expect(page.locator("dd[data-receipt-number]")).to_be_visible()
        live = page.locator("[role=status]")
        expect(live.locator("p.message")).to_have_text(
            f"Xin cảm ơn bạn! Khoản ủng hộ của bạn đã được ghi sổ với biên lai số {donation.receipt_number}."
        )
        expect(live.locator("a.button")).to_have_attribute("href", receipt_url)
        expect(live.locator("a.button")).to_have_text("Tải biên lai (PDF)")
        # No QR code to pay twice with, and no link to check again.
        expect(page.locator(".vietqr")).to_have_count(0)
        expect(page.locator("[data-check-again]")).to_have_count(0)
        assert page.evaluate("window.notReloaded") is True
    shot(phone, "posted-phone")
    shot(desk, "posted-desktop")

    with phone.expect_download() as download:
        phone.locator("[role=status] a.button").click()
    assert download.value.suggested_filename == f"bien-lai-{donation.receipt_number}.pdf"
    assert phone_problems == [] and desk_problems == []


def test_a_cancelled_donation_loses_its_qr_code_on_the_open_page(pending, new_context):
    page, problems = open_status(new_context(PHONE), pending)
    expect(page.locator(".vietqr .qr svg")).to_be_visible()
    donation_cancel(donation=pending, by=None)
    expect(page.locator("dd.status")).to_have_text("Đã huỷ", timeout=12_000)
    expect(page.locator(".vietqr")).to_have_count(0)
    expect(page.locator("[role=status]")).to_have_text("Đã huỷ")  # announced, not shown twice
    expect(page.locator("[role=status] a")).to_have_count(0)
    expect(page.locator("dd[data-receipt-number]")).to_be_hidden()
    assert problems == []


def test_without_javascript_the_pending_page_links_to_check_again(pending, browser, live_server, shot):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/donate/{pending.transfer_reference}/")
        check_again = page.locator("[data-check-again]")
        expect(check_again).to_be_visible()
        expect(check_again).to_contain_text("Bạn đã chuyển khoản?")
        shot(page, "pending-without-javascript")
        donation_post(donation=pending, by=None)
        check_again.get_by_role("link", name="Kiểm tra lại trạng thái").click()
        expect(page.locator("dd.status")).to_have_text("Đã ghi sổ và cấp biên lai")
    finally:
        context.close()


def paused_status_page(context, donation):
    """The status page with its time standing still but for the test's moves (fetches take real time)."""
    page = context.new_page()
    page.clock.install(time=START)
    page.clock.pause_at(START + dt.timedelta(seconds=1))
    asked = []
    page.on("request", lambda request: "status.json" in request.url and asked.append(request.url))
    page.goto(f"/donate/{donation.transfer_reference}/")
    return page, asked


def advance(page, ms: int | str, *, asks: bool = False) -> None:
    """Move the page's clock on; when a question falls due, wait for its answer and its handling."""
    if not asks:
        page.clock.run_for(ms)
        return
    with page.expect_response(re.compile(r"status\.json")):
        page.clock.run_for(ms)
    page.wait_for_timeout(200)  # real time: the script schedules its next question on the answer


def set_hidden(page, hidden: bool) -> None:
    """What the browser does when the donor switches to another tab or app, and back."""
    page.evaluate(
        """hidden => {
            Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def test_a_page_left_open_asks_less_and_less_often_and_gives_up_after_half_an_hour(pending, new_context):
    page, asked = paused_status_page(new_context(PHONE), pending)
    expect(page.locator("[data-check-again]")).to_be_hidden()

    # Every 3 s, then 4.5 s, then 6.75 s...: each step stops 100 ms short of a question, then passes it.
    expected = 0
    steps = ((2_900, False), (200, True), (4_400, False), (200, True), (6_650, False), (200, True))
    for delay, asks in steps:
        advance(page, delay, asks=asks)
        expected += asks
        assert len(asked) == expected, (delay, asked)

    with page.expect_response(re.compile(r"status\.json")):
        page.clock.fast_forward("30:00")
    expect(page.locator("[data-check-again]")).to_be_visible()
    advance(page, "10:00")
    page.wait_for_timeout(300)
    assert len(asked) == 4  # the one question past the half hour, then none
    expect(page.locator("dd.status")).to_have_text("Chờ nhận tiền")


def test_a_hidden_tab_stops_asking_and_asks_at_once_when_shown_again(pending, new_context):
    page, asked = paused_status_page(new_context(PHONE), pending)
    set_hidden(page, True)
    advance(page, "01:00")
    page.wait_for_timeout(300)
    assert asked == []

    donation = donation_post(donation=pending, by=None)
    with page.expect_response(re.compile(r"status\.json")):
        set_hidden(page, False)  # back from the banking app
    expect(page.locator("dd[data-receipt-number]")).to_have_text(donation.receipt_number)
    advance(page, "05:00")
    page.wait_for_timeout(300)
    assert len(asked) == 1  # posted: nothing more to ask


def test_a_page_that_gave_up_asks_again_when_shown_again(pending, new_context):
    page, asked = paused_status_page(new_context(PHONE), pending)
    with page.expect_response(re.compile(r"status\.json")):
        page.clock.fast_forward("31:00")
    expect(page.locator("[data-check-again]")).to_be_visible()
    set_hidden(page, True)
    with page.expect_response(re.compile(r"status\.json")):
        set_hidden(page, False)
    expect(page.locator("[data-check-again]")).to_be_hidden()
    page.wait_for_timeout(200)
    advance(page, 2_900)
    advance(page, 200, asks=True)  # from 3 s again
    assert len(asked) == 3
