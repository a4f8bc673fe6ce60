"""Public and portal pages, Vietnamese first, money and dates the Vietnamese way."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import formats, timezone, translation

from fund_portal.money import format_vnd
from tests.factories import officer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "amount,text",
    [
        (1250000, "1.250.000 ₫"),
        (0, "0 ₫"),
        (500, "500 ₫"),
        (2021000, "2.021.000 ₫"),
        (-35000, "-35.000 ₫"),
        (10**12, "1.000.000.000.000 ₫"),
    ],
)
def test_money_is_shown_in_dong_with_dots(amount, text):
    assert format_vnd(amount) == text
    # In a page, the amount and its "₫" stay on one line (the style sheets' `.money`).
    assert Template("{{ a|vnd }}").render(Context({"a": amount})) == f'<span class="money">{text}</span>'


def test_no_amount_shows_nothing():
    assert Template("[{{ a|vnd }}]").render(Context({"a": None})) == "[]"


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        format_vnd(1250000.0)


def test_dates_are_dd_mm_yyyy_in_vietnamese_and_time_is_ho_chi_minh():
    with translation.override("vi"):
        assert formats.date_format(dt.date(2026, 5, 20), "SHORT_DATE_FORMAT") == "20/05/2026"
        assert Template("{{ d|date }}").render(Context({"d": dt.date(2026, 11, 15)})) == "15/11/2026"
    utc_evening = dt.datetime(2026, 5, 19, 18, 30, tzinfo=dt.UTC)
    assert timezone.localtime(utc_evening).date() == dt.date(2026, 5, 20)
    assert timezone.get_current_timezone() == ZoneInfo("Asia/Ho_Chi_Minh")


def test_home_page_is_public_and_vietnamese(client, tree):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="vi">' in body
    assert "Đăng nhập" in body


def test_english_is_available_when_chosen(client, tree, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Log in" in body


def test_an_english_browser_still_gets_vietnamese_by_default(client, tree):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in body and "Đăng nhập" in body


def test_language_can_be_switched_without_logging_in(client, tree):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/").content.decode()


def test_portal_page_fits_a_phone_and_uses_vietnamese(client, tree):
    client.force_login(officer(tree["a"]))
    body = client.get("/portal/").content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in body
    assert "Cổng cán bộ" in body
    assert tree["a"].name in body


def test_admin_is_branded_as_the_fund(client, tree, settings):
    from tests.factories import staff

    client.force_login(staff(tree["d1"]))
    body = client.get("/admin/").content.decode()
    assert settings.FUND_NAME in body


def test_unknown_page_is_a_friendly_vietnamese_404(client, settings):
    settings.DEBUG = False
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_responses_carry_a_content_security_policy(client, tree):
    assert "default-src 'self'" in client.get("/")["Content-Security-Policy"]
