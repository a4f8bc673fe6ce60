"""Staff must use TOTP: without it they are sent to set it up before anything else."""

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.urls import reverse

from fund_portal.models import Role
from tests.factories import TEST_PASSWORD, UserFactory, give_totp, officer, staff

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.mark.parametrize("path", ["/admin/", "/portal/", "/start/", "/admin/fund_portal/administrativeunit/"])
def test_staff_without_totp_is_sent_to_totp_setup_first(client, tree, path):
    client.force_login(staff(tree["d1"], with_totp=False))
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_auditor_and_superuser_without_totp_are_sent_to_totp_setup(client, tree):
    for user in (
        UserFactory(role=Role.AUDITOR, unit=tree["d1"]),
        UserFactory(is_superuser=True, is_staff=True),
    ):
        client.force_login(user)
        response = client.get("/admin/")
        assert response.url.startswith(reverse("mfa_activate_totp")), user


def test_totp_setup_page_itself_opens_for_staff_without_totp(client, tree):
    client.force_login(staff(tree["d1"], with_totp=False))
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200


def test_staff_with_totp_reaches_the_admin(client, tree):
    client.force_login(staff(tree["d1"]))
    assert client.get("/admin/").status_code == 200


def test_commune_officer_is_not_forced_to_use_totp(client, tree):
    client.force_login(officer(tree["a"]))
    assert client.get("/portal/").status_code == 200


def test_staff_login_asks_for_the_totp_code_and_then_opens_the_admin(client, tree):
    user = staff(tree["d1"], with_totp=False, username="lan")
    secret = give_totp(user)
    response = client.post(reverse("account_login"), {"login": "lan", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # not logged in until the code is given

    wrong = client.post(
        reverse("mfa_authenticate"), {"code": "000000" if current_code(secret) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert client.get("/admin/").status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get(response.url, follow=True).redirect_chain[-1][0] == reverse("admin:index")
    assert client.get("/admin/").status_code == 200


def test_admin_login_page_is_allauths_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=/admin/" in response.url
