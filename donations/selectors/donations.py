"""Reads of donations: one by its transfer reference (whole, or only its status), a donor account's own
(and what links a donation to an account: its donor record, its verified emails)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..models import Donation, Donor


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


def account_verified_emails(*, user) -> list[str]:
    """The emails the account has verified, its primary one first."""
    from allauth.account.models import EmailAddress

    if not user.is_authenticated:
        return []
    rows = EmailAddress.objects.filter(user=user, verified=True).order_by("-primary", "pk")
    return list(rows.values_list("email", flat=True))


def account_donor(*, user) -> Donor | None:
    """The donor record an account has (a merged record hands its account to the one kept), or None."""
    if not user.is_authenticated:
        return None
    return Donor.objects.filter(user=user, merged_into__isnull=True).first()


def donor_own_donations(*, user) -> QuerySet[Donation]:
    """A donor account's donations: its donor record's, and those given with one of its verified emails."""
    if not user.is_authenticated:
        return Donation.objects.none()
    emails = account_verified_emails(user=user)
    condition = Q(donor__user=user)
    if emails:
        condition |= Q(donor_email__in=emails)
    return Donation.objects.filter(condition).exclude(status="cancelled").select_related("fund", "campaign")
