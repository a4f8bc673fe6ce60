"""The live bank feed: each transaction a notification service announces (`donations.sepay`) is logged
and, when it is money in, recorded and matched as a statement's line would be (`transactions_record`:
one identity and one matcher for both paths, so a transfer seen by the feed and then on the statement
is posted once).

The provider's transaction id is the delivery's identity: the same transaction sent again (the sender
retries until it is answered) finds its delivery and changes nothing.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires

from ..imports.statements import ParsedLine, bank_ref_key
from ..models import BankAccount, BankFeedDelivery, FeedOutcome, StatementLineSource
from ..sepay import FeedTransaction
from .bank_transactions import transactions_record
from .receipts import receipt_emails_queue


def feed_account(account_number: str) -> BankAccount:
    """The fund's account a feed names (leading zeros aside), or a ValidationError."""
    wanted = re.escape(account_number.lstrip("0"))
    account = (
        BankAccount.objects.select_related("fund")
        .filter(account_number__regex=rf"^0*{wanted}$")
        .order_by("pk")
        .first()
    )
    if account is not None:
        return account
    raise ValidationError(
        _("Account %(account)s is not an account of a fund on this portal.") % {"account": account_number},
        code="unknown_account",
    )


@requires(Action.STATEMENT_RECONCILE)
def feed_delivery_receive(*, delivery: FeedTransaction, by=None) -> tuple[BankFeedDelivery, bool]:
    """Log a delivery and post the donation its transfer pays. Returns the delivery and whether it is
    new (False: the same transaction was delivered before; nothing changed)."""
    account = feed_account(delivery.account_number)
    with transaction.atomic():
        # The account's lock, as a statement import takes it: one recording of its transfers at a time.
        BankAccount.objects.select_for_update(no_key=True).only("pk").get(pk=account.pk)
        earlier = BankFeedDelivery.objects.filter(
            provider=delivery.provider, transaction_id=delivery.transaction_id
        ).first()
        if earlier is not None:
            return earlier, False
        outcome, line = FeedOutcome.OUTGOING, None
        if delivery.incoming:
            outcome, line = _record(account, delivery, by)
        logged = BankFeedDelivery.objects.create(
            provider=delivery.provider,
            transaction_id=delivery.transaction_id,
            bank_account=account,
            transaction_at=delivery.moment,
            incoming=delivery.incoming,
            amount=delivery.amount,
            content=delivery.content[:500],
            bank_ref=bank_ref_key(delivery.bank_ref),
            outcome=outcome,
            line=line,
            body=delivery.body,
        )
    return logged, True


def _record(account: BankAccount, delivery: FeedTransaction, by):
    parsed = ParsedLine(
        row=0,
        booked_on=timezone.localdate(delivery.moment),
        amount=delivery.amount,
        description=delivery.content,
        bank_ref=bank_ref_key(delivery.bank_ref),
    )
    recorded = transactions_record(
        bank_account=account, lines=[parsed], source=StatementLineSource.FEED, by=by
    )
    if recorded.known:
        return FeedOutcome.KNOWN, recorded.known[0]
    if recorded.matched:
        receipt_emails_queue(donation_ids=[recorded.matched[0].donation_id])
        return FeedOutcome.POSTED, recorded.matched[0]
    return FeedOutcome.WAITING, recorded.new[0]
