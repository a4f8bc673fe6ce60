"""Parameters that look right and are not, on the pages of the national-size work (issue 20): an
adversarial review's findings, each kept as a test.

Bad input gets a 4xx or the page itself, never a server error; the public pages tell nothing a donor
asked to keep quiet, and each query answers its own page. What tests/security/test_bad_input.py and
test_url_fuzz.py already try (NUL bytes, integers past 64 bits, negative numbers, long texts) is not
repeated here: these are the inputs they do not try.

- Python's `str.isdigit()` holds for digits `int()` cannot read ("²", "³": Unicode category No), and
  `str.lstrip("-")` drops every leading minus ("--5"): a cursor or an id checked that way and then
  given to `int()` or to an integer lookup raised ValueError (now `fund_portal.text.is_digits`).
- The admin's long lists build each row's link from a URL with a stand-in for the id ("0-pk-0"): a
  query string holding that text split it in three.
- The public page cache keyed a page by the first 20 characters of each parameter it reads.
- The honour roll's search read the donor's full name, whatever name the donor chose to show.
- The children list's cursor carried the last child's folded name into the page's address.
"""

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from donations.models import DisplayPreference
from donations.services.donations import donation_create, donation_post
from tests.factories import DonorFactory, FundFactory, officer, register_child, staff

pytestmark = pytest.mark.django_db

NOT_FOUND = "Không tìm thấy trang"


def give(fund, amount, day, **fields):
    return donation_post(
        donation=donation_create(fund=fund, amount=amount, received_on=day, **fields), by=None
    )


def answers_cleanly(client: Client, url: str, **extra) -> str:
    """The page's text, once it is known to be no server error (a 200, a redirect, or a 4xx)."""
    client.raise_request_exception = False
    response = client.get(url, **extra)
    assert response.status_code < 500, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def officer_a(tree):
    user = officer(tree["a"], username="canbo_an")
    for index in range(3):
        register_child(user, tree["a"], f"Nguyễn Văn An {index}", born=dt.date(2016, 1, 1 + index))
    return user


# Server errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("after", ["²", "1²", "³³", "⁹", "nguyen|²", "nguyen|1"])
def test_a_unicode_digit_in_the_childrens_list_cursor_is_ignored(client, officer_a, after):
    """`children_page` (children/selectors/registry.py) read the cursor's id with `isdigit()`, then
    `int()`; a cursor of the former "name|id" form is ignored as well."""
    client.force_login(officer_a)
    body = answers_cleanly(client, "/portal/children/", data={"after": after})
    assert "Nguyễn Văn An 0" in body  # the cursor is not ours: the first page


@pytest.mark.parametrize("after", ["--5", "-1", "+5", "²", "5|1", "--5|1", "-²|1"])
def test_a_malformed_priority_list_cursor_is_ignored(client, officer_a, after):
    """`children_page` read the priority list's former "key|id" cursor with `key.lstrip("-").isdigit()`,
    then `int(key)`."""
    client.force_login(officer_a)
    body = answers_cleanly(client, "/portal/children/priority/", data={"after": after})
    assert "Nguyễn Văn An 0" in body


def test_a_unicode_digit_commune_on_the_priority_list_is_ignored(client, officer_a):
    """`priority_list`: `commune_id.isdigit()` then `filter(pk=commune_id)` (children/views/care.py)."""
    client.force_login(officer_a)
    body = answers_cleanly(client, "/portal/children/priority/", data={"commune": "²"})
    assert "Nguyễn Văn An 0" in body


def test_a_unicode_digit_child_on_the_incident_form_is_ignored(client, officer_a):
    """`_child_choice`: `GET["child"].isdigit()` then `filter(pk=...)` (children/views/incidents.py)."""
    client.force_login(officer_a)
    response = client.get("/portal/children/incidents/new/", {"child": "²"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    ["p=0-pk-0", "o=0-pk-0", "status=posted&p=0-pk-0"],
)
def test_the_admin_donation_list_survives_a_query_holding_its_row_link_stand_in(client, tree, query):
    """`OneRowLinkChangeList.url_for_result` splits the row link at "0-pk-0" and unpacks two parts;
    the list's query string (page, ordering) is carried in that link (fund_portal/admin.py)."""
    fund = FundFactory(unit=tree["d1"], code="huyen-mot")
    give(fund, 1_000_000, timezone.localdate(), donor_name="Lê Văn Tâm")
    client.force_login(staff(tree["d1"]))
    body = answers_cleanly(client, f"/admin/donations/donation/?{query}")
    assert "Lê Văn Tâm" in body or "?e=1" in body


def test_the_admin_children_list_survives_a_query_holding_its_row_link_stand_in(client, tree, officer_a):
    client.force_login(staff(tree["d1"]))
    body = answers_cleanly(client, "/admin/children/child/?p=0-pk-0")
    assert "Nguyễn Văn An 0" in body


@pytest.mark.parametrize("timestamp", ["²²²²²²²²²²", "¹"])
def test_a_bank_feed_signature_timestamp_of_unicode_digits_gets_401(client, settings, timestamp):
    """`_check_signature`: `timestamp.isdigit()` then `int(timestamp)` (donations/sepay.py); an
    anonymous sender reaches it with any signature."""
    settings.BANK_FEED_HMAC_SECRET = "feed-secret-for-tests-only"
    client.raise_request_exception = False
    response = client.post(
        "/bank-feed/sepay/",
        json.dumps({"id": 1, "transferType": "in", "transferAmount": 1}),
        content_type="application/json",
        headers={"X-SePay-Timestamp": timestamp, "X-SePay-Signature": "sha256=abc"},
    )
    assert response.status_code == 401
    message = response.json()["message"]
    assert any(ch in message for ch in "ảãáàạăâêôơưđ"), message


# Public pages: what a donor asked, and each query its own page ---------------------------------


@pytest.fixture
def roll(tree, settings):
    settings.RECOGNITION_MIN_AMOUNT = 1_000_000
    fund = FundFactory(unit=tree["d1"], code="huyen-mot", parent=None)
    today = timezone.localdate()
    for name, preference in (
        ("Trần Thị Bích Ngọc", DisplayPreference.INITIALS),
        ("Công ty TNHH Thương mại Ánh Dương", DisplayPreference.FULL_NAME),
        ("Công ty TNHH Thương mại Bình Minh", DisplayPreference.FULL_NAME),
    ):
        give(
            fund,
            2_000_000,
            today,
            donor=DonorFactory(unit=tree["d1"], name=name, display_preference=preference),
        )
    return fund


@pytest.mark.parametrize("query", ["tran thi bich ngoc", "bich ngoc", "Trần Thị Bích"])
def test_the_honour_roll_search_does_not_confirm_the_full_name_of_a_donor_shown_by_initials(
    client, roll, query
):
    """A donor who chose initials is shown "T.T.B.N."; a search by their full name (or, letter by
    letter, any part of it) that finds their line tells who "T.T.B.N." is
    (`recognised_donors` filters on `name_folded`, donations/selectors/transparency.py)."""
    body = answers_cleanly(client, "/honour-roll/", data={"q": query})
    assert "T.T.B.N." not in body
    assert "Không có nhà hảo tâm nào được vinh danh năm" in body
    assert "T.T.B.N." in answers_cleanly(client, "/honour-roll/")  # still on the roll itself


def test_two_honour_roll_searches_alike_in_their_first_20_characters_get_their_own_answers(client, roll):
    """`page_key` keys the shared page by `request.GET[p][:20]` (public/cache.py): the second visitor's
    search was answered with the first visitor's page."""
    first = answers_cleanly(client, "/honour-roll/", data={"q": "cong ty tnhh thuong mai anh duong"})
    assert "Ánh Dương" in first and "Bình Minh" not in first
    second = answers_cleanly(client, "/honour-roll/", data={"q": "cong ty tnhh thuong mai binh minh"})
    assert "Bình Minh" in second and "Ánh Dương" not in second


def test_two_funds_whose_codes_are_alike_in_their_first_20_characters_show_their_own_accounts(client, tree):
    """The same key on /transparency/?fund=<code>: a fund's page showed another fund's accounts."""
    one = FundFactory(unit=tree["d1"], code="huyen-mot", parent=None, name="Quỹ Huyện Một")
    funds = {
        "quy-bao-tro-tre-em-xa-an": FundFactory(
            unit=tree["a"], code="quy-bao-tro-tre-em-xa-an", parent=one, name="Quỹ Xã An"
        ),
        "quy-bao-tro-tre-em-xa-binh": FundFactory(
            unit=tree["b"], code="quy-bao-tro-tre-em-xa-binh", parent=one, name="Quỹ Xã Bình"
        ),
    }
    for fund in funds.values():
        give(fund, 1_000_000, timezone.localdate(), donor_name=f"Nhà hảo tâm {fund.name}")
    for code, fund in funds.items():
        body = answers_cleanly(client, "/transparency/", data={"fund": code})
        other = next(f for f in funds.values() if f != fund)
        assert f"Nhà hảo tâm {fund.name}" in body and f"Nhà hảo tâm {other.name}" not in body, code


# What behaved: kept so that it stays so ----------------------------------------------------------


def test_a_cursor_naming_another_communes_child_shows_only_the_officers_own(client, tree, officer_a):
    other = register_child(staff(tree["d1"]), tree["b"], "Đào Thị Xa Lạ")
    client.force_login(officer_a)
    for url, data in (
        ("/portal/children/", {"after": str(other.pk)}),
        ("/portal/children/priority/", {"after": str(other.pk)}),
        ("/portal/children/", {"after": f"|{other.pk}"}),
        ("/portal/children/", {"after": f"a|{other.pk - 1}"}),
        ("/portal/children/", {"after": f"{other.name_folded}|{other.pk}"}),
        ("/portal/children/", {"after": f"{other.pk}|{other.pk}"}),  # a priority cursor, on the name list
        ("/portal/children/priority/", {"after": f"999|{other.pk}", "commune": str(tree["b"].pk)}),
        ("/portal/children/priority/", {"after": f"-1|{other.pk}"}),
        ("/portal/children/priority/", {"after": f"nguyen|{other.pk}"}),  # a name cursor, on priority
        ("/portal/children/priority/", {"commune": str(tree["b"].pk)}),
    ):
        body = answers_cleanly(client, url, data=data)
        assert "Xa Lạ" not in body, (url, data)
    # The search beside a cursor: marks alone, LIKE's wildcards, a backslash, a cursor of another search.
    for q in ("\u0301", "%", "_", "\\", "xa la", "\u202exa"):
        body = answers_cleanly(client, "/portal/children/", data={"q": q, "after": str(other.pk)})
        assert "Xa Lạ" not in body, q


def test_the_next_page_link_of_the_childrens_list_holds_no_childs_name(client, tree, officer_a):
    """The cursor is the last child's id: its name (folded) was in the link, so in the server's access
    log and the browser's history. The next page starts after that child, whose key is read again."""
    for index in range(3, 32):
        register_child(officer_a, tree["a"], f"Trần Thị Bình {index:02}", born=dt.date(2016, 2, 1))
    client.force_login(officer_a)
    body = answers_cleanly(client, "/portal/children/")
    link = re.search(r'href="\?after=([^"]*)"', body)
    assert link is not None and link[1].isascii() and link[1].isdigit(), link
    assert "tran" not in link[1] and "nguyen" not in link[1]
    second = answers_cleanly(client, "/portal/children/", data={"after": link[1]})
    assert "Trần Thị Bình 31" in second and "Nguyễn Văn An 0" not in second


def test_odd_honour_roll_and_transparency_parameters_answer_cleanly(client, roll):
    year = timezone.localdate().year
    full_width_year = "".join(chr(0xFF10 + int(d)) for d in str(year))
    for data in (
        {"year": full_width_year},  # int() reads it: the year itself
        {"page": "²"},
        {"page": "1_0"},
        {"q": "\u202e\u200b"},
        {"q": "😀" * 300},
        {"q": "\\"},
        {"q": "[(*"},
    ):
        answers_cleanly(client, "/honour-roll/", data=data)
    # The last of repeated values is read, and an out-of-range one is a Vietnamese "not found".
    for url in (f"/honour-roll/?year={year}&year=-1", "/transparency/?fund=huyen-mot&fund=nope"):
        response = client.get(url)
        assert response.status_code == 404 and NOT_FOUND in response.content.decode(), url
    for data in ({"month": "²"}, {"page": "999999"}, {"year": full_width_year, "month": "１"}):
        assert client.get("/transparency/", data).status_code == 200, data
    response = client.get("/transparency/donors.csv", {"year": str(year)})
    assert response.status_code == 404


def test_odd_admin_donation_searches_answer_cleanly(client, tree):
    fund = FundFactory(unit=tree["d1"], code="huyen-mot")
    gift = give(fund, 1_000_000, timezone.localdate(), donor_name="Lê Văn Tâm")
    client.force_login(staff(tree["d1"]))
    for term in ("²", "١٢٣", "\\", "[", "(", "%_", "\"'", "\u200b", "😀", "a" * 3000, "1" + "a" * 3000):
        answers_cleanly(client, "/admin/donations/donation/", data={"q": term})
    found = answers_cleanly(
        client, "/admin/donations/donation/", data={"q": f" {gift.receipt_number.lower()} "}
    )
    assert "Lê Văn Tâm" in found
    assert "Lê Văn Tâm" in answers_cleanly(client, "/admin/donations/donation/", data={"q": "LE VAN TAM"})
