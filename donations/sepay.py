"""The bank feed's message, as SePay (and services like it) send it: one JSON POST per transaction.

Published shape (SePay webhooks, "Tích hợp webhook"):

    {"id": 92704, "gateway": "Vietcombank", "transactionDate": "2023-03-25 14:02:37",
     "accountNumber": "0123499999", "code": null, "content": "chuyen tien QBTTE...",
     "transferType": "in", "transferAmount": 2277000, "accumulated": 19077000,
     "subAccount": null, "referenceCode": "MBVCB.3278907687", "description": "..."}

`id` is the provider's transaction id (the same on every retry), `transactionDate` Vietnam time,
`transferType` "in" or "out", `transferAmount` whole đồng, `referenceCode` the bank's transaction
number. The answer the sender waits for is `{"success": true}` with 200; anything else is retried.

Authentication, either of (SePay offers both):
- an API key: `Authorization: Apikey <key>`;
- an HMAC-SHA256 signature: `X-SePay-Timestamp: <unix seconds>` and `X-SePay-Signature: sha256=<hex>`,
  the HMAC of "<timestamp>.<raw body>" with the shared secret; a timestamp more than five minutes
  away from now is refused (a replayed request).
The key and the secret are settings (`BANK_FEED_API_KEY`, `BANK_FEED_HMAC_SECRET`), never stored here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.text import is_digits

PROVIDER = "sepay"
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_BODY_BYTES = 64 * 1024
_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_ACCOUNT = re.compile(r"[0-9A-Za-z]{1,19}")


class FeedRefused(Exception):
    """The delivery is refused: `status` (400, 401, or 404 when no key is configured) and a message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class FeedTransaction:
    """One transaction as the feed announced it."""

    provider: str
    transaction_id: str
    bank: str
    account_number: str
    moment: dt.datetime
    incoming: bool
    amount: int
    content: str
    bank_ref: str
    body: dict


def sepay_authenticate(headers, body: bytes, *, api_key: str, hmac_secret: str, now: dt.datetime) -> None:
    """Raise FeedRefused(401) unless the request carries the configured key or a good, fresh signature."""
    if not (api_key or hmac_secret):
        raise FeedRefused(404, _("The bank feed is not configured on this portal."))
    authorization = headers.get("Authorization", "")
    if api_key and authorization.startswith("Apikey "):
        if hmac.compare_digest(authorization[len("Apikey ") :].encode(), api_key.encode()):
            return
        raise FeedRefused(401, _("The API key is wrong."))
    signature = headers.get("X-SePay-Signature", "")
    if hmac_secret and signature:
        _check_signature(signature, headers.get("X-SePay-Timestamp", ""), body, hmac_secret, now)
        return
    raise FeedRefused(401, _("The request carries no API key and no signature."))


def _check_signature(signature: str, timestamp: str, body: bytes, secret: str, now: dt.datetime) -> None:
    if not is_digits(timestamp) or len(timestamp) > 12:
        raise FeedRefused(401, _("The signature's timestamp is missing or unreadable."))
    sent = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    if abs(now - sent) > MAX_CLOCK_SKEW:
        raise FeedRefused(401, _("The signature's timestamp is more than five minutes away from now."))
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    given = signature.removeprefix("sha256=").strip().lower()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise FeedRefused(401, _("The signature does not match the body."))


def sepay_parse(body: bytes) -> FeedTransaction:
    """The transaction in a delivery's body, or FeedRefused(400) saying what is wrong with it."""
    if len(body) > MAX_BODY_BYTES:
        raise FeedRefused(400, _("The body is too large."))
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise FeedRefused(400, _("The body is not JSON.")) from None
    if not isinstance(data, dict):
        raise FeedRefused(400, _("The body is not a JSON object."))
    return FeedTransaction(
        provider=PROVIDER,
        transaction_id=_transaction_id(data.get("id")),
        bank=_text(data, "gateway", 60),
        account_number=_account(data.get("accountNumber")),
        moment=_moment(data.get("transactionDate")),
        incoming=_direction(data.get("transferType")),
        amount=_amount(data.get("transferAmount")),
        content=_text(data, "content", 500),
        bank_ref=_text(data, "referenceCode", 64),
        body=data,
    )


def _transaction_id(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise FeedRefused(400, _("The transaction id (id) is missing."))
    text = str(value).strip()
    if not _ID.fullmatch(text):
        raise FeedRefused(400, _("The transaction id (id) is not readable."))
    return text


def _account(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not _ACCOUNT.fullmatch(str(value)):
        raise FeedRefused(400, _("The account number (accountNumber) is missing or unreadable."))
    return str(value)


def _moment(value) -> dt.datetime:
    try:
        naive = dt.datetime.strptime(str(value), _DATE_FORMAT)  # noqa: DTZ007  made aware below
    except ValueError:
        raise FeedRefused(
            400, _("The transaction time (transactionDate) is not written yyyy-mm-dd hh:mm:ss.")
        ) from None
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _direction(value) -> bool:
    if value not in ("in", "out"):
        raise FeedRefused(400, _('The direction (transferType) is neither "in" nor "out".'))
    return value == "in"


def _amount(value) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FeedRefused(400, _("The amount (transferAmount) is not a whole number of đồng."))
    if not 0 < value < 10**13:
        raise FeedRefused(400, _("The amount (transferAmount) is not a positive amount of đồng."))
    return value


def _text(data: dict, key: str, limit: int) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise FeedRefused(400, _("The field %(field)s is not text.") % {"field": key})
    return str(value).strip()[:limit]
