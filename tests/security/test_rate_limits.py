"""Guessing passwords and flooding the donation form are refused after a few tries, in Vietnamese."""

import pytest
from django.conf import settings

from fund_portal.demo import seed_demo
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _donation(n: int) -> dict:
    return {
        "client_token": f"{n:032x}",
        "preset": "",
        "amount": "200.000",
        "name": "Người Thử",
        "phone": "",
        "email": "",
        "message": "",
        "display_preference": "anonymous",
    }


def test_login_failures_are_limited_by_allauth_settings():
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"


def test_after_five_wrong_passwords_even_the_right_one_is_refused_in_vietnamese(client):
    UserFactory(username="lan")
    for _attempt in range(5):
        response = client.post("/accounts/login/", {"login": "lan", "password": "wrong-password-123"})
        assert response.status_code == 200
        assert "không đúng" in response.content.decode()
    response = client.post("/accounts/login/", {"login": "lan", "password": TEST_PASSWORD})
    html = response.content.decode()
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "Đăng nhập sai quá nhiều lần" in html
    assert "Too many failed login attempts" not in html


def test_wrong_passwords_from_one_address_are_limited_across_accounts(client):
    for n in range(10):
        UserFactory(username=f"user-{n}")
        client.post("/accounts/login/", {"login": f"user-{n}", "password": "wrong-password-123"})
    UserFactory(username="lan")
    response = client.post("/accounts/login/", {"login": "lan", "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    # Another address is not held back by this one.
    other = client.post(
        "/accounts/login/", {"login": "lan", "password": TEST_PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert other.status_code == 302 and "_auth_user_id" in client.session


def test_the_donation_form_takes_ten_posts_per_address_then_answers_429_in_vietnamese(client, settings):
    from donations.models import Donation

    seed_demo()
    assert (settings.DONATE_RATE_LIMIT, settings.DONATE_RATE_PERIOD) == (10, 600)
    before = Donation.objects.count()
    for n in range(settings.DONATE_RATE_LIMIT):
        response = client.post("/donate/", _donation(n))
        assert response.status_code == 302, response.content.decode()[:2000]
    assert Donation.objects.count() == before + 10
    refused = client.post("/donate/", _donation(99))
    assert refused.status_code == 429
    assert "Bạn đã gửi quá nhiều lượt ủng hộ" in refused.content.decode()
    assert Donation.objects.count() == before + 10
    # Reading the form is not limited, and another address may still give.
    assert client.get("/donate/").status_code == 200
    assert client.post("/donate/", _donation(100), REMOTE_ADDR="203.0.113.7").status_code == 302


def test_behind_our_proxy_each_visitor_has_their_own_budget(client, settings):
    seed_demo()
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.DONATE_RATE_LIMIT = 2
    for n in range(2):
        assert client.post("/donate/", _donation(n), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 302
    assert client.post("/donate/", _donation(3), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    # The same proxy (REMOTE_ADDR), another visitor: not the first one's budget.
    assert client.post("/donate/", _donation(4), HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302
