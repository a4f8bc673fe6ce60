"""A bank transaction, whichever path brings it (a statement file, the bank feed): recorded once,
matched to the pending donation whose reference it quotes, and posted.

The statement import (`donations.services.statements`) and the bank feed (`donations.services.bank_feed`)
both hand their incoming transfers to `transactions_record`: one identity, one matcher.

Identity. A transfer is the same as one already stored for the account when
- the bank's transaction number is the same (`bank_ref`, compared without spaces, upper case); or,
  without a number, the line key is (date, amount, description: `ParsedLine.key`);
- or it came by the other path (a statement line and a feed delivery): same amount, dates at most a day
  apart (the feed has the moment of the transfer, the statement the booking day), and the same
  description once folded (case, spaces, punctuation and diacritics ignored) or the same donation's
  reference quoted. Each stored transfer stands for one new line at most: a donor who paid twice is two
  transfers.

Matching. The description is folded and the fund's references are looked for in it: a code glued to
the next word ("QBTTEKKS29G3XCT") or split by spaces ("qbtte kks2 9g3x") is found; every candidate is
looked up among the fund's donations at once. The first pending one is the match; when the amounts are
equal it is posted, else the line names it (`candidate`) and waits for staff, who post it at the
amount received (`line_post_received`). Only money in reaches here: a refund out that quotes a
reference is never stored as a transfer, so its donation stays pending.

Locks, in this order: the bank account (the caller's), the donations to post, then the fund's receipt
counter (`donation_post_many`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.bulk import bulk_load, reserve_ids
from fund_portal.money import format_vnd

from ..imports.statements import ParsedLine
from ..models import (
    BankAccount,
    BankStatement,
    BankStatementLine,
    Donation,
    DonationStatus,
    StatementLineStatus,
)
from ..vietqr import find_references, normalize_reference_text
from .donations import donation_post_many

#: How far apart the feed's moment of a transfer and the statement's booking day may be.
SAME_TRANSFER_DAYS = dt.timedelta(days=1)
_CHUNK = 5000


@dataclass
class Recorded:
    """What became of the lines handed in: stored (and of those, posted), or found already on record."""

    new: list[BankStatementLine] = field(default_factory=list)
    matched: list[BankStatementLine] = field(default_factory=list)
    #: The stored line each line already on record is, in the order they came.
    known: list[BankStatementLine] = field(default_factory=list)


@dataclass
class _Candidate:
    line: ParsedLine
    references: list[str]
    donation: dict | None = None
    exact: bool = False
    note: str = ""


@requires(Action.STATEMENT_RECONCILE)
def transactions_record(
    *,
    bank_account: BankAccount,
    lines: list[ParsedLine],
    source: str,
    by,
    statement: BankStatement | None = None,
) -> Recorded:
    """Store the transfers not on record yet and post the donations they pay. In the caller's
    transaction, under its lock of `bank_account`. Posting checks its own action (`donation_post_many`)."""
    result = Recorded()
    unique: dict[tuple, ParsedLine] = {}
    for line in lines:
        unique.setdefault(line.identity(bank_account), line)  # a transfer listed twice: once
    fresh = _not_on_record(bank_account, list(unique.values()), result)
    candidates = [_Candidate(line, find_references(line.description)) for line in fresh]
    donations = _donations_quoted(bank_account, candidates)
    candidates = _not_seen_by_the_other_path(bank_account, candidates, donations, source, result)
    _choose(candidates, donations)
    to_post = [c for c in candidates if c.exact]
    posted = {
        donation.pk: donation
        for donation in donation_post_many(
            donations=[Donation(pk=c.donation["pk"]) for c in to_post],
            received_on={c.donation["pk"]: c.line.booked_on for c in to_post},
            by=by,
        )
    }
    records = [_record(c, bank_account, statement, source, posted) for c in candidates]
    _store(records)
    result.new = records
    result.matched = [record for record in records if record.status == StatementLineStatus.MATCHED]
    return result


def _not_on_record(bank_account: BankAccount, lines: list[ParsedLine], result: Recorded) -> list[ParsedLine]:
    """The lines whose number (or key) no stored line of the account has."""
    stored = BankStatementLine.objects.filter(bank_account=bank_account)
    by_ref: dict[str, BankStatementLine] = {}
    by_key: dict[str, BankStatementLine] = {}
    refs = [line.bank_ref for line in lines if line.bank_ref]
    keys = [line.key(bank_account) for line in lines]
    for chunk in _chunks(refs):
        by_ref.update((line.bank_ref, line) for line in stored.filter(bank_ref__in=chunk))
    for chunk in _chunks(keys):
        by_key.update((line.line_key, line) for line in stored.filter(line_key__in=chunk))
    fresh = []
    for line, key in zip(lines, keys, strict=True):
        known = by_ref.get(line.bank_ref) if line.bank_ref else None
        known = known or by_key.get(key)
        if known is None:
            fresh.append(line)
        else:
            result.known.append(known)
    return fresh


def _donations_quoted(bank_account: BankAccount, candidates: list[_Candidate]) -> dict[str, dict]:
    """The fund's donations whose reference some line quotes, by reference (one query per 5,000)."""
    references = sorted({reference for c in candidates for reference in c.references})
    found: dict[str, dict] = {}
    for chunk in _chunks(references):
        rows = Donation.objects.filter(fund_id=bank_account.fund_id, transfer_reference__in=chunk).values(
            "pk", "transfer_reference", "status", "amount", "receipt_number"
        )
        found.update((row["transfer_reference"], row) for row in rows)
    return found


def _not_seen_by_the_other_path(
    bank_account: BankAccount,
    candidates: list[_Candidate],
    donations: dict[str, dict],
    source: str,
    result: Recorded,
) -> list[_Candidate]:
    """Leave out the transfers the other path (feed or statement) stored already (see the docstring)."""
    if not candidates:
        return candidates
    days = [c.line.booked_on for c in candidates]
    others = (
        BankStatementLine.objects.filter(
            bank_account=bank_account,
            booked_on__range=(min(days) - SAME_TRANSFER_DAYS, max(days) + SAME_TRANSFER_DAYS),
        )
        .exclude(source=source)
        .select_related("donation")
    )
    amounts = {c.line.amount for c in candidates}
    if len(amounts) <= 1000:
        others = others.filter(amount__in=amounts)
    by_amount: dict[int, list[BankStatementLine]] = defaultdict(list)
    for other in others:
        by_amount[other.amount].append(other)
    if not by_amount:
        return candidates
    claimed: set[int] = set()
    kept = []
    for candidate in candidates:
        same = next(
            (
                other
                for other in by_amount.get(candidate.line.amount, ())
                if other.pk not in claimed and _same_transfer(candidate, other)
            ),
            None,
        )
        if same is None:
            kept.append(candidate)
        else:
            claimed.add(same.pk)
            result.known.append(same)
    return kept


def _same_transfer(candidate: _Candidate, other: BankStatementLine) -> bool:
    if abs(candidate.line.booked_on - other.booked_on) > SAME_TRANSFER_DAYS:
        return False
    if normalize_reference_text(candidate.line.description) == normalize_reference_text(other.description):
        return True
    quoted = other.donation.transfer_reference if other.donation else None
    return bool(quoted) and quoted in candidate.references


def _choose(candidates: list[_Candidate], donations: dict[str, dict]) -> None:
    """Each line's donation: the exact amounts first, so a line of another amount quoting the same
    reference does not take a donation that another line pays exactly."""
    taken: set[int] = set()
    for exact_pass in (True, False):
        for candidate in candidates:
            if candidate.donation is not None:
                continue
            for reference in candidate.references:
                row = donations.get(reference)
                if row is None or row["status"] != DonationStatus.PENDING or row["pk"] in taken:
                    continue
                if exact_pass and row["amount"] != candidate.line.amount:
                    continue
                candidate.donation, candidate.exact = row, row["amount"] == candidate.line.amount
                taken.add(row["pk"])
                break
    for candidate in candidates:
        if candidate.donation is None or not candidate.exact:
            candidate.note = _why_waiting(candidate, donations)


def _why_waiting(candidate: _Candidate, donations: dict[str, dict]) -> str:
    if candidate.donation is not None:
        return _("Reference %(ref)s announced %(announced)s but %(received)s arrived.") % {
            "ref": candidate.donation["transfer_reference"],
            "announced": format_vnd(candidate.donation["amount"]),
            "received": format_vnd(candidate.line.amount),
        }
    if not candidate.references:
        return _("No transfer reference in the description.")
    reference = candidate.references[0]
    row = donations.get(reference)
    if row is not None and row["status"] == DonationStatus.POSTED:
        return _("Reference %(ref)s is already posted (receipt %(receipt)s).") % {
            "ref": reference,
            "receipt": row["receipt_number"],
        }
    return _("Reference %(ref)s matches no pending donation.") % {"ref": reference}


def _record(
    candidate: _Candidate,
    bank_account: BankAccount,
    statement: BankStatement | None,
    source: str,
    posted: dict[int, Donation],
) -> BankStatementLine:
    line = candidate.line
    donation = posted.get(candidate.donation["pk"]) if candidate.exact else None
    return BankStatementLine(
        statement=statement,
        source=source,
        bank_account=bank_account,
        line_key=line.key(bank_account),
        booked_on=line.booked_on,
        amount=line.amount,
        description=line.description[:500],
        bank_ref=line.bank_ref,
        status=StatementLineStatus.MATCHED if donation else StatementLineStatus.UNMATCHED,
        donation=donation,
        candidate_id=candidate.donation["pk"] if candidate.donation and not donation else None,
        note=candidate.note[:255],
    )


LINE_COLUMNS = [
    "id",
    "statement_id",
    "source",
    "bank_account_id",
    "line_key",
    "booked_on",
    "amount",
    "description",
    "bank_ref",
    "status",
    "donation_id",
    "candidate_id",
    "note",
]


def _store(records: list[BankStatementLine]) -> None:
    """Insert the new lines with ids reserved from the table's sequence (COPY on PostgreSQL: a
    statement's 10,000 lines in a tenth of a second; `bulk_create` takes ten times that)."""
    table = BankStatementLine._meta.db_table
    for record, pk in zip(records, reserve_ids(table, len(records)), strict=True):
        record.pk = record.id = pk
        record._state.adding = False
    bulk_load(
        table, LINE_COLUMNS, [tuple(getattr(record, column) for column in LINE_COLUMNS) for record in records]
    )


def _chunks(values: list) -> list[list]:
    return [values[start : start + _CHUNK] for start in range(0, len(values), _CHUNK)]
