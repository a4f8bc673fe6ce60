"""Benchmarks of the bank statements and the bank feed (issue 16).

`statement_import`: a 10,000-line statement in its bank's layout (XLSX, preamble above the table) for
the demo district fund's account (Agribank): 3,000 lines quote a pending donation's reference with its
amount (written glued, split, lower case), 500 quote one with another amount, 6,500 quote none. It is
read alone (`statement_read`, the baseline beside the import), then imported and matched
(`statement_import`: stored, matched, 3,000 donations posted with receipt numbers and ledger
entries) in a transaction that is rolled back, with the pending donations it pays made in the same
transaction. The fund's donation count is in the note: the issue's target is for 1,000,000 (load the
large data set: `seed_demo --donations 1000000`).

`bank_feed`: gunicorn (2 sync workers, DEBUG off) with an HMAC secret; 400 signed deliveries posted one
after the other by real HTTP, half paying a pending donation (posted, receipt queued), half quoting
none; p95 of the answer's time, beside the bare Django view's p95 in the same loop. These deliveries
commit (a server's requests cannot be rolled back): each run leaves 200 posted demo donations and 400
feed lines in the benchmark database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import random
import secrets
import time
import urllib.request

import openpyxl
from django.db import connection
from django.utils import timezone

from bench.measure import Measure, benchmark, percentile
from bench.rollback import check_deferred_constraints, rolled_back
from bench.server import gunicorn
from donations.imports.statement_layouts import LAYOUTS
from donations.imports.statements import statement_read
from donations.models import (
    BankAccount,
    BankStatement,
    BankStatementLine,
    DocumentCounter,
    Donation,
    DonationStatus,
    Fund,
    LedgerEntry,
    LedgerMonth,
)
from donations.services.statements import statement_import
from donations.vietqr import make_transfer_reference
from fund_portal.demo import seed_demo
from fund_portal.models import User

LINES = 10_000
MATCHED = 3_000
OTHER_AMOUNT = 500
STATEMENT_TARGET_S = 3
FEED_DELIVERIES = 400
FEED_TARGET_MS = 100
WRITTEN = (Donation, LedgerEntry, LedgerMonth, DocumentCounter, BankStatement, BankStatementLine)


def _context() -> tuple[Fund, BankAccount, User]:
    seed_demo()
    fund = Fund.objects.get(code="qbtte-trieu-son")
    account = BankAccount.objects.filter(fund=fund).order_by("-is_default", "pk").first()
    return fund, account, User.objects.get(username="canbo.huyen")


def _pending(fund: Fund, user: User, amounts: list[int], *, email: bool = False) -> list[Donation]:
    today = timezone.localdate()
    donations = [
        Donation(
            fund=fund,
            kind="transfer",
            amount=amount,
            received_on=today,
            source="child_fund",
            status=DonationStatus.PENDING,
            transfer_reference=make_transfer_reference(),
            donor_email="nha-hao-tam@example.org" if email and n % 2 == 0 else "",
            created_by=user,
        )
        for n, amount in enumerate(amounts)
    ]
    return Donation.objects.bulk_create(donations, batch_size=2000)


def _written(reference: str, rng: random.Random) -> str:
    """A reference as senders and banks write it: whole, glued to the next word, split, lower case."""
    form = rng.randrange(4)
    if form == 0:
        return f"{reference} ung ho quy"
    if form == 1:
        return f"{reference}CT tu NGUYEN VAN AN"
    if form == 2:
        return f"{reference[:5].lower()} {reference[5:9].lower()} {reference[9:].lower()}"
    return f"MBVCB.{rng.randrange(10**9)}.{reference}.UNG HO"


def statement_xlsx(account: BankAccount, rows: list[tuple]) -> bytes:
    """The statement as the account's bank exports it (the demo's is at Agribank): a preamble, then
    the table (debit and credit apart), then the totals."""
    layout = next(layout for layout in LAYOUTS if layout.bin == account.bank_bin)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([f"NGÂN HÀNG {layout.markers[-1].upper()} - {layout.bank}"])
    sheet.append(["SAO KÊ TÀI KHOẢN"])
    sheet.append([f"Số tài khoản: {account.account_number}", "", f"Tên tài khoản: {account.account_name}"])
    sheet.append(["Loại tiền: VND"])
    sheet.append([])
    sheet.append(
        ["STT", layout.booked_on[0], layout.bank_ref[0], layout.debit[0], layout.credit[0], "Số dư"]
        + [layout.description[0]]
    )
    balance = 0
    for n, (day, amount, description, ref) in enumerate(rows, start=1):
        balance += amount
        sheet.append([n, day.strftime("%d/%m/%Y"), ref, "", f"{amount:,}", f"{balance:,}", description])
    sheet.append(["Tổng số", "", "", "0", f"{balance:,}"])
    sheet.append(["Số dư cuối kỳ", "", "", "", "", f"{balance:,}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@benchmark("statement_import")
def bench_statement_import() -> list[Measure]:
    fund, account, user = _context()
    rng = random.Random(2026)
    today = timezone.localdate()
    donations_in_fund = Donation.objects.filter(fund=fund).count()
    amounts = [rng.choice((100_000, 200_000, 500_000, 1_000_000)) for _ in range(MATCHED + OTHER_AMOUNT)]
    run = secrets.token_hex(4).upper()
    outcome: dict = {}
    with rolled_back(clean=WRITTEN):
        pending = _pending(fund, user, amounts)
        rows = []
        for n, donation in enumerate(pending):
            amount = donation.amount if n < MATCHED else donation.amount - 50_000
            rows.append(
                (today - dt.timedelta(days=n % 28), amount, _written(donation.transfer_reference, rng))
            )
        for n in range(LINES - len(rows)):
            rows.append((today - dt.timedelta(days=n % 28), rng.choice((50_000, 150_000)), "ung ho tre em"))
        rng.shuffle(rows)
        data = statement_xlsx(account, [(*row, f"FT{run}{n:06d}") for n, row in enumerate(rows)])
        start = time.perf_counter()
        read = statement_read(io.BytesIO(data), name="sao-ke.xlsx", bank_account=account)
        outcome["read_s"] = time.perf_counter() - start
        start = time.perf_counter()
        statement = statement_import(
            bank_account=account, uploaded=io.BytesIO(data), by=user, name="sao-ke.xlsx"
        )
        check_deferred_constraints()
        outcome["import_s"] = time.perf_counter() - start
        outcome["counts"] = (len(read.lines), statement.new_lines, statement.matched_lines)
    lines, new, matched = outcome["counts"]
    if (lines, new, matched) != (LINES, LINES, MATCHED):
        raise RuntimeError(f"the statement was not read as built: {outcome['counts']}")
    size = f"{LINES:,}".replace(",", ".")
    return [
        Measure(
            f"statement: import and match {size} lines (XLSX, {account.bank_name.split()[0]} layout)",
            round(outcome["import_s"], 2),
            "s",
            target=STATEMENT_TARGET_S,
            baseline=round(outcome["read_s"], 2),
            baseline_label="reading the file alone",
            note=f"{MATCHED:,} matched and posted, {OTHER_AMOUNT} of another amount, "
            f"{f'{donations_in_fund:,}'.replace(',', '.')} donations in the fund; {connection.vendor}",
        ),
        Measure(f"statement: reading the {size}-line file alone", round(outcome["read_s"], 2), "s"),
    ]


def _sign(raw: bytes, secret: str) -> dict:
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-SePay-Timestamp": timestamp,
        "X-SePay-Signature": f"sha256={digest}",
    }


def _timed_post(url: str, raw: bytes | None, headers: dict) -> float:
    request = urllib.request.Request(url, data=raw, headers=headers, method="POST" if raw else "GET")
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  our local server
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
    return (time.perf_counter() - start) * 1000


@benchmark("bank_feed")
def bench_bank_feed() -> list[Measure]:
    fund, account, user = _context()
    pending = _pending(fund, user, [200_000] * (FEED_DELIVERIES // 2), email=True)
    secret = secrets.token_hex(16)
    run = secrets.token_hex(4)
    bodies = []
    for n in range(FEED_DELIVERIES):
        paying = pending[n // 2] if n % 2 == 0 else None
        bodies.append(
            json.dumps(
                {
                    "id": f"bench-{run}-{n}",
                    "gateway": "Vietcombank",
                    "transactionDate": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
                    "accountNumber": account.account_number,
                    "content": f"{paying.transfer_reference} ung ho" if paying else f"ung ho tre em {n}",
                    "transferType": "in",
                    "transferAmount": 200_000 if paying else 150_000 + n,
                    "referenceCode": f"FT{run}{n:06d}",
                }
            ).encode()
        )
    with gunicorn(BANK_FEED_HMAC_SECRET=secret) as base:
        bare = [_timed_post(base + "/bench/bare/", None, {}) for _ in range(FEED_DELIVERIES)]
        feed = [_timed_post(base + "/bank-feed/sepay/", raw, _sign(raw, secret)) for raw in bodies]
    posted = Donation.objects.filter(pk__in=[d.pk for d in pending], status=DonationStatus.POSTED).count()
    if posted != len(pending):
        raise RuntimeError(f"the feed posted {posted} of {len(pending)} donations")
    return [
        Measure(
            "bank feed: webhook delivery answered, p95 (gunicorn, real HTTP, one after another)",
            round(percentile(feed, 95), 1),
            "ms",
            target=FEED_TARGET_MS,
            baseline=round(percentile(bare, 95), 1),
            baseline_label="bare Django view, same loop",
            note=f"{FEED_DELIVERIES} signed deliveries, half posting a donation (receipt queued); "
            f"median {percentile(feed, 50):.1f} ms; {connection.vendor}",
        )
    ]
