"""Low side doors of scope (issue 15, section 3): admin list filters, unit-less accounts, media served in
development, the language cookie in production."""

import importlib
import json

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse

from donations.models import BankAccount
from fund_portal.models import Role, User
from tests.factories import FundFactory, UserFactory, officer, staff
from tests.fund_portal.test_settings import PRODUCTION, run

pytestmark = pytest.mark.django_db


def test_the_admin_list_filters_offer_only_the_funds_and_accounts_of_the_users_district(client, tree):
    own = FundFactory(unit=tree["d1"], name="Quỹ Huyện Một", code="huyen-mot")
    other = FundFactory(unit=tree["d2"], name="Quỹ Huyện Hai", code="huyen-hai")
    FundFactory(unit=tree["d1"], name="Quỹ Xã An Mở Rộng", code="xa-an")  # two choices: the filter shows
    for fund, number, holder in ((own, "1234567890", "TK Huyện Một"), (other, "9876543210", "TK Huyện Hai")):
        BankAccount.objects.create(
            fund=fund, bank_name="Agribank", bank_bin="970405", account_number=number, account_name=holder
        )
    BankAccount.objects.create(
        fund=own, bank_name="BIDV", bank_bin="970418", account_number="5555555555", account_name="TK Hai"
    )
    client.force_login(staff(tree["d1"], username="huyen.mot"))
    donations = client.get(reverse("admin:donations_donation_changelist")).content.decode()
    assert "Quỹ Xã An Mở Rộng" in donations  # the filter is there...
    assert "Quỹ Huyện Hai" not in donations  # ...with only the district's funds
    lines = client.get(reverse("admin:donations_bankstatementline_changelist")).content.decode()
    assert "1234567890" in lines or "TK Huyện Một" in lines or "Agribank" in lines
    assert "9876543210" not in lines and "TK Huyện Hai" not in lines

    superuser = User.objects.create_superuser("quy", "quy@example.org", "a-long-test-password-1")
    from tests.factories import give_totp

    give_totp(superuser)
    client.force_login(superuser)
    assert "Quỹ Huyện Hai" in client.get(reverse("admin:donations_donation_changelist")).content.decode()


def test_district_staff_do_not_see_donor_accounts_or_superusers(client, tree):
    district = staff(tree["d1"], username="huyen.mot")
    commune_officer = officer(tree["a"], username="canbo.an")
    donor = UserFactory(username="nha.tai.tro", role=Role.DONOR)
    superuser = User.objects.create_superuser("quan.tri", "qt@example.org", "a-long-test-password-1")
    visible = set(User.objects.visible_to(district))
    assert commune_officer in visible and district in visible
    assert donor not in visible and superuser not in visible
    assert {donor, superuser} <= set(User.objects.visible_to(superuser))
    client.force_login(district)
    listing = client.get(reverse("admin:fund_portal_user_changelist")).content.decode()
    assert "canbo.an" in listing and "nha.tai.tro" not in listing and "quan.tri" not in listing
    assert client.get(reverse("admin:fund_portal_user_change", args=[donor.pk])).status_code == 302


@pytest.fixture
def debug_urls(settings, tmp_path):
    """The URLs as `manage.py runserver` with DEBUG on builds them, media files in a folder of the test."""
    import config.urls

    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "news/2026").mkdir(parents=True)
    (tmp_path / "news/2026/tet.jpg").write_bytes(b"news image")
    (tmp_path / "children/photos/2026").mkdir(parents=True)
    (tmp_path / "children/photos/2026/hoa.jpg").write_bytes(b"a child's photo")
    (tmp_path / "reports/2026").mkdir(parents=True)
    (tmp_path / "reports/2026/bao-cao.pdf").write_bytes(b"a report")
    with override_settings(DEBUG=True):
        importlib.reload(config.urls)
        clear_url_caches()
    yield
    importlib.reload(config.urls)
    clear_url_caches()


def test_development_media_serves_news_images_only_never_a_childs_photo(client, tree, debug_urls):
    assert client.get("/media/news/2026/tet.jpg").status_code == 200  # public, no login needed
    client.force_login(officer(tree["a"]))
    for path in (
        "/media/children/photos/2026/hoa.jpg",
        "/media/news/../children/photos/2026/hoa.jpg",
        "/media/news/%2e%2e/children/photos/2026/hoa.jpg",
        "/media/reports/2026/bao-cao.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"a child's photo" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_the_language_cookie_is_secure_and_http_only_in_production(tmp_path):
    script = (
        "import json, django\nfrom django.conf import settings\ndjango.setup()\n"
        "print(json.dumps([settings.LANGUAGE_COOKIE_SECURE, settings.LANGUAGE_COOKIE_HTTPONLY, "
        "settings.LANGUAGE_COOKIE_SAMESITE]))"
    )
    result = run(["-c", script], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, True, "Lax"]
