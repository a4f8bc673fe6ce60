"""Bank reconciliation: incoming transfers on a statement are matched to pending donations and posted.

A line is matched by the transfer reference written in its description (tolerant of case,
spaces and diacritics) and its amount. One bank transaction is posted once, whatever path it comes
by: a transfer is known by the bank's transaction number when the statement has one (else by its
date, amount and description), so the same transfer in a later statement, or in the same statement
exported again with its descriptions respaced, is skipped; and a line is posted, matched by hand or
set aside only under its row lock, once. The file is read by `donations.imports.statements`.

Locks, always in this order: the bank account (one import of an account's statements at a time),
the statement line, then what `donation_post` locks (the donation, the fund's receipt counter).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.money import format_vnd

from ..imports.statements import statement_parse
from ..models import (
    BankAccount,
    BankStatement,
    BankStatementLine,
    Donation,
    DonationStatus,
    StatementLineSource,
    StatementLineStatus,
)
from .bank_transactions import transactions_record
from .donations import donation_create, donation_post, donation_post_many
from .receipts import receipt_emails_queue


@requires(Action.STATEMENT_RECONCILE)
def statement_import(*, bank_account: BankAccount, uploaded, by, name: str = "") -> BankStatement:
    """Import a statement: new lines are stored, matched lines post their donation. All or nothing.

    Transfers already stored (by an earlier import, by the bank feed, or by one running at the same
    time) are skipped: `transactions_record` is the one identity and the one matcher of both paths.
    """
    parsed = statement_parse(uploaded, name=name, bank_account=bank_account)
    with transaction.atomic():
        # One import of an account at a time: a second one waits here, then sees the first one's
        # lines instead of colliding with them on the unique constraints. NO KEY: the lock must not
        # hold up the foreign-key checks of other writers that reference the account.
        BankAccount.objects.select_for_update(no_key=True).only("pk").get(pk=bank_account.pk)
        statement = BankStatement.objects.create(
            bank_account=bank_account, file_name=name or "statement", imported_by=by
        )
        recorded = transactions_record(
            bank_account=bank_account,
            lines=parsed,
            source=StatementLineSource.STATEMENT,
            by=by,
            statement=statement,
        )
        statement.new_lines = len(recorded.new)
        statement.matched_lines = len(recorded.matched)
        statement.known_lines = len(recorded.known)
        statement.save(update_fields=["new_lines", "matched_lines", "known_lines"])
        receipt_emails_queue(donation_ids=[line.donation_id for line in recorded.matched])
    return statement


@requires(Action.STATEMENT_RECONCILE)
def line_post_to(*, line: BankStatementLine, donation: Donation, by) -> Donation:
    """Post a pending donation from the transfer that paid it (automatic match or staff's manual match)."""
    if donation.amount != line.amount:
        raise ValidationError(
            _("The amounts differ: %(a)s on the statement, %(b)s announced.")
            % {"a": format_vnd(line.amount), "b": format_vnd(donation.amount)}
        )
    with transaction.atomic():
        line = _line_waiting(line)
        (donation,) = donation_post_many(
            donations=[donation], received_on={donation.pk: line.booked_on}, by=by
        )
        line.donation, line.status, line.note = donation, StatementLineStatus.MATCHED, ""
        line.save(update_fields=["donation", "status", "note"])
        receipt_emails_queue(donation_ids=[donation.pk])
    return donation


@requires(Action.STATEMENT_RECONCILE)
def line_post_received(*, line: BankStatementLine, by) -> Donation:
    """Post the donation a transfer quotes at the amount that arrived, when it differs from the one
    announced (`line.candidate`): the receipt and the ledger say what arrived, the donation keeps what
    was announced (`announced_amount`) and the line notes the difference."""
    with transaction.atomic():
        line = _line_waiting(line)
        if line.candidate_id is None:
            raise ValidationError(_("This transfer quotes no pending donation."), code="no_candidate")
        donation = Donation.objects.select_for_update(of=("self",)).get(pk=line.candidate_id)
        if donation.status != DonationStatus.PENDING:
            raise ValidationError(
                _("Donation %(donation)s is not awaiting posting.") % {"donation": donation},
                code="not_pending",
            )
        note = _("Announced %(announced)s, received %(received)s: posted at the amount received.") % {
            "announced": format_vnd(donation.amount),
            "received": format_vnd(line.amount),
        }
        donation.announced_amount, donation.amount = donation.amount, line.amount
        donation.save(update_fields=["announced_amount", "amount"])
        (donation,) = donation_post_many(
            donations=[donation], received_on={donation.pk: line.booked_on}, by=by
        )
        line.donation, line.candidate, line.status, line.note = (
            donation,
            None,
            StatementLineStatus.MATCHED,
            note,
        )
        line.save(update_fields=["donation", "candidate", "status", "note"])
        receipt_emails_queue(donation_ids=[donation.pk])
    return donation


def _line_waiting(line: BankStatementLine) -> BankStatementLine:
    """The line as stored, locked, if it still waits; else the ValidationError of `line_check_waiting`.

    Under the lock, a second click, a second admin tab or a line matched meanwhile by another path
    sees what the first one did instead of posting the same transfer again.
    """
    line = (
        BankStatementLine.objects.select_for_update(of=("self",))
        .select_related("donation", "bank_account__fund")
        .get(pk=line.pk)
    )
    line_check_waiting(line)
    return line


def line_check_waiting(line: BankStatementLine) -> None:
    """Refuse a line that no longer waits: its transfer is posted already, or it was set aside."""
    if line.status in (StatementLineStatus.MATCHED, StatementLineStatus.POSTED_NEW):
        values = {"receipt": line.donation.receipt_number if line.donation else "", "ref": line.bank_ref}
        if line.bank_ref:
            message = _(
                "Bank transaction %(ref)s is already posted (receipt %(receipt)s); it is not posted again."
            )
        else:
            message = _("This transfer is already posted (receipt %(receipt)s); it is not posted again.")
        raise ValidationError(message % values, code="already_posted")
    if line.status != StatementLineStatus.UNMATCHED:
        raise ValidationError(_("This line has already been dealt with."), code="done")


@requires(Action.STATEMENT_RECONCILE)
def line_post_as_new(*, line: BankStatementLine, by) -> Donation:
    """An unmatched transfer that is a donation nobody announced: post it as an anonymous one."""
    with transaction.atomic():
        line = _line_waiting(line)
        donation = donation_create(
            fund=line.bank_account.fund,
            amount=line.amount,
            received_on=line.booked_on,
            kind="transfer",
            by=by,
            message=line.description[:1000],
        )
        donation = donation_post(donation=donation, by=by)
        line.donation, line.status = donation, StatementLineStatus.POSTED_NEW
        line.save(update_fields=["donation", "status"])
    return donation


@requires(Action.STATEMENT_RECONCILE)
def line_ignore(*, line: BankStatementLine, note: str, by) -> BankStatementLine:
    """A transfer that is not a donation (a refund, interest...): kept on record, out of the waiting list."""
    with transaction.atomic():
        line = _line_waiting(line)
        line.status, line.note = StatementLineStatus.IGNORED, note[:255]
        line.save(update_fields=["status", "note"])
    return line
