"""Writes of the donor network: a donor saved with its folded name, two donors merged into one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.models import User
from fund_portal.text import fold, normalize_text

from ..ledger_sql import donor_months_rebuild, donor_years_rebuild
from ..models import Donation, Donor


def donor_save(*, donor: Donor) -> Donor:
    """Create or update a donor; the name is normalised and its folded form kept for duplicate checks."""
    donor.name = normalize_text(donor.name)
    donor.name_folded = fold(donor.name)
    donor.tax_code = (donor.tax_code or "").strip()
    donor.full_clean()
    donor.save()
    return donor


@requires(Action.DONOR_MERGE)
def donor_merge(*, keep: Donor, duplicate: Donor, by: User | None = None) -> Donor:
    """Merge a duplicate donor into the one kept: every donation moves over, nothing is lost.

    The duplicate stays, marked `merged_into`, so old links and the audit trail still resolve.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError(_("A donor cannot be merged into itself."), code="same")
    with transaction.atomic():
        keep = Donor.objects.select_for_update().get(pk=keep.pk)
        duplicate = Donor.objects.select_for_update().get(pk=duplicate.pk)
        if duplicate.merged_into_id or keep.merged_into_id:
            raise ValidationError(_("One of these donors has already been merged."), code="merged")
        Donation.objects.filter(donor=duplicate).update(donor=keep)
        with connection.cursor() as cursor:  # the honour roll's sums follow the gifts
            donor_years_rebuild(cursor, connection.vendor, [keep.pk, duplicate.pk])
            donor_months_rebuild(cursor, connection.vendor, [keep.pk, duplicate.pk])
        for field in ("tax_code", "phone", "email", "address"):
            if not getattr(keep, field) and getattr(duplicate, field):
                setattr(keep, field, getattr(duplicate, field))
        if keep.address_unit_id is None:
            keep.address_unit_id = duplicate.address_unit_id
        keep.interests = sorted(set(keep.interests) | set(duplicate.interests))
        if keep.user_id is None and duplicate.user_id is not None:
            keep.user_id, duplicate.user_id = duplicate.user_id, None
        keep.notes = "\n".join(n for n in (keep.notes, duplicate.notes) if n)
        duplicate.merged_into = keep
        duplicate.save()
        keep.save()
    return keep
