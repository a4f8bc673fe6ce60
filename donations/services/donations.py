"""Writes of donations: recorded as pending, posted with the next receipt number and their ledger entry,
cancelled while pending, reversed once posted.

Row locks, taken only where a rule needs them and always in this order: a statement line
(reconciliation), the donation, the fund, the disbursement, then the fund's receipt counter, the
stock item and the ledger's months (its trigger, one row per kind of entry); a disbursement of goods
takes its stock item before the voucher counter, which nothing else takes. A fund is locked FOR NO
KEY UPDATE: that serialises the spending decisions yet leaves alone the share locks that the
foreign-key checks of other writers (an import's donations and entries, checked at its commit) take
on the fund row; a plain FOR UPDATE there (or one that reaches the fund through `select_related`)
deadlocks with an import that holds the receipt counter.
"""

from __future__ import annotations

import datetime as dt
import json

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.audit import audit_entries, audit_entries_insert_sql, audit_log_many
from fund_portal.authority import Action, requires
from fund_portal.bulk import bulk_update_rows
from fund_portal.models import User
from fund_portal.public_cache import public_figures_changed

from ..models import (
    DocumentSeries,
    Donation,
    DonationKind,
    DonationStatus,
    EntryKind,
    Fund,
    LedgerEntry,
    Medium,
    StockItem,
)
from ..models.common import restriction_values
from ..selectors.balances import available_balance
from ..selectors.donations import account_donor, account_verified_emails
from ..vietqr import make_transfer_reference
from .checks import _require_amount, _require_not_future, today
from .numbers import (
    COUNTER_ADVANCE,
    document_counter_make,
    document_numbers_reserve,
    receipt_number,
    receipt_number_prefix,
    receipt_number_sql,
)
from .stock import stock_issue, stock_receive_donation


@requires(Action.DONATION_RECORD)
def donation_create(
    *,
    fund: Fund,
    amount: int,
    received_on: dt.date,
    kind: str = DonationKind.CASH,
    by: User | None = None,
    with_transfer_reference: bool = False,
    **fields,
) -> Donation:
    """Record a donation as pending; it counts once it is posted."""
    donation_check(fund=fund, amount=amount, received_on=received_on, fields=fields)
    donation = Donation(fund=fund, amount=amount, received_on=received_on, kind=kind, created_by=by, **fields)
    if with_transfer_reference:
        donation.transfer_reference = transfer_reference_new()
    donation.full_clean()
    donation.save()
    return donation


def donation_check(*, fund: Fund, amount, received_on: dt.date, fields: dict) -> None:
    """The rules every donation meets before it is saved: an active fund, a positive whole amount, a date
    not in the future, and links (pledge, drive) that belong to the same fund and donor."""
    if not fund.is_active:
        raise ValidationError({"fund": _("The fund %(fund)s no longer takes donations.") % {"fund": fund}})
    _require_amount(amount)
    _require_not_future(received_on, "received_on")
    _check_links(fund=fund, fields=fields)


def _check_links(*, fund: Fund, fields: dict) -> None:
    """An instalment belongs to its pledge's fund and donor; a drive payment to its drive's fund, agency."""
    donor = fields.get("donor")
    pledge = fields.get("pledge")
    if pledge is not None:
        if pledge.fund_id != fund.pk:
            raise ValidationError({"pledge": _("The pledge was made to another fund.")})
        if donor is not None and donor.pk != pledge.donor_id:
            raise ValidationError({"pledge": _("The pledge was made by another donor.")})
        fields["donor"] = pledge.donor
    agency = fields.get("drive_agency")
    if agency is not None:
        if agency.drive.fund_id != fund.pk:
            raise ValidationError({"drive_agency": _("The drive belongs to another fund.")})
        if donor is not None and donor.pk != agency.agency_id:
            raise ValidationError({"drive_agency": _("A drive payment comes from the agency itself.")})
        fields["donor"] = agency.agency


@requires(Action.DONATION_RECORD)
def donation_update(*, donation: Donation, by: User | None) -> Donation:
    """Save changes to a donation that is still pending; a posted one is corrected only by a reversal."""
    stored = Donation.objects.filter(pk=donation.pk).values_list("status", flat=True).first()
    if stored != DonationStatus.PENDING:
        raise ValidationError(_("Only a donation awaiting payment can be changed."), code="not_pending")
    donation_check(
        fund=donation.fund,
        amount=donation.amount,
        received_on=donation.received_on,
        fields={"pledge": donation.pledge, "drive_agency": donation.drive_agency, "donor": donation.donor},
    )
    donation.full_clean()
    donation.save()
    return donation


def donation_public_submit(
    *, fund: Fund, client_token: str, account: User | None = None, **fields
) -> Donation:
    """A donation announced on /donate/: pending until the transfer is found on the bank statement.

    The form's token makes a double submit (two clicks, a resent form) return the first donation.
    Given while logged in (`account`), it is the account's, shown on its "my donations" page
    (`_linked_to_account`).
    """
    existing = Donation.objects.filter(client_token=client_token).first()
    if existing:
        return existing
    if account is not None and account.is_authenticated:
        fields = _linked_to_account(account, fields)
    try:
        with transaction.atomic():
            return donation_create(
                fund=fund,
                kind=DonationKind.TRANSFER,
                received_on=today(),
                with_transfer_reference=True,
                client_token=client_token,
                **fields,
            )
    except (IntegrityError, ValidationError):
        # Two clicks at once both pass the check above; the second then meets the first's row either in
        # full_clean's check of the token's unique constraint (a ValidationError, once the first has
        # committed) or in the INSERT (an IntegrityError, while it has not). Either way the first
        # donation is the answer; any other error stands.
        existing = Donation.objects.filter(client_token=client_token).first()
        if existing is None:
            raise
        return existing


def _linked_to_account(account: User, fields: dict) -> dict:
    """A logged-in donor's donation is theirs: it belongs to the account's donor record when it has one;
    otherwise it is given with the account's verified email (the one typed, when it is one of them, else
    the primary one), which is how `donor_own_donations` finds it. An email typed that the account has
    not verified is kept for the receipt, and then links nothing: whoever can type an address has not
    shown that it is theirs."""
    donor = account_donor(user=account)
    if donor is not None:
        return {**fields, "donor": donor}
    verified = {email.lower(): email for email in account_verified_emails(user=account)}
    typed = (fields.get("donor_email") or "").strip()
    if typed.lower() in verified:
        return {**fields, "donor_email": verified[typed.lower()]}
    if not typed and verified:
        return {**fields, "donor_email": next(iter(verified.values()))}
    return fields


def transfer_reference_new() -> str:
    """A transfer reference no donation has yet (the column is unique as well)."""
    while True:
        reference = make_transfer_reference()
        if not Donation.objects.filter(transfer_reference=reference).exists():
            return reference


@requires(Action.DONATION_POST)
def donation_post(*, donation: Donation, by: User | None) -> Donation:
    """Post a pending donation: the next receipt number of its fund and year, and its ledger entry."""
    return donation_post_many(donations=[donation], by=by)[0]


@requires(Action.DONATION_POST)
def donation_post_many(
    *, donations: list[Donation], by: User | None, received_on: dict[int, dt.date] | None = None
) -> list[Donation]:
    """Post pending donations together (one, or a statement's thousands of matched transfers): each
    its receipt number, the next of its fund and year (one block reserved for them all), and its
    ledger entry. `received_on` may give a donation the day its transfer arrived. All or nothing: a
    donation no longer pending refuses the lot. Returns them in the order given.

    The rows are written in bulk, and each donation's entry in the audit trail with them
    (`audit_log_many`; on PostgreSQL in the statement that numbers them, `_fund_posted_sql`): a
    statement of 3,000 matched transfers is a few statements, not 15,000 queries. The ledger entries
    are made by the database from the donations (`ledger_entries_post`); they are append-only and
    carry who made them and when, so the trail does not repeat them (as for an import's).
    """
    if not donations:
        return []
    received_on = received_on or {}
    with transaction.atomic():
        # The donations' rows only, in the order of their ids: the receipt counter serialises the
        # numbering, and the fund row must stay free for an import's foreign-key checks (see above).
        ids = [donation.pk for donation in donations]
        locked = {
            donation.pk: donation
            for donation in Donation.objects.select_for_update(of=("self",))
            .select_related("fund")
            .filter(pk__in=ids)
            .order_by("pk")
        }
        for donation in locked.values():
            if donation.status != DonationStatus.PENDING:
                raise ValidationError(
                    _("Donation %(donation)s is not awaiting posting.") % {"donation": donation},
                    code="not_pending",
                )
        ordered = [locked[pk] for pk in ids]
        now = timezone.now()
        # Every posting of a fund waits at its receipt counter for the one before it to commit: what
        # need not wait is done first (the public pages' generations, raised again at commit), and
        # the counter is taken last, followed only by the writes that carry the numbers.
        public_figures_changed(unit_ids={d.fund.unit_id for d in ordered})
        befores = [{"status": d.status, "received_on": d.received_on} for d in ordered]
        for donation in ordered:
            donation.received_on = received_on.get(donation.pk, donation.received_on)
        year = timezone.localtime(now).year
        if connection.vendor == "postgresql":
            # The trail's entries made now and written by the posting's statement, which fills in the
            # receipt numbers (`_fund_posted_sql`).
            trail = audit_entries(
                [
                    (d, _changes(d, b, number="", now=now, by=by))
                    for d, b in zip(ordered, befores, strict=True)
                ],
                action=LogEntry.Action.UPDATE,
                actor=by,
            )
            _numbered_and_written(ordered, year=year, now=now, by=by, trail=trail)
        else:
            _numbered_and_written(ordered, year=year, now=now, by=by, trail=None)
            changes = [
                _changes(d, b, number=d.receipt_number, now=now, by=by)
                for d, b in zip(ordered, befores, strict=True)
            ]
            audit_log_many(list(zip(ordered, changes, strict=True)), action=LogEntry.Action.UPDATE, actor=by)
        for donation in ordered:
            if donation.kind == DonationKind.GOODS:
                stock_receive_donation(donation=donation)
    return ordered


def _numbered_and_written(donations: list[Donation], *, year: int, now, by, trail: list | None) -> None:
    """Give each donation its receipt number (a block per fund, funds in the order of their ids), write
    it posted and make its ledger entry.

    On PostgreSQL each fund's block is one statement (`_fund_posted_sql`): the counter is locked, the
    donations numbered and written, their entries and their trail's (`trail`) made, the summaries'
    triggers run, in one round trip; the postings waiting for the counter wait for that and the
    commit alone."""
    by_fund: dict[int, list[Donation]] = {}
    for donation in donations:
        by_fund.setdefault(donation.fund_id, []).append(donation)
    for fund_id in sorted(by_fund):
        fund_donations, fund = by_fund[fund_id], by_fund[fund_id][0].fund
        if trail is not None:
            ids = {d.pk for d in fund_donations}
            fund_trail = [entry for entry in trail if entry.object_id in ids]
            block = _fund_posted_sql(fund_donations, fund=fund, year=year, now=now, by=by, trail=fund_trail)
        else:
            block = document_numbers_reserve(
                fund=fund, series=DocumentSeries.RECEIPT, year=year, count=len(fund_donations)
            )
        for seq, donation in zip(block, fund_donations, strict=True):
            donation.receipt_year, donation.receipt_seq = year, seq
            donation.receipt_number = receipt_number(fund.code, year, seq)
            donation.status = DonationStatus.POSTED
            donation.posted_at, donation.posted_by = now, by
    if trail is not None:
        return
    bulk_update_rows(
        Donation._meta.db_table,
        ["receipt_seq", "receipt_number", "received_on"],
        [(d.pk, d.receipt_seq, d.receipt_number, d.received_on) for d in donations],
        same={
            "receipt_year": year,
            "status": DonationStatus.POSTED,
            "posted_at": connection.ops.adapt_datetimefield_value(now),
            "posted_by_id": by.pk if by else None,
        },
    )
    ledger_entries_post(sorted(d.pk for d in donations), now=now, by=by)


def _fund_posted_sql(donations: list[Donation], *, fund: Fund, year: int, now, by, trail: list) -> range:
    """One fund's donations posted in one statement (PostgreSQL): its receipt counter moved on by their
    number (`COUNTER_ADVANCE`, locked to the commit), each numbered in the order given
    (`receipt_number_sql`, the numbers `receipt_number` writes), written posted, its ledger entry
    made from the row written (`ledger_entries_post`'s SELECT) and its entry of the audit trail
    (`trail`) written with its number. The block given."""
    count, table = len(donations), Donation._meta.db_table
    entries_sql, entries_params = _entries_insert("d", now=now, by=by)
    trail_sql, trail_params = audit_entries_insert_sql(
        trail,
        joined="d",
        taken={
            "object_repr": "d.receipt_number",
            "changes": "jsonb_set(t.changes, '{receipt_number,1}', to_jsonb(d.receipt_number))",
        },
    )
    sql = (
        f"WITH c AS ({COUNTER_ADVANCE}), "  # noqa: S608  our table and column names
        "v AS (SELECT x.id, x.received_on, c.last - %s + x.n AS seq FROM c, "
        "unnest(%s::bigint[], %s::date[]) WITH ORDINALITY AS x(id, received_on, n)), "
        f"d AS (UPDATE {table} t SET receipt_year = %s, receipt_seq = v.seq, "
        f"receipt_number = {receipt_number_sql('v.seq')}, received_on = v.received_on, status = %s, "
        "posted_at = %s, posted_by_id = %s FROM v WHERE t.id = v.id RETURNING t.*), "
        f"e AS ({entries_sql} ORDER BY id), "
        f"a AS ({trail_sql}) "
        "SELECT c.last FROM c"
    )
    params = [
        *[count, fund.pk, DocumentSeries.RECEIPT, year],
        count,
        [d.pk for d in donations],
        [d.received_on for d in donations],
        year,
        receipt_number_prefix(fund.code, year),
        DonationStatus.POSTED,
        now,
        by.pk if by else None,
        *entries_params,
        *trail_params,
    ]
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(sql, params)
            row = cursor.fetchone()
            if row is not None:
                return range(row[0] - count + 1, row[0] + 1)
            # No counter yet: nothing was written; made, then the statement again.
            document_counter_make(fund=fund, series=DocumentSeries.RECEIPT, year=year)
    raise RuntimeError("The receipt counter could not be made.")  # pragma: no cover


def _changes(donation: Donation, before: dict, *, number: str, now, by) -> dict:
    """A posted donation's changes, for the audit trail (`number`: its receipt number, or "" when the
    posting's statement writes it in)."""
    return {
        "status": (before["status"], DonationStatus.POSTED),
        "receipt_number": ("", number),
        "posted_at": (None, now),
        "posted_by": (None, by.pk if by else None),
        **(
            {"received_on": (before["received_on"], donation.received_on)}
            if before["received_on"] != donation.received_on
            else {}
        ),
    }


ENTRY_COLUMNS = [
    "fund_id",
    "kind",
    "medium",
    "amount",
    "entry_date",
    "source",
    "description",
    "donation_id",
    "created_by_id",
    "created_at",
    "restriction",
    "restriction_campaign_id",
    "reason",
    "restriction_need",
]


def ledger_entries_post(ids: list[int], *, now, by: User | None) -> None:
    """The ledger entry of each donation just posted (by `donation_post_many`, or loaded by an
    import), as `donation_post` always wrote it, made by the database from the donation rows (one
    INSERT ... SELECT, nothing sent twice over the wire). `ids`: distinct and in increasing order."""
    select, params = _entries_insert(Donation._meta.db_table, now=now, by=by)
    with connection.cursor() as cursor:
        if ids[-1] - ids[0] == len(ids) - 1:
            # One range, all of it reserved by this import (always on SQLite; on PostgreSQL unless
            # another session took ids meanwhile): read by range, a fifth of the time of ANY(100,000 ids).
            cursor.execute(select + " WHERE id BETWEEN %s AND %s ORDER BY id", [*params, ids[0], ids[-1]])
        elif connection.vendor == "postgresql":
            cursor.execute(select + " WHERE id = ANY(%s) ORDER BY id", [*params, ids])
        else:  # SQLite (its imports' ids are always one range): the list as one JSON parameter
            cursor.execute(
                select + " WHERE id IN (SELECT value FROM json_each(%s)) ORDER BY id",
                [*params, json.dumps(ids)],
            )


def _entries_insert(source: str, *, now, by: User | None) -> tuple[str, list]:
    """The INSERT ... SELECT of the ledger entries of the donation rows of `source` (the table, or the
    rows a posting's statement has just written) and its parameters."""
    before, after = _("Receipt %(number)s").split("%(number)s")
    columns = ", ".join([*ENTRY_COLUMNS, "restriction_unit_id", "restriction_child_id"])
    select = (
        f"INSERT INTO {LedgerEntry._meta.db_table} ({columns}) "  # noqa: S608  our table and column names
        f"SELECT fund_id, %s, CASE WHEN kind = %s THEN %s ELSE %s END, amount, received_on, source, "
        f"%s || receipt_number || %s, id, %s, %s, restriction, restriction_campaign_id, '', "
        f"restriction_need, restriction_unit_id, restriction_child_id FROM {source}"
    )
    params = [
        EntryKind.DONATION,
        DonationKind.GOODS,
        Medium.GOODS,
        Medium.CASH,
        before,
        after,
        by.pk if by else None,
        now,
    ]
    return select, params


@requires(Action.DONATION_POST)
def donation_cancel(*, donation: Donation, by: User | None) -> Donation:
    """Cancel a donation that was never posted (a pledge of transfer that never came)."""
    with transaction.atomic():
        donation = Donation.objects.select_for_update().get(pk=donation.pk)
        if donation.status != DonationStatus.PENDING:
            raise ValidationError(_("Only a donation awaiting payment can be cancelled."), code="not_pending")
        donation.status = DonationStatus.CANCELLED
        donation.save(update_fields=["status"])
    return donation


@requires(Action.DONATION_POST)
def donation_reverse(*, donation: Donation, reason: str, by: User) -> list[LedgerEntry]:
    """Correct a posted donation by reversing its entries; both the entries and their reversal stay."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the donation is reversed.")}, code="reason_required")
    with transaction.atomic():
        donation = Donation.objects.select_for_update(of=("self",)).select_related("fund").get(pk=donation.pk)
        Fund.objects.select_for_update(no_key=True).get(pk=donation.fund_id)
        entries = list(donation.entries.filter(reversal_of__isnull=True, reversed_by__isnull=True))
        if donation.status != DonationStatus.POSTED or not entries:
            raise ValidationError(
                _("Donation %(donation)s has nothing to reverse.") % {"donation": donation},
                code="nothing_to_reverse",
            )
        reversals = []
        for entry in entries:
            if (
                entry.medium == Medium.CASH
                and available_balance(fund=donation.fund, like=entry) < entry.amount
            ):
                raise ValidationError(
                    _("The money of this donation has already been spent; reverse the spending first."),
                    code="already_spent",
                )
            public_figures_changed(unit_ids=[donation.fund.unit_id])
            reversals.append(
                LedgerEntry.objects.create(
                    fund=entry.fund,
                    kind=EntryKind.REVERSAL,
                    medium=entry.medium,
                    amount=-entry.amount,
                    entry_date=today(),
                    source=entry.source,
                    donation=donation,
                    reversal_of=entry,
                    reason=reason,
                    description=_("Reversal of receipt %(number)s") % {"number": donation.receipt_number},
                    created_by=by,
                    **restriction_values(entry),
                )
            )
        if donation.kind == DonationKind.GOODS:
            item = StockItem.objects.get(
                fund=donation.fund,
                name=donation.goods_description,
                unit_of_measure=donation.goods_unit or "-",
            )
            stock_issue(item=item, quantity=donation.goods_quantity, on=today(), donation=donation)
    return reversals
