"""A commune's proposal plans spending, so its date may be in the future; the money is paid only once
that day has come (issue 19)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from donations.models import Disbursement, DisbursementStatus, LedgerEntry
from donations.services.disbursements import disbursement_approve, disbursement_propose
from donations.services.donations import donation_create, donation_post
from tests.factories import officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(fund, yesterday):
    donation_post(donation=donation_create(fund=fund, amount=5_000_000, received_on=yesterday), by=None)
    return fund


def test_an_officer_proposes_support_for_next_month_from_the_portal(client, tree, funded):
    planned = timezone.localdate() + dt.timedelta(days=30)
    client.force_login(officer(tree["a"]))
    page = client.get(reverse("money:propose")).content.decode()
    assert 'placeholder="dd/mm/yyyy"' in page
    response = client.post(
        reverse("money:propose"),
        {
            "fund": funded.pk,
            "amount": "800.000",
            "purpose": "Quà Trung thu thôn 1",
            "spent_on": planned.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    assert Disbursement.objects.get().spent_on == planned


def test_a_date_more_than_a_year_ahead_is_refused(client, tree, funded):
    client.force_login(officer(tree["a"]))
    far = timezone.localdate() + dt.timedelta(days=400)
    response = client.post(
        reverse("money:propose"),
        {"fund": funded.pk, "amount": "800.000", "purpose": "Quà", "spent_on": far.strftime("%d/%m/%Y")},
    )
    assert response.status_code == 200
    assert far.strftime("%d/%m/%Y") in response.context["form"].errors["spent_on"][0]
    assert not Disbursement.objects.exists()


def test_a_planned_proposal_is_paid_only_once_its_day_has_come(tree, funded, district_staff):
    planned = timezone.localdate() + dt.timedelta(days=3)
    proposal = disbursement_propose(
        by=officer(tree["a"]), fund=funded, amount=1_000_000, spent_on=planned, purpose="Học bổng"
    )
    with pytest.raises(ValidationError) as error:
        disbursement_approve(disbursement=proposal, by=district_staff)
    assert error.value.code == "future" and planned.strftime("%d/%m/%Y") in error.value.messages[0]
    proposal.refresh_from_db()
    assert proposal.status == DisbursementStatus.PROPOSED and not proposal.voucher_number
    assert not LedgerEntry.objects.filter(disbursement=proposal).exists()
    Disbursement.objects.filter(pk=proposal.pk).update(spent_on=timezone.localdate())
    assert (
        disbursement_approve(disbursement=proposal, by=district_staff).status == DisbursementStatus.APPROVED
    )
