"""A donation made while logged in is the account's: it shows on /donate/mine/ (and nobody else's), the
form knows the donor, the public header offers the donor's page and a log-out, and the public form has
a largest amount."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from donations.models import BankAccount, DisplayPreference, Donation
from donations.selectors.transparency import fund_donor_list
from donations.services.donations import donation_post
from fund_portal.models import Role
from tests.factories import DonorFactory, UserFactory

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


def donor_account(username: str, *, email: str, verified: bool = True):
    user = UserFactory(
        username=username, role=Role.DONOR, email=email, first_name="Hà", last_name="Nguyễn Thu"
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def form_data(**overrides):
    data = {
        "preset": "200000",
        "amount": "",
        "purpose": "",
        "display_preference": "full_name",
        "name": "",
        "phone": "",
        "email": "",
        "message": "",
        "client_token": "tok-account-0001",
    }
    data.update(overrides)
    return data


def mine(client) -> str:
    return client.get(reverse("donations:mine")).content.decode()


def test_a_logged_in_donors_donation_is_on_their_page_and_not_on_another_donors(client, public_fund):
    ha = donor_account("ha", email="ha@example.org")
    record = DonorFactory(unit=public_fund.unit, name="Nguyễn Thu Hà", user=ha)
    other = donor_account("binh", email="binh@example.org")
    client.force_login(ha)
    # An email typed that is nobody's: the donor record still makes the donation Hà's.
    client.post(reverse("donations:donate"), form_data(email="someone@example.org", preset="200000"))
    donation = Donation.objects.get()
    assert donation.donor == record and donation.donor_email == "someone@example.org"
    assert donation.transfer_reference in mine(client)

    client.force_login(other)
    assert donation.transfer_reference not in mine(client)
    client.logout()
    assert client.get(reverse("donations:mine")).status_code == 302


def test_without_a_donor_record_the_verified_email_links_the_donation(client, public_fund):
    lan = donor_account("lan", email="lan@example.org")
    client.force_login(lan)
    client.post(reverse("donations:donate"), form_data(email="", client_token="tok-blank-email"))
    client.post(
        reverse("donations:donate"), form_data(email="LAN@Example.org", client_token="tok-upper-email")
    )
    blank, upper = Donation.objects.order_by("pk")
    assert blank.donor is None and blank.donor_email == "lan@example.org"
    assert upper.donor_email == "lan@example.org"
    page = mine(client)
    assert blank.transfer_reference in page and upper.transfer_reference in page


def test_an_email_the_account_has_not_verified_links_nothing(client, public_fund):
    new = donor_account("moi", email="moi@example.org", verified=False)
    client.force_login(new)
    client.post(reverse("donations:donate"), form_data(email="moi@example.org"))
    page = mine(client)
    assert Donation.objects.get().transfer_reference not in page
    assert reverse("account_email") in page  # the donor is told to verify the address


def test_an_anonymous_visitors_donation_belongs_to_no_account(client, public_fund):
    ha = donor_account("ha", email="ha@example.org")
    DonorFactory(unit=public_fund.unit, name="Nguyễn Thu Hà", user=ha)
    client.post(reverse("donations:donate"), form_data())
    assert Donation.objects.get().donor is None


def test_the_form_is_prefilled_for_a_logged_in_donor(client, public_fund):
    ha = donor_account("ha", email="ha@example.org")
    DonorFactory(
        unit=public_fund.unit,
        name="Nguyễn Thu Hà",
        user=ha,
        phone="0912345678",
        display_preference=DisplayPreference.INITIALS,
    )
    client.force_login(ha)
    form = client.get(reverse("donations:donate")).context["form"]
    assert form["name"].value() == "Nguyễn Thu Hà"
    assert form["email"].value() == "ha@example.org"
    assert form["phone"].value() == "0912345678"
    assert form["display_preference"].value() == DisplayPreference.INITIALS

    lan = donor_account("lan", email="lan@example.org")
    client.force_login(lan)
    form = client.get(reverse("donations:donate")).context["form"]
    assert (form["name"].value(), form["email"].value()) == ("Nguyễn Thu Hà", "lan@example.org")
    client.logout()
    form = client.get(reverse("donations:donate")).context["form"]
    assert not form["name"].value() and not form["email"].value()


def test_a_gift_made_anonymously_stays_anonymous_on_the_donor_records_name(client, public_fund):
    ha = donor_account("ha", email="ha@example.org")
    DonorFactory(unit=public_fund.unit, name="Nguyễn Thu Hà", user=ha, display_preference="full_name")
    client.force_login(ha)
    client.post(reverse("donations:donate"), form_data(display_preference="anonymous"))
    donation = donation_post(donation=Donation.objects.get(), by=None)
    assert donation.public_name == "Nhà hảo tâm ẩn danh"
    rows = fund_donor_list(fund=public_fund, year=donation.received_on.year, month=donation.received_on.month)
    assert [row["name"] for row in rows] == ["Nhà hảo tâm ẩn danh"]


@pytest.mark.parametrize("typed", ["999.999.999.999", "10.000.000.001"])
def test_the_public_form_refuses_more_than_the_largest_amount_in_vietnamese(client, public_fund, typed):
    response = client.post(reverse("donations:donate"), form_data(preset="other", amount=typed))
    assert response.status_code == 200 and not Donation.objects.exists()
    [error] = response.context["form"].errors["amount"]
    assert error.startswith("Số tiền ủng hộ trực tuyến tối đa là 10.000.000.000")
    assert "₫" in error and error in response.content.decode()


def test_the_largest_amount_itself_is_taken_and_is_a_setting(client, public_fund, settings):
    client.post(reverse("donations:donate"), form_data(preset="other", amount="10.000.000.000"))
    assert Donation.objects.get().amount == 10_000_000_000
    settings.DONATION_MAX_AMOUNT = 2_000_000
    response = client.post(
        reverse("donations:donate"), form_data(preset="5000000", client_token="tok-over-setting")
    )
    assert "2.000.000" in response.context["form"].errors["amount"][0]
    assert Donation.objects.count() == 1


def test_the_public_header_offers_a_logged_in_donor_their_page_and_a_log_out_that_works(public_fund):
    ha = donor_account("ha", email="ha@example.org")
    client = Client(enforce_csrf_checks=True)
    client.force_login(ha)
    page = client.get(reverse("donations:donate")).content.decode()
    header = page[page.index("<header") : page.index("</header>")]
    assert f'href="{reverse("donations:mine")}"' in header and "Các khoản ủng hộ của tôi" in header
    assert f'action="{reverse("account_logout")}"' in header and "Đăng xuất" in header
    assert "Việc của tôi" not in header  # for a donor it is the same page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', header).group(1)

    assert client.post(reverse("account_logout")).status_code == 403  # no token: refused
    assert "_auth_user_id" in client.session
    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    header, _sep, body = client.get(reverse("donations:donate")).content.decode().partition("</header>")
    assert "Đăng xuất" not in header and reverse("account_login") in header
    assert "Bạn đã đăng xuất." in body
