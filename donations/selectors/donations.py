"""Reads of donations: one by its transfer reference (whole, or only its status), a donor account's own
(and what links a donation to an account: its donor record, its verified emails)."""

from __future__ import annotations

import re

from django.db.models import F, Q, QuerySet

from fund_portal.lookups import AmongFound, AmongValues
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

#: A name matching more donor records than this is common ("Nguyễn", "Thị"): its donations are a large
#: share of the table, and the list finds a page of them sooner walking its own order. Fewer are read
#: by the donor's index: about 30 donations a donor, 100,000 index entries at most (30 ms).
COMMON_NAME_DONORS = 3_000
#: The donations of a rare name gathered by the search itself up to this many (the admin's capped count
#: stops at 10,000 anyway): the list's count and page then read them by primary key.
FOUND_DONATIONS = 10_000


def donations_search(*, donations: QuerySet[Donation], term: str) -> QuerySet[Donation]:
    """Donations found by what staff type in the admin's search box, each way served by an index.

    A code is looked up whole: a receipt number, a transfer reference (in any case) or a donor's tax
    code, by equality. Words are a name, found with or without diacritics in the donor record's folded
    name or in the name a donor gave without a record (trigram indexes on PostgreSQL).

    A rare name (at most `COMMON_NAME_DONORS` donor records) is searched in two steps: the donor records
    found, then the donations in scope of those donors or given under that name, read by the donors'
    index (never by the scope's estimate: a province's funds are estimated at a seventh of their
    donations, and joined by that estimate the 5,000,000 were read to keep 10,000). Their ids, up to
    `FOUND_DONATIONS`, are what the list then counts and pages: each by primary key, where the list
    would otherwise search the trigram index and the donors' donations once for its count and once for
    its page. A common name is left to the planner, which walks the list's order."""
    term = normalize_text(term).strip("\"'")
    if not term:
        return donations
    if _CODE_RE.fullmatch(term):
        code = term.upper()
        by_tax_code = AmongFound(F("donor_id"), Donor.objects.filter(tax_code=term).values("pk"))
        return donations.filter(Q(receipt_number=code) | Q(transfer_reference=code) | Q(by_tax_code))
    donors = Donor.objects.filter(name_folded__contains=fold(term))
    by_name_given = ~Q(donor_name="") & Q(donor_name__folded_contains=term)
    donor_ids = list(donors.order_by().values_list("pk", flat=True)[: COMMON_NAME_DONORS + 1])
    if len(donor_ids) > COMMON_NAME_DONORS:
        return donations.filter(Q(donor__in=donors) | by_name_given)
    condition = Q(AmongValues(F("donor_id"), donor_ids))
    # A name no donor gave without a record (the trigram index answers at once) leaves the donor records
    # alone: without the OR, PostgreSQL reads the donors' donations from the donor's index alone
    # (`donation_donor_date_idx` holds the fund, the date and the id), never the table's rows.
    if Donation.objects.filter(by_name_given).order_by().exists():
        condition |= by_name_given
    found = list(donations.filter(condition).order_by().values_list("pk", flat=True)[: FOUND_DONATIONS + 1])
    if len(found) > FOUND_DONATIONS:
        return donations.filter(condition)
    return donations.filter(AmongValues(F("pk"), found))
