"""Supports recorded at the same time against one disbursement never add up to more than it paid."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from children.models import Support
from children.services.support import support_record
from donations.models import RecipientKind
from donations.services.disbursements import disbursement_approve, disbursement_propose
from donations.services.donations import donation_create, donation_post
from tests.children.test_records import register
from tests.concurrency import hold_then_race, postgresql_only
from tests.factories import FundFactory, officer, staff

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


def test_two_supports_over_a_disbursements_remainder_at_once_save_exactly_one(tree):
    today = timezone.localdate()
    district, checker = staff(tree["d1"], username="lan"), staff(tree["d1"], username="minh")
    fund = FundFactory(unit=tree["d1"], code="huyen-mot")
    donation_post(donation=donation_create(fund=fund, amount=1_000_000, received_on=today), by=district)
    disbursement = disbursement_propose(
        by=district,
        fund=fund,
        amount=100_000,
        spent_on=today,
        purpose="Quà Trung thu",
        recipient_kind=RecipientKind.CHILDREN,
        recipient_unit=tree["a"],
    )
    disbursement = disbursement_approve(disbursement=disbursement, by=checker)
    commune_officer = officer(tree["a"], username="canbo_a")
    first_child = register(commune_officer, tree["a"], name="Nguyễn Văn An")
    second_child = register(commune_officer, tree["a"], name="Lê Thị Bình")

    def over_http():
        client = Client()
        client.force_login(commune_officer)
        return client.post(
            reverse("children:support_new", args=[second_child.pk]),
            {
                "kind": "gift",
                "quantity": 1,
                "value": "60.000",
                "delivered_on": today.strftime("%d/%m/%Y"),
                "source": "fund",
                "disbursement": disbursement.pk,
            },
        )

    first, second = hold_then_race(
        lambda: support_record(
            by=commune_officer,
            child=first_child,
            kind="gift",
            value=60_000,
            delivered_on=today,
            source="fund",
            disbursement=disbursement,
        ),
        over_http,
    )

    assert first.error is None and second.error is None
    assert second.result.status_code == 200  # the form again, with the refusal
    page = second.result.content.decode()
    assert "100.000 ₫" in page and "120.000 ₫" in page
    assert list(Support.objects.values_list("child", "value")) == [(first_child.pk, 60_000)]
