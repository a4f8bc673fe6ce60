"""The public donation flow: a pending donation with a unique reference and a VietQR code."""

import pytest
from django.urls import reverse

from donations.models import BankAccount, Donation, DonationStatus, RestrictionKind
from donations.services.donations import donation_post
from donations.vietqr import parse_emv

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_fund(fund):
    BankAccount.objects.create(
        fund=fund,
        bank_name="Agribank",
        bank_bin="970405",
        account_number="3509205000123",
        account_name="QUY BAO TRO TRE EM",
        is_default=True,
    )
    return fund


def form_data(**overrides):
    data = {
        "preset": "500000",
        "amount": "",
        "purpose": "",
        "display_preference": "initials",
        "name": "Trần Thị Mai",
        "phone": "0912345678",
        "email": "mai@example.org",
        "message": "Chúc các em vui",
        "client_token": "tok-123456789",
    }
    data.update(overrides)
    return data


def test_donating_creates_a_pending_donation_and_shows_its_vietqr_code(client, public_fund):
    page = client.get(reverse("donations:donate"))
    assert page.status_code == 200 and "500.000 ₫" in page.content.decode()
    response = client.post(reverse("donations:donate"), form_data())
    donation = Donation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("donations:status", kwargs={"reference": donation.transfer_reference})
    assert donation.status == DonationStatus.PENDING and donation.amount == 500_000
    assert donation.fund == public_fund and donation.donor_name == "Trần Thị Mai"
    status = client.get(response.url).content.decode()
    assert "<svg" in status and donation.transfer_reference in status and "3509205000123" in status


def test_the_vietqr_payload_carries_account_amount_and_reference(public_fund):
    from donations.vietqr import vietqr_payload

    donation = Donation(amount=250_000, transfer_reference="QBTTE7K2M9XQ4")
    tree = parse_emv(
        vietqr_payload(
            bank_bin="970405",
            account_number="3509205000123",
            amount=donation.amount,
            reference=donation.transfer_reference,
        )
    )
    assert tree["54"] == "250000"
    assert tree["38"]["01"]["00"] == "970405" and tree["38"]["01"]["01"] == "3509205000123"
    assert tree["62"]["08"] == "QBTTE7K2M9XQ4"


def test_a_double_submit_creates_one_donation(client, public_fund):
    first = client.post(reverse("donations:donate"), form_data())
    second = client.post(reverse("donations:donate"), form_data())
    assert Donation.objects.count() == 1
    assert first.url == second.url


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"preset": "other", "amount": ""}, "amount"),
        ({"preset": "other", "amount": "0"}, "amount"),
        ({"preset": "other", "amount": "-50.000"}, "amount"),
        ({"preset": "other", "amount": "1.000,50"}, "amount"),
        ({"preset": "other", "amount": "5.000"}, "amount"),
        ({"purpose": "campaign:99999"}, "purpose"),
        ({"email": "khong-phai-email"}, "email"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_written(client, public_fund, overrides, field):
    response = client.post(reverse("donations:donate"), form_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not Donation.objects.exists()


@pytest.mark.parametrize(
    "typed,amount",
    [("1.000.000", 1_000_000), ("1,000,000", 1_000_000), ("1000000đ", 1_000_000), ("250.000 ₫", 250_000)],
)
def test_amounts_are_accepted_in_the_vietnamese_forms(client, public_fund, typed, amount):
    client.post(reverse("donations:donate"), form_data(preset="other", amount=typed))
    assert Donation.objects.get().amount == amount


def test_a_need_area_restricts_the_money(client, public_fund):
    client.post(reverse("donations:donate"), form_data(purpose="need:warm_clothes"))
    donation = Donation.objects.get()
    assert (donation.restriction, donation.restriction_need) == (RestrictionKind.NEED_AREA, "warm_clothes")


def test_the_status_page_shows_the_receipt_once_posted(client, public_fund):
    client.post(reverse("donations:donate"), form_data())
    donation = donation_post(donation=Donation.objects.get(), by=None)
    body = client.get(reverse("donations:status", kwargs={"reference": donation.transfer_reference})).content
    assert donation.receipt_number in body.decode() and b"<svg" not in body


def test_an_unknown_reference_is_a_friendly_404(client, public_fund, settings):
    settings.DEBUG = False
    response = client.get(reverse("donations:status", kwargs={"reference": "QBTTEZZZZZZZZ"}))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_a_need_or_a_commune_from_the_needs_page_arrives_chosen_and_restricts_the_donation(
    client, public_fund, tree
):
    page = client.get(reverse("donations:donate"), {"purpose": "need:warm_clothes"}).content.decode()
    assert (
        'value="need:warm_clothes" selected' in page
        or 'value="need:warm_clothes" selected' in page.replace("\n", " ")
    )
    response = client.post(reverse("donations:donate"), form_data(purpose=f"commune:{tree['a'].pk}"))
    assert response.status_code == 302
    donation = Donation.objects.get()
    assert donation.restriction == "commune" and donation.restriction_unit == tree["a"]
    outside = client.post(
        reverse("donations:donate"), form_data(purpose=f"commune:{tree['c'].pk}", client_token="tok-2")
    )
    assert outside.status_code == 200 and Donation.objects.count() == 1
