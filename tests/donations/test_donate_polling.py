"""What a donation's status page polls: its status and, once posted, its receipt; nothing of the donor."""

import json

import pytest
from django.urls import reverse

from donations.services.donations import donation_cancel, donation_post, donation_public_submit

pytestmark = pytest.mark.django_db

DONOR = {"donor_name": "Trần Thị Mai", "donor_phone": "0912345678", "donor_email": "mai@example.org"}


@pytest.fixture
def pending(fund):
    return donation_public_submit(
        fund=fund, client_token="tok-polling-1", amount=500_000, message="Chúc các em vui", **DONOR
    )


def status_json(client, reference: str):
    return client.get(reverse("donations:status_json", kwargs={"reference": reference}))


def assert_nothing_of_the_donor(response) -> None:
    body = response.content.decode()
    for value in [*DONOR.values(), "Chúc các em vui", "Trần", "0912", "example.org"]:
        assert value not in body and json.dumps(value)[1:-1] not in body, value


def test_a_pending_donation_answers_its_status_and_no_receipt(client, pending):
    response = status_json(client, pending.transfer_reference)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "pending",
        "status_label": "Chờ nhận tiền",
        "receipt_number": None,
        "receipt_url": None,
        "message": None,
    }
    assert_nothing_of_the_donor(response)


def test_a_posted_donation_answers_its_receipt_number_and_the_link_that_downloads_it(client, pending):
    number = donation_post(donation=pending, by=None).receipt_number
    response = status_json(client, pending.transfer_reference)
    data = response.json()
    receipt_url = reverse("donations:receipt", kwargs={"reference": pending.transfer_reference})
    assert data == {
        "status": "posted",
        "status_label": "Đã ghi sổ và cấp biên lai",
        "receipt_number": number,
        "receipt_url": receipt_url,
        "message": f"Xin cảm ơn bạn! Khoản ủng hộ của bạn đã được ghi sổ với biên lai số {number}.",
    }
    assert_nothing_of_the_donor(response)
    receipt = client.get(data["receipt_url"])
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"


def test_a_cancelled_donation_answers_cancelled_without_a_receipt(client, pending):
    donation_cancel(donation=pending, by=None)
    response = status_json(client, pending.transfer_reference)
    assert response.status_code == 200
    assert response.json() == {
        "status": "cancelled",
        "status_label": "Đã huỷ",
        "receipt_number": None,
        "receipt_url": None,
        "message": None,
    }
    assert_nothing_of_the_donor(response)


def test_the_reference_is_read_as_a_donor_may_type_it(client, pending):
    response = status_json(client, pending.transfer_reference.lower())
    assert response.status_code == 200 and response.json()["status"] == "pending"


def test_the_labels_follow_the_language_the_visitor_chose(client, pending):
    client.cookies["django_language"] = "en"
    assert status_json(client, pending.transfer_reference).json()["status_label"] == "Awaiting payment"


def test_an_unknown_reference_is_a_404_in_json_with_a_vietnamese_message(client, pending):
    response = status_json(client, "QBTTEZZZZZZZ9")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "Không tìm thấy khoản ủng hộ nào có mã chuyển khoản này. Vui lòng kiểm tra lại đường dẫn."
    }
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "reference",
    ["QBTTE", "x" * 500, "QBTTE-7K2M9XQ4", "'\"<script>", "QBTTĐ7K2M9XQ4", "%20", "QBTTE7K2M9XQ4;DROP"],
)
def test_a_malformed_reference_is_a_404_in_json_and_costs_no_query(
    client, pending, reference, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = status_json(client, reference)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Đây không phải là mã chuyển khoản: vui lòng kiểm tra lại đường dẫn."}


def test_a_nul_byte_in_the_reference_is_refused_before_the_view(client, pending):
    response = client.get(f"/donate/{pending.transfer_reference}%00/status.json")
    assert response.status_code == 400


def test_a_poll_is_one_query_and_is_never_kept_by_a_cache(client, pending, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = status_json(client, pending.transfer_reference)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_status_page_itself_is_never_kept_by_a_cache(client, pending):
    response = client.get(reverse("donations:status", kwargs={"reference": pending.transfer_reference}))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_only_get_and_head_are_answered(client, pending):
    url = reverse("donations:status_json", kwargs={"reference": pending.transfer_reference})
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


def test_the_pending_page_loads_the_polling_script_and_offers_a_check_by_hand(client, pending):
    page = client.get(reverse("donations:status", kwargs={"reference": pending.transfer_reference}))
    html = page.content.decode()
    status_url = reverse("donations:status_json", kwargs={"reference": pending.transfer_reference})
    assert 'src="/static/js/donation-status.js"' in html and f'data-status-url="{status_url}"' in html
    assert "<script>" not in html  # the Content-Security-Policy allows no inline script
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "Kiểm tra lại trạng thái" in html and 'role="status"' in html


def test_a_posted_page_does_not_poll(client, pending):
    donation_post(donation=pending, by=None)
    html = client.get(reverse("donations:status", kwargs={"reference": pending.transfer_reference})).content
    assert b"donation-status.js" not in html and b"data-status-url" not in html


def test_a_donations_pages_are_kept_by_no_cache_and_listed_by_no_search_engine(client, pending):
    """The status page, what it polls and the receipt are for whoever holds the reference."""
    reference = {"reference": pending.transfer_reference}
    responses = [
        client.get(reverse(name, kwargs=reference)) for name in ("donations:status", "donations:status_json")
    ]
    donation_post(donation=pending, by=None)
    responses.append(client.get(reverse("donations:receipt", kwargs=reference)))
    for response in responses:
        assert response.status_code == 200
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert "no-store" in response["Cache-Control"]
