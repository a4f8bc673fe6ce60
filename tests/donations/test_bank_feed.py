"""The live bank feed: a SePay-style webhook posted over real HTTP to the running server, and what it
leaves in the donations, the ledger, the delivery log and the outbox."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

import pytest
from django.core import mail
from django.db.models import Sum
from django.urls import reverse

from donations.models import (
    BankAccount,
    BankFeedDelivery,
    BankStatementLine,
    Donation,
    DonationStatus,
    FeedOutcome,
    LedgerEntry,
    StatementLineSource,
    StatementLineStatus,
)
from donations.services.donations import donation_create
from donations.services.statements import statement_import
from donations.tasks import receipt_email_task
from tests.donations.test_reconciliation import csv_file

SECRET = "feed-secret-for-tests-only"
API_KEY = "feed-api-key-for-tests-only"


@pytest.fixture
def account(fund):
    return BankAccount.objects.create(
        fund=fund,
        bank_name="Vietcombank",
        bank_bin="970436",
        account_number="0123499999",
        account_name="QUY BTTE HUYEN MOT",
        is_default=True,
    )


@pytest.fixture
def feed_settings(settings):
    settings.BANK_FEED_HMAC_SECRET = SECRET
    settings.BANK_FEED_API_KEY = API_KEY
    return settings


def pledge(fund, amount=500_000, email="mai@example.org"):
    return donation_create(
        fund=fund,
        amount=amount,
        received_on=fund_today(),
        kind="transfer",
        with_transfer_reference=True,
        donor_email=email,
    )


def fund_today():
    from django.utils import timezone

    return timezone.localdate()


def body(**changes) -> dict:
    payload = {
        "id": 92704,
        "gateway": "Vietcombank",
        "transactionDate": f"{fund_today():%Y-%m-%d} 14:02:37",
        "accountNumber": "0123499999",
        "code": None,
        "content": "chuyen tien ung ho",
        "transferType": "in",
        "transferAmount": 500000,
        "accumulated": 19077000,
        "subAccount": None,
        "referenceCode": "MBVCB.3278907687",
        "description": "BankAPINotify chuyen tien ung ho",
    }
    payload.update(changes)
    return payload


def signed_headers(raw: bytes, *, secret=SECRET, timestamp=None) -> dict:
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return {"X-SePay-Timestamp": timestamp, "X-SePay-Signature": f"sha256={digest}"}


def post(url: str, payload, headers=None, *, sign=True) -> tuple[int, dict]:
    """A real HTTP POST, as the provider sends it; the status and the JSON answer."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **(signed_headers(raw) if sign else {}), **(headers or {})}
    request = urllib.request.Request(url, data=raw, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  our test server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def nothing_written():
    return not BankFeedDelivery.objects.exists() and not BankStatementLine.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker_test
def test_the_feed_over_http_posts_once_emails_the_receipt_and_leaves_a_refund_pending(
    live_server, celery_app, celery_worker, feed_settings, account, fund, district_staff
):
    url = live_server.url + reverse("bank_feed:sepay")
    paid, refunded = pledge(fund), pledge(fund, amount=200_000, email="")
    # The code runs on into the next word, as a bank's truncated description writes it.
    incoming = body(content=f"CT DEN:0123 {paid.transfer_reference}CT tu TRAN THI MAI")

    forged = {"X-SePay-Signature": "sha256=" + "0" * 64}
    assert post(url, incoming, forged)[0] == 401
    assert nothing_written()

    assert post(url, incoming) == (200, {"success": True})
    paid.refresh_from_db()
    assert paid.status == DonationStatus.POSTED and paid.receipt_number
    assert receipt_email_task.name in celery_worker.app.tasks
    give_up = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < give_up:
        time.sleep(0.2)  # the worker runs in a thread of this process and writes to the same outbox
    assert [m.to for m in mail.outbox] == [["mai@example.org"]]
    assert paid.receipt_number in mail.outbox[0].body

    # The provider did not hear the answer and sends it again: nothing changes.
    assert post(url, incoming) == (200, {"success": True})
    # A refund out that quotes the other pledge's reference leaves that pledge pending.
    out = body(id=92705, transferType="out", transferAmount=200000, referenceCode="FT2",
               content=f"hoan tien {refunded.transfer_reference}")  # fmt: skip
    assert post(url, out) == (200, {"success": True})

    refunded.refresh_from_db()
    assert refunded.status == DonationStatus.PENDING
    deliveries = {d.transaction_id: d for d in BankFeedDelivery.objects.all()}
    assert set(deliveries) == {"92704", "92705"}
    assert deliveries["92704"].outcome == FeedOutcome.POSTED and deliveries["92704"].line.donation == paid
    assert deliveries["92705"].outcome == FeedOutcome.OUTGOING and deliveries["92705"].line is None
    assert deliveries["92704"].body["referenceCode"] == "MBVCB.3278907687"
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 500_000
    assert BankStatementLine.objects.get().source == StatementLineSource.FEED
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_transfer_the_feed_posted_is_not_posted_again_by_the_statement(
    live_server, feed_settings, account, fund, district_staff
):
    url = live_server.url + reverse("bank_feed:sepay")
    paid = pledge(fund)
    assert post(url, body(content=f"ung ho {paid.transfer_reference}"))[0] == 200
    also_unmatched = body(id=92710, content="Nguyen Van B ung ho", transferAmount=300000, referenceCode="X9")
    assert post(url, also_unmatched)[0] == 200
    # The statement of the day, exported later: the same two transfers without the feed's numbers,
    # descriptions respaced and recased, and one transfer the feed never announced.
    day = fund_today().strftime("%d/%m/%Y")
    rows = [
        (day, "500.000", f"UNG HO {paid.transfer_reference[:5]} {paid.transfer_reference[5:]}"),
        (day, "300.000", "NGUYEN VAN B  UNG HO"),
        (day, "100.000", "ung ho them"),
    ]
    statement = statement_import(
        bank_account=account,
        uploaded=csv_file(rows, header=("Ngày giao dịch", "Số tiền", "Nội dung")),
        by=district_staff,
        name="sao-ke.csv",
    )
    assert (statement.new_lines, statement.matched_lines, statement.known_lines) == (1, 0, 2)
    assert Donation.objects.filter(status=DonationStatus.POSTED).count() == 1
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 500_000
    assert BankStatementLine.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_transfer_the_statement_posted_is_known_to_the_feed(
    live_server, feed_settings, account, fund, district_staff
):
    paid = pledge(fund)
    day = fund_today().strftime("%d/%m/%Y")
    statement_import(
        bank_account=account,
        uploaded=csv_file([(day, "500.000", f"ung ho {paid.transfer_reference}", "FT26337001")]),
        by=district_staff,
        name="sao-ke.csv",
    )
    late = body(content=f"ung ho {paid.transfer_reference}", referenceCode="VCB.778899")
    assert post(live_server.url + reverse("bank_feed:sepay"), late) == (200, {"success": True})
    delivery = BankFeedDelivery.objects.get()
    assert delivery.outcome == FeedOutcome.KNOWN and delivery.line.bank_ref == "FT26337001"
    assert BankStatementLine.objects.count() == 1
    assert LedgerEntry.objects.count() == 1


# --- Refused deliveries: 4xx, nothing written (the Django test client: same view, same answers) ------


def send(client, payload, headers=None, *, sign=True, method="post"):
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    extra = {**(signed_headers(raw) if sign else {}), **(headers or {})}
    url = reverse("bank_feed:sepay")
    return getattr(client, method)(url, data=raw, content_type="application/json", headers=extra)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload,words",
    [
        (body(transferAmount="500000"), "transferAmount"),
        (body(transferAmount=500000.5), "transferAmount"),
        (body(transferAmount=True), "transferAmount"),
        (body(transferAmount=-500000), "transferAmount"),
        ({k: v for k, v in body().items() if k != "id"}, "(id)"),
        (body(id=None), "(id)"),
        (body(id="92704; DROP TABLE"), "(id)"),
        (body(transferType="refund"), "transferType"),
        (body(transactionDate="25/03/2023 14:02"), "transactionDate"),
        (body(accountNumber=None), "accountNumber"),
        (body(content={"x": 1}), "content"),
        (body(accountNumber="999888777"), "999888777"),
        (b"not json", "JSON"),
        (b"[1, 2]", "JSON"),
    ],
)
def test_a_malformed_body_is_refused_with_400_in_vietnamese_and_nothing_is_written(
    client, feed_settings, account, payload, words
):
    response = send(client, payload)
    assert response.status_code == 400
    answer = response.json()
    assert answer["success"] is False and words in answer["message"]
    assert any(ch in answer["message"] for ch in "ảãáàạăâêôơưđ"), answer["message"]
    assert nothing_written()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers,sign",
    [
        ({}, False),
        ({"Authorization": "Apikey wrong"}, False),
        ({"X-SePay-Signature": "sha256=abc"}, True),
        (None, "old"),
        (None, "other secret"),
    ],
)
def test_a_delivery_without_a_good_key_or_signature_gets_401(client, feed_settings, account, headers, sign):
    raw = json.dumps(body()).encode()
    if sign == "old":
        headers = signed_headers(raw, timestamp=int(time.time()) - 600)
    elif sign == "other secret":
        headers = signed_headers(raw, secret="not the secret")
    response = send(client, raw, headers, sign=sign is True)
    assert response.status_code == 401 and response.json()["success"] is False
    assert nothing_written()


@pytest.mark.django_db
def test_the_api_key_is_enough(client, feed_settings, account, fund):
    paid = pledge(fund)
    response = send(
        client, body(content=paid.transfer_reference), {"Authorization": f"Apikey {API_KEY}"}, sign=False
    )
    assert response.json() == {"success": True}
    paid.refresh_from_db()
    assert paid.status == DonationStatus.POSTED


@pytest.mark.django_db
def test_an_unconfigured_feed_answers_404_and_a_get_405(client, settings, account):
    settings.BANK_FEED_HMAC_SECRET = settings.BANK_FEED_API_KEY = ""
    assert send(client, body()).status_code == 404
    assert client.get(reverse("bank_feed:sepay")).status_code == 405
    assert nothing_written()


@pytest.mark.django_db
def test_an_amount_that_differs_waits_beside_its_donation_and_is_posted_at_what_arrived(
    client, feed_settings, account, fund, district_staff
):
    from donations.services.statements import line_post_received

    paid = pledge(fund, amount=500_000)
    assert send(client, body(content=f"ung ho {paid.transfer_reference}", transferAmount=450000)).json() == {
        "success": True
    }
    line = BankStatementLine.objects.get()
    assert line.status == StatementLineStatus.UNMATCHED and line.candidate == paid
    assert "500.000 ₫" in line.note and "450.000 ₫" in line.note

    donation = line_post_received(line=line, by=district_staff)

    donation.refresh_from_db()
    assert (donation.status, donation.amount, donation.announced_amount) == (
        DonationStatus.POSTED,
        450_000,
        500_000,
    )
    line.refresh_from_db()
    assert line.status == StatementLineStatus.MATCHED and line.donation == donation and line.candidate is None
    assert "500.000 ₫" in line.note and "450.000 ₫" in line.note
    assert LedgerEntry.objects.get().amount == 450_000
