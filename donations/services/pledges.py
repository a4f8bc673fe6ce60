"""Pledges paid in instalments: a donor's promise recorded and changed under the same rules."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires

from ..models import Donation, Donor, Pledge
from .checks import _require_amount, _require_not_future
from .edits import edit_apply


@requires(Action.DRIVE_MANAGE)
def pledge_create(
    *,
    fund,
    donor: Donor,
    amount: int,
    pledged_on: dt.date,
    by,
    due_by: dt.date | None = None,
    campaign=None,
    note: str = "",
) -> Pledge:
    """Record a donor's promise; instalments are donations linked to it."""
    pledge = Pledge(
        fund=fund,
        donor=donor,
        amount=amount,
        pledged_on=pledged_on,
        due_by=due_by,
        campaign=campaign,
        note=note,
        created_by=by,
    )
    pledge_check(pledge=pledge)
    pledge.full_clean()
    pledge.save()
    return pledge


#: What an edit of a pledge may change; its maker and dates of entry stay.
PLEDGE_UPDATABLE_FIELDS = ("fund", "donor", "amount", "pledged_on", "due_by", "campaign", "note")


def pledge_check(*, pledge: Pledge) -> None:
    """The rules of a pledge, new or changed: a positive whole amount, a date not in the future, and,
    once instalments were paid against it, the same fund and donor as those instalments (an
    instalment belongs to its pledge's fund and donor, see `donation_check`)."""
    _require_amount(pledge.amount)
    _require_not_future(pledge.pledged_on, "pledged_on")
    if pledge.pk is None:
        return
    instalments = Donation.objects.filter(pledge_id=pledge.pk)
    if instalments.exclude(fund_id=pledge.fund_id).exists():
        raise ValidationError({"fund": _("Instalments of this pledge were paid to another fund.")})
    if instalments.exclude(donor_id=pledge.donor_id).exists():
        raise ValidationError({"donor": _("Instalments of this pledge were paid by another donor.")})


@requires(Action.DRIVE_MANAGE)
def pledge_update(*, pledge: Pledge, by, **fields) -> Pledge:
    """Change a pledge through the same rules as a new one; whoever changes it is recorded.

    A save that changes nothing writes nothing and records no editor."""
    unknown = set(fields) - set(PLEDGE_UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"pledge_update cannot change {sorted(unknown)}")
    with transaction.atomic():
        stored = Pledge.objects.select_for_update().get(pk=pledge.pk)
        edit_apply(stored, fields, by=by, check=lambda p: pledge_check(pledge=p))
    return stored
