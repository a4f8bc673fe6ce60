"""A fund's own host name, as typed in the admin: read in any case and spacing, refused with a Vietnamese
message when it is not a bare host name, the main site's, or another fund's in any case; nothing written."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from donations.models import Fund
from tests.concurrency import hold_then_race, postgresql_only
from tests.factories import FundFactory

pytestmark = pytest.mark.django_db

NO_ACCOUNTS = {"bank_accounts-TOTAL_FORMS": 0, "bank_accounts-INITIAL_FORMS": 0}


def _save_host(client, fund, host):
    return client.post(
        reverse("admin:donations_fund_change", args=[fund.pk]),
        {
            "unit": fund.unit_id,
            "name": fund.name,
            "code": fund.code,
            "is_active": "on",
            "public_host": host,
            **NO_ACCOUNTS,
        },
    )


def _field_errors(response):
    return response.context["adminform"].form.errors.get("public_host", [])


@pytest.mark.parametrize(
    "typed", ["Quy.Example.VN", "quy.example.vn.", " quy.example.vn ", "QUY.EXAMPLE.VN. "]
)
def test_a_host_name_typed_in_any_case_or_spacing_is_saved_as_the_one_host_it_is(
    client, fund, district_staff, typed
):
    client.force_login(district_staff)
    response = _save_host(client, fund, typed)
    assert response.status_code == 302, response.content.decode()[:2000]
    fund.refresh_from_db()
    assert fund.public_host == "quy.example.vn"


def test_an_empty_host_name_is_saved_as_none_so_many_funds_can_have_none(client, fund, district_staff, tree):
    FundFactory(unit=tree["d1"], code="quy-khac", public_host=None)
    client.force_login(district_staff)
    assert _save_host(client, fund, "   ").status_code == 302
    fund.refresh_from_db()
    assert fund.public_host is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("https://quy.example.vn", "Chỉ nhập tên miền, không kèm http:// hay https://."),
        ("quy.example.vn/quy/", "Chỉ nhập tên miền, không kèm dấu gạch chéo hay đường dẫn phía sau."),
        ("quy.example.vn:8443", "Nhập tên miền không kèm cổng: trang công khai dùng cổng thông thường."),
    ],
)
def test_a_host_name_with_a_scheme_a_path_or_a_port_is_refused_in_vietnamese(
    client, fund, district_staff, typed, message
):
    client.force_login(district_staff)
    response = _save_host(client, fund, typed)
    assert response.status_code == 200
    assert _field_errors(response) == [message]
    fund.refresh_from_db()
    assert fund.public_host is None


@pytest.mark.parametrize("typed", ["quy.hai.vn", "QUY.Hai.vn", " quy.hai.vn. "])
def test_a_host_name_another_fund_holds_is_refused_in_any_case(client, fund, district_staff, tree, typed):
    FundFactory(unit=tree["d2"], code="huyen-hai", public_host="quy.hai.vn")
    client.force_login(district_staff)
    response = _save_host(client, fund, typed)
    assert response.status_code == 200
    assert _field_errors(response) == ["Một quỹ khác đã dùng tên miền này."]
    fund.refresh_from_db()
    assert fund.public_host is None


def test_a_fund_keeps_its_own_host_name_when_saved_again(client, fund, district_staff):
    Fund.objects.filter(pk=fund.pk).update(public_host="quy.mot.vn")
    client.force_login(district_staff)
    assert _save_host(client, fund, "Quy.Mot.VN").status_code == 302


def test_the_main_sites_host_name_is_refused(client, fund, district_staff, settings):
    settings.SITE_URL = "https://Quy.Example.VN:8443"
    client.force_login(district_staff)
    response = _save_host(client, fund, "quy.example.vn")
    assert response.status_code == 200
    assert _field_errors(response) == [
        "Đây là tên miền của trang chính; tên miền riêng của quỹ phải là một tên khác."
    ]
    fund.refresh_from_db()
    assert fund.public_host is None


def test_the_database_holds_one_fund_per_host_name_in_any_case(tree):
    FundFactory(unit=tree["d1"], code="huyen-mot", public_host="quy.hai.vn")
    with pytest.raises(IntegrityError), transaction.atomic():
        FundFactory(unit=tree["d2"], code="huyen-hai", public_host="QUY.HAI.VN")
    assert Fund.objects.count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_funds_given_one_host_name_at_the_same_moment_the_second_gets_the_message(
    fund, district_staff, tree
):
    """The second save waits for the first to commit and is refused with the form's message, instead of
    passing the check and failing on the unique index (an error page)."""
    other = FundFactory(unit=tree["a"], code="xa-an")

    clients = [Client(), Client()]
    for client in clients:  # before the race: a login writes the user's row, which would serialise the two
        client.force_login(district_staff)

    def save(client, target):
        response = _save_host(client, target, "quy.chung.vn")
        return response.status_code, response.context and _field_errors(response)

    first, second = hold_then_race(lambda: save(clients[0], fund), lambda: save(clients[1], other))
    assert first.error is None and second.error is None, (first.error, second.error)
    assert first.result == (302, None)
    assert second.result == (200, ["Một quỹ khác đã dùng tên miền này."])
    assert list(Fund.objects.filter(public_host="quy.chung.vn").values_list("pk", flat=True)) == [fund.pk]
