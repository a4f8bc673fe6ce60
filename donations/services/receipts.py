"""The receipt sent to a donor by email once a transfer is posted: queued after the commit for the
worker, sent at once when the broker cannot take it (the donation is posted either way, and its status
page has the receipt)."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fund_portal.money import format_vnd

from ..documents import donation_receipt_pdf
from ..models import Donation
from ..selectors.public_funds import public_fund_url

logger = logging.getLogger(__name__)


def receipt_emails_queue(*, donation_ids: list[int]) -> None:
    """After the caller's commit, a task per posted donation that has an email address to thank."""
    if not donation_ids:
        return
    transaction.on_commit(lambda: _enqueue(donation_ids), robust=True)


def _enqueue(donation_ids: list[int]) -> None:
    from ..tasks import receipt_email_task

    with_address = Donation.objects.filter(pk__in=donation_ids).filter(
        ~Q(donor_email="") | Q(donor__email__gt="")
    )
    for donation_id in with_address.values_list("pk", flat=True):
        try:
            receipt_email_task.delay(donation_id=donation_id)
        except Exception:  # the broker is down: the donor still gets the receipt, a little later
            logger.warning("Receipt email of donation %s sent without the worker", donation_id, exc_info=True)
            donation_receipt_email(donation_id=donation_id)


def donation_receipt_email(*, donation_id: int) -> None:
    """Thank the donor and send the receipt (the status page has the receipt too)."""
    donation = Donation.objects.select_related("fund", "donor").get(pk=donation_id)
    address = donation.donor_email or (donation.donor.email if donation.donor else "")
    if not address:
        return
    body = _(
        "Thank you for your donation of %(amount)s to %(fund)s.\n"
        "It is posted with receipt number %(number)s.\n"
        "Your donation's page: %(url)s"
    ) % {
        "amount": format_vnd(donation.amount),
        "fund": donation.fund.name,
        "number": donation.receipt_number,
        # On the fund's own site (its host name, or /quy/<code>/), where the donor gave.
        "url": public_fund_url(donation.fund, "donations:status", reference=donation.transfer_reference),
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
