"""With Redis down, the site degrades instead of failing: pages come from the database, donations are
recorded, logins work, and the rate limits and the TOTP replay guard keep counting in the process's memory.

The cache is the project's Redis backend pointed at a port where nothing listens: a real outage, and no
Redis is needed to run these tests.
"""

import logging
import socket

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from donations.models import Donation
from tests.donations.test_donate import form_data
from tests.factories import TEST_PASSWORD
from tests.fund_portal.test_healthz import probe
from tests.fund_portal.test_mfa import current_code

from .conftest import give

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A port of this machine where nothing listens (just handed out by the system, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(settings, caplog):
    """The project's cache backend, on a Redis that refuses connections."""
    location = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "fund_portal.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with pytest.raises(RedisConnectionError):
        cache._cache.get_client().ping()
    caplog.set_level(logging.WARNING, logger="fund_portal.cache")
    return location


def outage_logged(caplog, location) -> bool:
    return any(
        r.levelno == logging.ERROR and f"Redis cache {location} unreachable" in r.getMessage()
        for r in caplog.records
    )


@pytest.mark.parametrize("path", ["/", "/transparency/", "/campaigns/", "/needs/"])
def test_public_pages_render_from_the_database_while_redis_is_down(client, site, redis_down, caplog, path):
    for _visit in range(2):  # the second visit is served by the process's memory
        response = client.get(path)
        assert response.status_code == 200
    assert outage_logged(caplog, redis_down)
    if path == "/campaigns/":
        assert site["campaign"].name in response.content.decode()


def test_a_posted_donation_shows_on_the_next_page_load_while_redis_is_down(client, site, redis_down):
    client.get("/")
    before = client.get("/").content.decode()  # from the process's memory
    give(site["fund"], 5_000_000, timezone.localdate(), campaign=site["campaign"], donor_name="Hoàng Văn Mới")
    after = client.get("/").content.decode()
    assert "8.600.000" not in before and "8.600.000" in after
    assert "Hoàng Văn Mới" in client.get("/campaigns/tet-trung-thu-cho-em/").content.decode()


def test_a_donation_is_recorded_while_redis_is_down_and_the_address_budget_still_holds(
    client, site, redis_down, settings
):
    settings.DONATE_RATE_LIMIT = 2
    for n in range(2):
        response = client.post(
            reverse("donations:donate"), form_data(client_token=f"tok-down-{n:02d}-0123456")
        )
        donation = Donation.objects.get(client_token=f"tok-down-{n:02d}-0123456")
        assert response.status_code == 302
        assert response.url == reverse("donations:status", kwargs={"reference": donation.transfer_reference})
    # Counted in this process's memory: the budget is not switched off by the outage.
    refused = client.post(reverse("donations:donate"), form_data(client_token="tok-down-99-0123456"))
    assert refused.status_code == 429
    assert not Donation.objects.filter(client_token="tok-down-99-0123456").exists()
    assert (
        client.get(reverse("donations:status", kwargs={"reference": donation.transfer_reference})).status_code
        == 200
    )


def test_login_with_password_and_totp_works_while_redis_is_down(client, site, redis_down):
    from tests.factories import give_totp, staff

    user = staff(site["fund"].unit, with_totp=False, username="hoa")
    secret = give_totp(user)
    assert client.get(reverse("account_login")).status_code == 200
    wrong = client.post(reverse("account_login"), {"login": "hoa", "password": "wrong-password-123"})
    assert wrong.status_code == 200 and "không đúng" in wrong.content.decode()
    response = client.post(reverse("account_login"), {"login": "hoa", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    code = current_code(secret)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200

    # The same code again, in this process: still refused (the replay guard counts in its memory).
    client.logout()
    client.post(reverse("account_login"), {"login": "hoa", "password": TEST_PASSWORD})
    replay = client.post(reverse("mfa_authenticate"), {"code": code})
    assert replay.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_wrong_passwords_are_still_limited_while_redis_is_down(client, site, redis_down):
    from tests.factories import UserFactory

    UserFactory(username="lan2")
    for _attempt in range(5):
        client.post(reverse("account_login"), {"login": "lan2", "password": "wrong-password-123"})
    response = client.post(reverse("account_login"), {"login": "lan2", "password": TEST_PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()


def test_healthz_is_503_when_redis_is_down(tmp_path):
    """Pages degrade, the probe does not: the broker is the same Redis, and a worker cannot take tasks."""
    result = probe(tmp_path, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    assert result == {"status": 503, "body": {"status": "error", "database": "ok", "broker": "error"}}


def test_the_portal_reads_permissions_from_the_database_while_redis_is_down(client, tree, redis_down, caplog):
    """The kept permissions (`fund_portal.auth_backends`) live in the process's memory during an outage:
    a permission given or taken in this process is seen on its next page all the same."""
    from django.contrib.auth.models import Permission

    from tests.factories import officer

    user = officer(tree["a"])
    client.force_login(user)
    incidents = f'href="{reverse("children:incident_list")}"'
    page = client.get(reverse("children:list"))
    assert page.status_code == 200 and incidents not in page.content.decode()
    sensitive = Permission.objects.get(content_type__app_label="children", codename="view_sensitive")
    user.user_permissions.add(sensitive)
    assert incidents in client.get(reverse("children:list")).content.decode()
    user.user_permissions.remove(sensitive)
    assert incidents not in client.get(reverse("children:list")).content.decode()
    assert outage_logged(caplog, redis_down)
