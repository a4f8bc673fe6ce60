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

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.money import format_vnd

from ..documents import donation_receipt_pdf
from ..imports.statements import statement_parse
from ..models import (
    BankAccount,
    BankStatement,
    BankStatementLine,
    Donation,
    DonationStatus,
    StatementLineStatus,
)
from ..vietqr import find_reference
from .donations import donation_create, donation_post


@requires(Action.STATEMENT_RECONCILE)
def statement_import(*, bank_account: BankAccount, uploaded, by, name: str = "") -> BankStatement:
    """Import a statement: new lines are stored, matched lines post their donation. All or nothing.

    Transfers already stored (by an earlier import, or by one running at the same time) are skipped.
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
        lines = {}
        for line in parsed:
            lines.setdefault(line.identity(bank_account), line)  # a transfer listed twice: once
        stored = BankStatementLine.objects.filter(bank_account=bank_account)
        refs = [line.bank_ref for line in lines.values() if line.bank_ref]
        keys = [line.key(bank_account) for line in lines.values()]
        known_refs = set(stored.filter(bank_ref__in=refs).values_list("bank_ref", flat=True))
        known_keys = set(stored.filter(line_key__in=keys).values_list("line_key", flat=True))
        for line in lines.values():
            if line.bank_ref in known_refs or line.key(bank_account) in known_keys:
                statement.known_lines += 1
                continue
            record = BankStatementLine.objects.create(
                statement=statement,
                bank_account=bank_account,
                line_key=line.key(bank_account),
                booked_on=line.booked_on,
                amount=line.amount,
                description=line.description[:500],
                bank_ref=line.bank_ref,
            )
            statement.new_lines += 1
            if _match(record, by=by):
                statement.matched_lines += 1
        statement.save(update_fields=["new_lines", "matched_lines", "known_lines"])
    return statement


def _match(line: BankStatementLine, *, by) -> bool:
    reference = find_reference(line.description)
    if reference is None:
        line.note = _("No transfer reference in the description.")
        line.save(update_fields=["note"])
        return False
    donation = Donation.objects.filter(
        transfer_reference=reference, fund=line.bank_account.fund, status=DonationStatus.PENDING
    ).first()
    if donation is None:
        line.note = _("Reference %(ref)s matches no pending donation.") % {"ref": reference}
        line.save(update_fields=["note"])
        return False
    if donation.amount != line.amount:
        line.note = _("Reference %(ref)s announced %(announced)s but %(received)s arrived.") % {
            "ref": reference,
            "announced": format_vnd(donation.amount),
            "received": format_vnd(line.amount),
        }
        line.save(update_fields=["note"])
        return False
    line_post_to(line=line, donation=donation, by=by)
    return True


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
        Donation.objects.filter(pk=donation.pk, status=DonationStatus.PENDING).update(
            received_on=line.booked_on
        )
        donation = donation_post(donation=donation, by=by)
        line.donation, line.status, line.note = donation, StatementLineStatus.MATCHED, ""
        line.save(update_fields=["donation", "status", "note"])
        if donation.donor_email or (donation.donor and donation.donor.email):
            transaction.on_commit(lambda: donation_receipt_email(donation_id=donation.pk))
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


def donation_receipt_email(*, donation_id: int) -> None:
    """Thank the donor and send the receipt (the status page has the receipt too)."""
    donation = Donation.objects.select_related("fund", "donor").get(pk=donation_id)
    address = donation.donor_email or (donation.donor.email if donation.donor else "")
    if not address:
        return
    status_path = reverse("donations:status", kwargs={"reference": donation.transfer_reference})
    body = _(
        "Thank you for your donation of %(amount)s to %(fund)s.\n"
        "It is posted with receipt number %(number)s.\n"
        "Your donation's page: %(url)s"
    ) % {
        "amount": format_vnd(donation.amount),
        "fund": donation.fund.name,
        "number": donation.receipt_number,
        "url": settings.SITE_URL + status_path,
    }
    message = EmailMessage(
        subject=_("Receipt %(number)s — %(fund)s")
        % {"number": donation.receipt_number, "fund": donation.fund.name},
        body=body,
        to=[address],
    )
    message.attach(
        f"bien-lai-{donation.receipt_number}.pdf", donation_receipt_pdf(donation=donation), "application/pdf"
    )
    message.send()


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
