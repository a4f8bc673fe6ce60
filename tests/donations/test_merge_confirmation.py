"""Merging two donors in the admin cannot be undone: the admin asks once more, and only then merges."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from donations.models import Donation
from donations.services.donations import donation_create
from tests.factories import DonorFactory

pytestmark = pytest.mark.django_db


def test_merging_two_donors_asks_first_and_merges_only_once_confirmed(
    client, fund, district_staff, yesterday
):
    kept = DonorFactory(unit=fund.unit, name="Nguyễn Văn An")
    duplicate = DonorFactory(unit=fund.unit, name="nguyen van an")
    donation_create(fund=fund, amount=100_000, received_on=yesterday, donor=duplicate, by=district_staff)
    client.force_login(district_staff)
    url = reverse("admin:donations_donor_changelist")
    chosen = {"action": "merge_selected", helpers.ACTION_CHECKBOX_NAME: [kept.pk, duplicate.pk]}

    asked = client.post(url, chosen)

    assert asked.status_code == 200
    page = asked.content.decode()
    assert "không thể hoàn tác" in page and "Nguyễn Văn An" in page and "nguyen van an" in page
    assert Donation.objects.get().donor == duplicate  # nothing merged yet

    client.post(url, {**chosen, "confirmed": "yes"}, follow=True)

    assert Donation.objects.get().donor == kept
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
