"""The VietQR code of a pending donation as a PNG to save on a phone: a real PNG of the code the status
page draws as SVG, from the same payload; 404 for a reference no pending donation has."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from donations.models import BankAccount
from donations.services.donations import donation_cancel, donation_post, donation_public_submit
from donations.vietqr import QR_BORDER, QR_BOX_SIZE, parse_emv, vietqr_code, vietqr_payload, vietqr_svg

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(fund):
    return BankAccount.objects.create(
        fund=fund,
        bank_name="Agribank",
        bank_bin="970405",
        account_number="3509205000123",
        account_name="QUY BAO TRO TRE EM",
        is_default=True,
    )


@pytest.fixture
def donation(fund, account):
    return donation_public_submit(fund=fund, client_token="tok-png-1", amount=750_000, donor_name="Mai")


def png_url(reference: str) -> str:
    return reverse("donations:qr_png", kwargs={"reference": reference})


def modules(image: Image.Image) -> list[list[bool]]:
    """The dark modules of a QR image, read at the centre of each module (quiet zone included)."""
    grey = image.convert("L")
    count = image.width // QR_BOX_SIZE
    centre = QR_BOX_SIZE // 2
    return [
        [grey.getpixel((x * QR_BOX_SIZE + centre, y * QR_BOX_SIZE + centre)) < 128 for x in range(count)]
        for y in range(count)
    ]


def test_the_png_is_the_qr_code_of_the_donations_payload(client, donation, account):
    response = client.get(png_url(donation.transfer_reference))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert f'filename="vietqr-{donation.transfer_reference}.png"' in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(body))
    image.verify()  # the chunks and their CRCs are whole
    image = Image.open(io.BytesIO(body))
    assert image.format == "PNG"

    payload = vietqr_payload(
        bank_bin=account.bank_bin,
        account_number=account.account_number,
        amount=750_000,
        reference=donation.transfer_reference,
    )
    tree = parse_emv(payload)
    assert tree["54"] == "750000" and tree["62"]["08"] == donation.transfer_reference
    code = vietqr_code(payload)
    side = (code.modules_count + 2 * QR_BORDER) * QR_BOX_SIZE
    assert image.size == (side, side)
    assert modules(image) == code.get_matrix()


def test_the_status_pages_svg_and_the_png_come_from_the_same_payload(client, donation, account):
    payload = vietqr_payload(
        bank_bin=account.bank_bin,
        account_number=account.account_number,
        amount=donation.amount,
        reference=donation.transfer_reference,
    )
    page = client.get(reverse("donations:status", kwargs={"reference": donation.transfer_reference}))
    html = page.content.decode()
    drawn = re.search(r'<path d="([^"]+)"', html).group(1)
    expected = re.search(r'<path d="([^"]+)"', vietqr_svg(payload)).group(1)
    assert drawn == expected
    png = Image.open(io.BytesIO(client.get(png_url(donation.transfer_reference)).content))
    assert modules(png) == vietqr_code(payload).get_matrix()
    assert f'href="{png_url(donation.transfer_reference)}"' in html and "download=" in html


def test_the_copy_buttons_carry_the_account_number_the_amount_in_digits_and_the_reference(client, donation):
    html = client.get(reverse("donations:status", kwargs={"reference": donation.transfer_reference})).content
    button = r'<button type="button" class="copy-button" hidden data-copy="([^"]+)"'
    copied = re.findall(button, html.decode())
    assert copied == ["3509205000123", "750000", donation.transfer_reference]
    assert b"js/copy-buttons.js" in html and b"<script>" not in html


@pytest.mark.parametrize("reference", ["QBTTEZZZZZZZZ", "not-a-reference", "x" * 40])
def test_an_unknown_reference_has_no_png(client, donation, reference):
    assert client.get(png_url(reference)).status_code == 404


def test_a_donation_no_longer_awaited_has_no_png(client, fund, donation):
    posted = donation_post(donation=donation, by=None)
    assert client.get(png_url(posted.transfer_reference)).status_code == 404
    other = donation_public_submit(fund=fund, client_token="tok-png-2", amount=100_000)
    donation_cancel(donation=other, by=None)
    assert client.get(png_url(other.transfer_reference)).status_code == 404


def test_the_png_is_only_read(client, donation):
    assert client.post(png_url(donation.transfer_reference)).status_code == 405
