"""Every page, message and mail the portal serves in Vietnamese is Vietnamese: no English UI string of
Django, allauth or the portal is left in it (the list: tests/i18n/english.py)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from children.services.registry import child_register
from tests.factories import TEST_PASSWORD, officer, staff
from tests.i18n.english import english_in, page_text

pytestmark = pytest.mark.django_db


def english_on(client, url, **kwargs):
    response = client.get(url, follow=True, **kwargs)
    assert response.status_code == 200, url
    assert '<html lang="vi"' in response.content.decode(), url
    return english_in(page_text(response.content.decode()))


def test_the_list_knows_the_english_the_issue_found():
    for known in (
        "Skip to main content",
        "Toggle theme (current theme: auto)",
        "Select this object for an action - Lê Thị Lan",
        "Please Confirm Your Email Address",
        "Unknown Account",
        "Successfully signed in as canbo_an.",
        "Confirmation email sent to a@example.org.",
        "Cannot detect file format",
        "Pagination",
        "Search",
        "Note: Enter times in the Asia/Ho_Chi_Minh timezone. (You are 7 hours ahead.)",
    ):
        assert english_in(f"Trang {known} này") != [], known
    assert english_in("Bỏ qua Skip to main content ở đây") == ["Skip to main content"]
    assert english_in("Tìm kiếm khoản ủng hộ · Menu cổng cán bộ · Email · 15/03/2015") == []


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
    ],
)
def test_the_account_pages_a_visitor_opens_are_vietnamese(client, url):
    assert english_on(client, url) == []


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/logout/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/reauthenticate/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        "/accounts/2fa/recovery-codes/generate/",
    ],
)
def test_the_account_pages_a_signed_in_officer_opens_are_vietnamese(client, tree, url):
    client.force_login(officer(tree["a"]))
    assert english_on(client, url) == []


def test_signing_in_says_so_in_vietnamese(client, tree):
    user = officer(tree["a"], username="canbo_an")
    response = client.post("/accounts/login/", {"login": "canbo_an", "password": TEST_PASSWORD}, follow=True)
    text = page_text(response.content.decode())
    assert user.username in text  # the message is on the page
    assert english_in(text) == []


def test_signing_up_its_message_and_its_confirmation_mail_are_vietnamese(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "nha.hao.tam@example.org",
            "username": "nhahaotam",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "nha.hao.tam@example.org" in page_text(response.content.decode())
    assert english_in(page_text(response.content.decode())) == []
    (message,) = mail.outbox
    assert english_in(message.subject) == [] and english_in(message.body) == []


def test_the_password_reset_mails_and_the_page_they_link_are_vietnamese(client, tree, settings):
    officer(tree["a"], email="canbo@xa-an.gov.vn")
    client.post("/accounts/password/reset/", {"email": "canbo@xa-an.gov.vn"})
    client.post("/accounts/password/reset/", {"email": "khong.co@example.org"})
    known, unknown = mail.outbox
    for message in (known, unknown):
        assert english_in(message.subject) == [], message.subject
        assert english_in(message.body) == [], message.body
        # In the fund's name, not the server's ("Xin chào từ testserver!").
        assert message.subject.startswith(f"[{settings.FUND_NAME}] ")
        assert f"Xin chào từ {settings.FUND_NAME}!" in message.body
    assert known.subject.endswith("Thư đặt lại mật khẩu")
    assert unknown.subject.endswith("Tài khoản không tồn tại")
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", known.body).group(1)
    assert english_on(client, link) == []


@pytest.fixture
def staff_client(client, tree):
    user = staff(tree["d1"])
    assert user.is_staff
    child_register(
        by=officer(tree["a"]),
        full_name="Lê Thị Lan",
        birth_date=__import__("datetime").date(2015, 3, 15),
        sex="female",
        ethnicity="01",
        commune=tree["a"],
    )
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:index",
        "admin:children_child_changelist",
        "admin:children_child_add",
        "admin:donations_donation_changelist",
        "admin:donations_donation_add",
        "admin:fund_portal_user_changelist",
        "admin:auditlog_logentry_changelist",
    ],
)
def test_the_admin_pages_staff_open_are_vietnamese(staff_client, url_name):
    assert english_on(staff_client, reverse(url_name)) == []


def test_a_child_s_admin_page_is_vietnamese(staff_client):
    from children.models import Child

    child = Child.objects.get()
    assert english_on(staff_client, reverse("admin:children_child_change", args=[child.pk])) == []


@pytest.mark.parametrize(
    "url",
    [
        "/portal/",
        "/portal/children/",
        "/portal/children/new/",
        "/portal/children/incidents/new/",
        "/portal/children/priority/",
        "/portal/money/",
        "/portal/money/receive/",
        "/portal/money/propose/",
        "/portal/campaigns/",
        "/portal/reports/",
    ],
)
def test_the_portal_pages_an_officer_opens_are_vietnamese(client, tree, url):
    client.force_login(officer(tree["a"]))
    assert english_on(client, url) == []


def test_names_are_written_family_name_first(staff_client, tree):
    lan = officer(tree["a"], username="lan", first_name="Lan", last_name="Lê Thị")
    assert lan.get_full_name() == str(lan) == "Lê Thị Lan"
    text = page_text(staff_client.get(reverse("admin:fund_portal_user_changelist")).content.decode())
    assert "Lê Thị Lan" in text and "Lan Lê Thị" not in text


def test_the_admin_s_javascript_speaks_vietnamese(staff_client):
    """The calendar, the clock, the selected-rows counter and the time zone note come from the
    admin's JavaScript catalogue: each of its strings has a Vietnamese version."""
    import json

    import polib
    from django.conf import settings

    from tests.i18n.english import DJANGO

    script = staff_client.get(reverse("admin:jsi18n")).content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});\n", script, re.S).group(1))
    missing = []
    for entry in polib.pofile(str(DJANGO / "contrib/admin/locale/en/LC_MESSAGES/djangojs.po")):
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid and key not in catalog:
            missing.append(entry.msgid)
    assert missing == []
    assert catalog["%(sel)s of %(cnt)s selected"] == ["Đã chọn %(sel)s/%(cnt)s"]  # one plural form
    assert settings.LANGUAGE_CODE == "vi"


def test_signing_out_and_changing_the_password_say_so_in_vietnamese(client, tree):
    client.force_login(officer(tree["a"]))
    changed = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "mot-mat-khau-moi-2026",
            "password2": "mot-mat-khau-moi-2026",
        },
        follow=True,
    )
    assert "Đã đổi mật khẩu." in page_text(changed.content.decode())
    assert english_in(page_text(changed.content.decode())) == []
    signed_out = client.post("/accounts/logout/", follow=True)
    assert "Bạn đã đăng xuất." in page_text(signed_out.content.decode())
    assert english_in(page_text(signed_out.content.decode())) == []
