"""The handover of a gift list in the portal cannot be undone, so it is confirmed on a second page
first, which says who came and who is marked absent (issue 19)."""

import pytest
from django.urls import reverse

from campaigns.models import GiftListStatus
from campaigns.services.gift_lists import gift_list_build
from children.models import Support

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.campaigns.urls")]


@pytest.fixture
def children(tree, make_child):
    return [
        make_child(tree["a"], "Lò Thị Mai", 90, village=tree["va"]),
        make_child(tree["a"], "Vàng A Sử", 70),
    ]


@pytest.fixture
def gift_list(campaign, district_staff, children):
    return gift_list_build(campaign=campaign, by=district_staff, kind="gift", value=250_000, count=2)


def test_the_handover_is_checked_on_a_second_page_before_it_is_recorded(
    client, gift_list, officer_a, children, today
):
    client.force_login(officer_a)
    url = reverse("campaigns_portal:gift_list", args=[gift_list.pk])
    absent = gift_list.entries.get(child=children[1])
    data = {
        "delivered_on": today.strftime("%d/%m/%Y"),
        "handed_over_by": "Bí thư Đoàn xã",
        "absent": [absent.pk],
    }
    asked = client.post(url, data)
    page = asked.content.decode()
    assert asked.status_code == 200 and not Support.objects.exists()
    assert 'name="confirmed" value="1"' in page and f'name="absent" value="{absent.pk}"' in page
    assert "Vàng A Sử" in page.split("<dl")[1].split("</dl>")[0]  # named as absent
    back = client.post(url, {**data, "confirmed": "1", "edit": "1"})
    assert back.status_code == 200 and back.context["form"]["handed_over_by"].value() == "Bí thư Đoàn xã"
    assert not Support.objects.exists()
    done = client.post(url, {**data, "confirmed": "1"})
    assert done.status_code == 302
    assert list(Support.objects.values_list("child__full_name", flat=True)) == ["Lò Thị Mai"]
    gift_list.refresh_from_db()
    assert gift_list.status == GiftListStatus.HANDED_OVER


def test_a_form_with_a_mistake_goes_back_to_the_form_not_to_the_confirmation(client, gift_list, officer_a):
    client.force_login(officer_a)
    url = reverse("campaigns_portal:gift_list", args=[gift_list.pk])
    response = client.post(url, {"delivered_on": "31/02/2026"})
    assert response.status_code == 200 and response.context["form"].errors["delivered_on"]
    assert 'name="confirmed"' not in response.content.decode() and not Support.objects.exists()
