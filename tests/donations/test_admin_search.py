"""Staff find a donation in the admin as a bank statement writes it: without diacritics, or by its
transfer reference, which the list shows."""

import pytest
from django.urls import reverse

from donations.models import Donor
from donations.services.donations import donation_create
from donations.services.donors import donor_save

pytestmark = pytest.mark.django_db


def _search(client, term):
    return client.get(reverse("admin:donations_donation_changelist"), {"q": term}).content.decode()


def _link(donation):
    return reverse("admin:donations_donation_change", args=[donation.pk])


def test_a_search_without_diacritics_finds_the_donor_record_and_the_name_given(
    client, fund, district_staff, yesterday
):
    donor = donor_save(donor=Donor(name="Nguyễn Văn An", unit=fund.unit))
    by_record = donation_create(fund=fund, amount=150_000, received_on=yesterday, donor=donor)
    by_name = donation_create(fund=fund, amount=250_000, received_on=yesterday, donor_name="Đặng Thị Ánh")
    other = donation_create(fund=fund, amount=350_000, received_on=yesterday, donor_name="Nguyễn Văn Bình")
    client.force_login(district_staff)

    found = _search(client, "nguyen van an")
    assert _link(by_record) in found
    assert _link(by_name) not in found and _link(other) not in found

    found = _search(client, "DANG THI ANH")
    assert _link(by_name) in found and _link(by_record) not in found

    found = _search(client, "Nguyễn")
    assert _link(by_record) in found and _link(other) in found and _link(by_name) not in found


def test_the_list_shows_the_transfer_reference_and_a_search_finds_it(client, fund, district_staff, yesterday):
    wanted = donation_create(fund=fund, amount=150_000, received_on=yesterday, with_transfer_reference=True)
    other = donation_create(fund=fund, amount=250_000, received_on=yesterday, with_transfer_reference=True)
    client.force_login(district_staff)

    listing = _search(client, "")
    assert "Mã chuyển khoản" in listing
    assert wanted.transfer_reference in listing and other.transfer_reference in listing

    found = _search(client, wanted.transfer_reference.lower())
    assert _link(wanted) in found and _link(other) not in found


def test_a_search_for_a_regular_expression_character_is_taken_literally(
    client, fund, district_staff, yesterday
):
    dotted = donation_create(fund=fund, amount=150_000, received_on=yesterday, donor_name="Cty A.B (Hà Nội)")
    plain = donation_create(fund=fund, amount=250_000, received_on=yesterday, donor_name="Cty AXB Ha Noi")
    client.force_login(district_staff)
    found = _search(client, "a.b (ha")
    assert _link(dotted) in found and _link(plain) not in found
