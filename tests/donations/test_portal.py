"""Commune officers record money received at their commune and propose support, within their scope."""

import pytest
from django.urls import reverse

from donations.models import Disbursement, DisbursementStatus, Donation, DonationStatus
from donations.services.disbursements import disbursement_approve
from tests.factories import FundFactory, officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune_funds(tree, fund):
    a = FundFactory(unit=tree["a"], parent=fund, name="Quỹ xã An", code="xa-an")
    b = FundFactory(unit=tree["b"], parent=fund, name="Quỹ xã Bình", code="xa-binh")
    return a, b


def test_officer_records_money_received_and_gets_a_receipt_number(client, tree, commune_funds, yesterday):
    fund_a, _fund_b = commune_funds
    client.force_login(officer(tree["a"]))
    response = client.post(
        reverse("money:receive"),
        {
            "fund": fund_a.pk,
            "kind": "cash",
            "amount": "1.500.000",
            "received_on": yesterday.strftime("%d/%m/%Y"),
            "donor_name": "Hộ kinh doanh Hoà Bình",
            "display_preference": "full_name",
            "confirmed": "1",
        },
    )
    assert response.status_code == 302
    donation = Donation.objects.get()
    assert donation.status == DonationStatus.POSTED and donation.amount == 1_500_000
    assert donation.receipt_number in client.get(reverse("money:list")).content.decode()


def test_officer_cannot_record_into_another_communes_fund(client, tree, commune_funds, yesterday):
    _fund_a, fund_b = commune_funds
    client.force_login(officer(tree["a"]))
    response = client.post(
        reverse("money:receive"),
        {
            "fund": fund_b.pk,
            "kind": "cash",
            "amount": "100000",
            "received_on": yesterday.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["fund"]
    assert not Donation.objects.exists()


def test_a_future_date_or_bad_amount_is_refused_in_the_portal(client, tree, commune_funds):
    fund_a, _ = commune_funds
    client.force_login(officer(tree["a"]))
    bad_amount = client.post(
        reverse("money:receive"),
        {
            "fund": fund_a.pk,
            "kind": "cash",
            "amount": "1.000,5",
            "received_on": "01/01/2025",
        },
    )
    assert "1.000,5" in bad_amount.context["form"].errors["amount"][0]
    future = client.post(
        reverse("money:receive"),
        {
            "fund": fund_a.pk,
            "kind": "cash",
            "amount": "100.000",
            "received_on": "01/01/2099",
        },
    )
    assert "01/01/2099" in future.context["form"].errors["received_on"][0]
    assert not Donation.objects.exists()


def test_proposal_to_the_district_fund_is_seen_by_the_commune_and_approved_by_staff(
    client, tree, fund, commune_funds, district_staff, yesterday
):
    from donations.services.donations import donation_create, donation_post

    donation_post(donation=donation_create(fund=fund, amount=2_000_000, received_on=yesterday), by=None)
    officer_a = officer(tree["a"])
    client.force_login(officer_a)
    response = client.post(
        reverse("money:propose"),
        {
            "fund": fund.pk,
            "amount": "800.000",
            "purpose": "Áo ấm cho 8 em thôn 1",
            "need_area": "warm_clothes",
            "spent_on": yesterday.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    proposal = Disbursement.objects.get()
    assert proposal.recipient_unit == tree["a"] and proposal.created_by == officer_a
    assert "Áo ấm cho 8 em thôn 1" in client.get(reverse("money:list")).content.decode()

    client.force_login(officer(tree["b"]))
    assert "Áo ấm cho 8 em thôn 1" not in client.get(reverse("money:list")).content.decode()

    disbursement_approve(disbursement=proposal, by=district_staff)
    assert Disbursement.objects.get().status == DisbursementStatus.APPROVED
