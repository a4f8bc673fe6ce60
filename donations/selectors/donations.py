"""Reads of donations: one by its transfer reference (whole, or only its status), a donor account's own."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..models import Donation


def donation_by_reference(*, reference: str) -> Donation | None:
    return (
        Donation.objects.select_related("fund", "campaign", "donor")
        .filter(transfer_reference=(reference or "").strip().upper())
        .first()
    )


def donation_status_by_reference(*, reference: str) -> tuple[str, str] | None:
    """The status and receipt number of the donation with this canonical reference, or None.

    What the status page polls: one lookup on the reference's unique index, no join, nothing of the donor.
    """
    rows = (
        Donation.objects.filter(transfer_reference=reference)
        .order_by()
        .values_list("status", "receipt_number")
    )
    return next(iter(rows[:1]), None)


def donor_own_donations(*, user) -> QuerySet[Donation]:
    """A donor account's donations: its donor record's, and those given with one of its verified emails."""
    from allauth.account.models import EmailAddress

    if not user.is_authenticated:
        return Donation.objects.none()
    emails = list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
    condition = Q(donor__user=user)
    if emails:
        condition |= Q(donor_email__in=emails)
    return Donation.objects.filter(condition).exclude(status="cancelled").select_related("fund", "campaign")
