"""Money received at a commune, as the officer records it (issue 19): the donor is asked how to be
shown publicly, anonymous unless they agree, and the posting is confirmed on a second page first."""

import pytest
from django.urls import reverse

from donations.models import Donation, DonationStatus
from tests.factories import FundFactory, officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund_a(tree, fund):
    return FundFactory(unit=tree["a"], parent=fund, name="Quỹ xã An", code="xa-an")


def money(fund_a, yesterday, **changes):
    data = {
        "fund": fund_a.pk,
        "kind": "cash",
        "amount": "1.500.000",
        "received_on": yesterday.strftime("%d/%m/%Y"),
        "donor_name": "Bà Nguyễn Thị Hạnh",
        "display_preference": "anonymous",
    }
    return {**data, **changes}


def test_the_form_asks_how_the_donor_is_shown_and_anonymous_is_chosen_first(client, tree, fund_a):
    client.force_login(officer(tree["a"]))
    page = client.get(reverse("money:receive")).content.decode()
    assert 'name="display_preference" value="anonymous"' in page
    chosen = page.split('value="anonymous"')[1].split(">")[0]
    assert "checked" in chosen
    assert "checked" not in page.split('value="full_name"')[1].split(">")[0]


def test_posting_is_confirmed_first_and_shows_the_name_as_the_public_will_read_it(
    client, tree, fund_a, yesterday
):
    client.force_login(officer(tree["a"]))
    asked = client.post(reverse("money:receive"), money(fund_a, yesterday))
    page = asked.content.decode()
    assert asked.status_code == 200 and not Donation.objects.exists()
    assert "Nhà hảo tâm ẩn danh" in page and 'name="confirmed" value="1"' in page
    # Back to the form, with what was typed.
    back = client.post(reverse("money:receive"), money(fund_a, yesterday, confirmed="1", edit="1"))
    assert back.context["form"]["donor_name"].value() == "Bà Nguyễn Thị Hạnh"
    assert not Donation.objects.exists()
    done = client.post(reverse("money:receive"), money(fund_a, yesterday, confirmed="1"))
    assert done.status_code == 302
    donation = Donation.objects.get()
    assert donation.status == DonationStatus.POSTED and donation.display_preference == "anonymous"
    assert donation.public_name == "Nhà hảo tâm ẩn danh"


def test_a_donor_who_agrees_is_shown_by_name_or_initials(client, tree, fund_a, yesterday):
    client.force_login(officer(tree["a"]))
    asked = client.post(reverse("money:receive"), money(fund_a, yesterday, display_preference="initials"))
    assert "B.N.T.H." in asked.content.decode()
    client.post(
        reverse("money:receive"), money(fund_a, yesterday, display_preference="full_name", confirmed="1")
    )
    assert Donation.objects.get().public_name == "Bà Nguyễn Thị Hạnh"


def test_no_choice_sent_is_anonymous(client, tree, fund_a, yesterday):
    client.force_login(officer(tree["a"]))
    data = money(fund_a, yesterday, confirmed="1")
    del data["display_preference"]
    assert client.post(reverse("money:receive"), data).status_code == 302
    assert Donation.objects.get().display_preference == "anonymous"


def test_a_refused_date_is_said_on_the_form_before_any_confirmation(client, tree, fund_a, yesterday):
    client.force_login(officer(tree["a"]))
    response = client.post(reverse("money:receive"), money(fund_a, yesterday, received_on="01/01/2099"))
    assert "01/01/2099" in response.context["form"].errors["received_on"][0]
    assert 'name="confirmed"' not in response.content.decode() and not Donation.objects.exists()
