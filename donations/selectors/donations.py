"""Reads of donations: one by its transfer reference (whole, or only its status), a donor account's own
(and what links a donation to an account: its donor record, its verified emails)."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from fund_portal.text import fold, normalize_text

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


#: A code people copy from a paper or a statement: one word with a digit in it (a receipt number
#: "QBTTE-2026-000123", a transfer reference "QBTTE7K2M9XQ4", a tax code "0101234567-001").
_CODE_RE = re.compile(r"[\w./-]*\d[\w./-]*")


def donations_search(*, donations: QuerySet[Donation], term: str) -> QuerySet[Donation]:
    """Donations found by what staff type in the admin's search box, each way served by an index.

    A code is looked up whole: a receipt number, a transfer reference (in any case) or a donor's tax
    code, by equality. Words are a name, found with or without diacritics in the donor record's folded
    name or in the name a donor gave without a record (trigram indexes on PostgreSQL). The ways are
    joined as a union of ids, not an OR, so each keeps its own index."""
    term = normalize_text(term).strip("\"'")
    if not term:
        return donations
    if _CODE_RE.fullmatch(term):
        ways = [
            Donation.objects.filter(receipt_number=term.upper()),
            Donation.objects.filter(transfer_reference=term.upper()),
            Donation.objects.filter(donor__in=Donor.objects.filter(tax_code=term)),
        ]
    else:
        ways = [
            Donation.objects.filter(donor__in=Donor.objects.filter(name_folded__contains=fold(term))),
            Donation.objects.exclude(donor_name="").filter(donor_name__folded_contains=term),
        ]
    first, *others = (way.order_by().values("pk") for way in ways)
    return donations.filter(pk__in=first.union(*others))
