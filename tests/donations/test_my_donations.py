"""A donor account sees its own donations and receipts, and nobody else's."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from donations.services.donations import donation_create, donation_post
from fund_portal.models import Role
from tests.factories import DonorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_donor_sees_donations_of_their_record_and_verified_email_only(client, fund, yesterday):
    user = UserFactory(role=Role.DONOR, email="ha@example.org")
    EmailAddress.objects.create(user=user, email="ha@example.org", verified=True, primary=True)
    donor = DonorFactory(unit=fund.unit, name="Nguyễn Thu Hà", user=user)
    mine = donation_post(
        donation=donation_create(fund=fund, amount=700_000, received_on=yesterday, donor=donor), by=None
    )
    by_email = donation_create(
        fund=fund,
        amount=250_000,
        received_on=yesterday,
        donor_email="ha@example.org",
        kind="transfer",
        with_transfer_reference=True,
    )
    other = donation_post(
        donation=donation_create(
            fund=fund, amount=999_000, received_on=yesterday, donor_email="khac@example.org"
        ),
        by=None,
    )
    client.force_login(user)
    body = client.get(reverse("donations:mine")).content.decode()
    assert "700.000 ₫" in body and "250.000 ₫" in body and "999.000 ₫" not in body
    assert by_email.transfer_reference in body
    assert (
        client.get(reverse("donations:my_receipt", kwargs={"pk": mine.pk}))["Content-Type"]
        == "application/pdf"
    )
    assert client.get(reverse("donations:my_receipt", kwargs={"pk": other.pk})).status_code == 404


def test_an_unverified_email_links_nothing(client, fund, yesterday):
    user = UserFactory(role=Role.DONOR, email="x@example.org")
    EmailAddress.objects.create(user=user, email="x@example.org", verified=False, primary=True)
    donation_post(
        donation=donation_create(
            fund=fund, amount=123_000, received_on=yesterday, donor_email="x@example.org"
        ),
        by=None,
    )
    client.force_login(user)
    assert "123.000 ₫" not in client.get(reverse("donations:mine")).content.decode()


def test_the_history_needs_a_login(client):
    response = client.get(reverse("donations:mine"))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_signing_up_makes_a_donor_account_that_sees_no_scoped_data(client, tree):
    from fund_portal.models import AdministrativeUnit, User

    response = client.post(
        reverse("account_signup"),
        {
            "email": "moi@example.org",
            "username": "nhahaotam2",
            "password1": "mot-mat-khau-dai-2026",
            "password2": "mot-mat-khau-dai-2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="nhahaotam2")
    assert user.role == Role.DONOR and not user.is_staff and user.unit is None
    assert not AdministrativeUnit.objects.visible_to(user).exists()
    assert client.get(reverse("portal:dashboard")).status_code == 403
