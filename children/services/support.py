"""Support delivered to a child or a commune, with the overlap check; sponsorships (đỡ đầu)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.selectors import campaigns_open_to
from donations.models import Disbursement, DisbursementStatus, Donor, RecipientKind
from fund_portal.authority import Action, requires
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.money import format_vnd
from fund_portal.public_cache import public_figures_changed
from fund_portal.text import normalize_text

from ..models import (
    Child,
    ChildStatus,
    Sponsorship,
    Support,
    SupportSource,
)
from .registry import _require_active, _require_visible


def half_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The reporting half-year a day falls in (the 20/5 report covers January-June)."""
    if day.month <= 6:
        return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
    return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)


def support_overlaps(*, support: Support) -> list[Support]:
    """Support of the same type the same child already received in the same campaign, or (without a
    campaign) in the same reporting half-year; for a sponsorship, in the same month."""
    if support.child_id is None:
        return []
    same = Support.objects.filter(child_id=support.child_id, kind=support.kind).exclude(pk=support.pk)
    if support.campaign_id:
        same = same.filter(campaign_id=support.campaign_id)
    elif support.source == SupportSource.SPONSORSHIP:
        same = same.filter(
            sponsorship_id=support.sponsorship_id,
            delivered_on__year=support.delivered_on.year,
            delivered_on__month=support.delivered_on.month,
        )
    else:
        start, end = half_year(support.delivered_on)
        same = same.filter(delivered_on__range=(start, end))
    return list(same.select_related("campaign")[:5])


def support_check(*, support: Support, by) -> None:
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    child = _support_recipient_check(support=support, by=by, refuse=refuse)
    if support.delivered_on and support.delivered_on > timezone.localdate():
        refuse("delivered_on", _("The date of delivery is in the future."))
    if child is not None and support.delivered_on and support.delivered_on < child.birth_date:
        refuse("delivered_on", _("The date of delivery is before the child's birth."))
    if support.value is None or support.value < 0:
        refuse("value", _("The value is a whole number of đồng, 0 or more."))
    if not support.quantity or support.quantity < 1:
        refuse("quantity", _("The quantity is at least 1."))
    _support_source_check(support=support, by=by, refuse=refuse)
    if support.disbursement_id:
        _support_disbursement_check(support=support, by=by, refuse=refuse)
    if errors:
        raise ValidationError(errors)


def _support_recipient_check(*, support: Support, by, refuse) -> Child | None:
    """The child (in scope, active; its commune becomes the support's) or, without one, the commune."""
    child = support.child if support.child_id else None
    if child is not None:
        if not Child.objects.visible_to(by).filter(pk=child.pk).exists():
            raise ValidationError({"child": _("This child is outside your unit.")})
        if child.status != ChildStatus.ACTIVE:
            refuse("child", _("%(name)s is not in the active list.") % {"name": child.full_name})
        support.commune_id = child.commune_id
    elif not support.commune_id:
        refuse("commune", _("Choose the child, or the commune for support to a commune."))
    elif (
        not AdministrativeUnit.objects.visible_to(by)
        .filter(pk=support.commune_id, level=UnitLevel.COMMUNE)
        .exists()
    ):
        refuse("commune", _("This commune is outside your unit."))
    return child


def _support_source_check(*, support: Support, by, refuse) -> None:
    """Where the support came from: the campaign, the sponsorship (its donor becomes the support's), the
    donor."""

    if support.campaign_id and not campaigns_open_to(user=by).filter(pk=support.campaign_id).exists():
        refuse("campaign", _("This campaign is outside your unit."))
    if support.source == SupportSource.CAMPAIGN and not support.campaign_id:
        refuse("campaign", _("Support from a campaign names the campaign."))
    if support.source == SupportSource.SPONSORSHIP:
        if not support.sponsorship_id:
            refuse("sponsorship", _("A delivery of a sponsorship names the sponsorship."))
        elif support.sponsorship.child_id != support.child_id:
            refuse("sponsorship", _("This sponsorship is for another child."))
        else:
            support.donor_id = support.sponsorship.donor_id
    if (
        support.donor_id
        and not Donor.objects.visible_to(by).filter(pk=support.donor_id).exists()
        and (support.source != SupportSource.SPONSORSHIP)
    ):
        refuse("donor", _("This donor is outside your unit."))


def _support_disbursement_check(*, support: Support, by, refuse) -> None:
    """The fund's disbursement paying for the support: in scope, approved, to children or a play area,
    to a unit over the support's commune, and not overspent by its supports."""

    disbursement = Disbursement.objects.visible_to(by).filter(pk=support.disbursement_id).first()
    if disbursement is None:
        refuse("disbursement", _("This disbursement is outside your unit."))
        return
    if disbursement.status != DisbursementStatus.APPROVED:
        refuse("disbursement", _("The disbursement is not approved yet."))
        return
    if disbursement.recipient_kind not in (RecipientKind.CHILDREN, RecipientKind.PLAY_AREA):
        refuse("disbursement", _("This disbursement is not support to children or to a play area."))
        return
    if (
        disbursement.recipient_unit_id
        and support.commune_id
        and not AdministrativeUnit.objects.filter(
            pk=support.commune_id, path__startswith=disbursement.recipient_unit.path
        ).exists()
    ):
        refuse("disbursement", _("This disbursement goes to another unit."))
    used = (
        Support.objects.filter(disbursement=disbursement)
        .exclude(pk=support.pk)
        .aggregate(total=Coalesce(Sum("value"), 0))["total"]
    )
    if used + (support.value or 0) > disbursement.amount:
        refuse(
            "value",
            _("The disbursement paid %(amount)s; its supports would total %(total)s.")
            % {
                "amount": format_vnd(disbursement.amount),
                "total": format_vnd(used + (support.value or 0)),
            },
        )


def _lock_disbursement(disbursement_id: int) -> None:
    """Supports against one disbursement are checked and saved one at a time: the check sums those
    already saved, and two at once would each miss the other (as `disbursement_approve` locks the fund).

    NO KEY: other writers' rows that reference the disbursement (their foreign-key checks) need not wait."""

    list(Disbursement.objects.select_for_update(no_key=True).filter(pk=disbursement_id).values_list("pk"))


@transaction.atomic
@requires(Action.SUPPORT_RECORD)
def support_record(*, by, confirm_overlap: bool = False, **fields) -> Support:
    """Record support a child (or a commune) received. The same type for the same child twice in one
    campaign or period is refused unless the officer confirms it (tránh chồng chéo)."""
    support = Support(recorded_by=by, **fields)
    support.handed_over_by = normalize_text(support.handed_over_by)
    support.note = normalize_text(support.note)
    if support.disbursement_id:
        _lock_disbursement(support.disbursement_id)
    support_check(support=support, by=by)
    if not confirm_overlap:
        overlaps = support_overlaps(support=support)
        if overlaps:
            raise ValidationError(
                _("%(name)s already got %(kind)s in this campaign or period: %(dates)s. Check or confirm.")
                % {
                    "name": support.child.full_name,
                    "kind": support.get_kind_display().lower(),
                    "dates": ", ".join(f"{item.delivered_on:%d/%m/%Y}" for item in overlaps),
                },
                code="overlap",
            )
    support.full_clean()
    support.save()
    public_figures_changed(unit_ids=[support.commune_id])
    return support


@transaction.atomic
@requires(Action.SUPPORT_RECORD)
def sponsorship_start(
    *,
    by,
    donor,
    child: Child,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    monthly_amount: int | None = None,
    goods: str = "",
    note: str = "",
) -> Sponsorship:
    """A donor starts sponsoring (đỡ đầu) a child with a monthly amount or goods."""
    sponsorship = Sponsorship(
        donor=donor,
        child=child,
        starts_on=starts_on,
        ends_on=ends_on,
        monthly_amount=monthly_amount,
        goods=goods,
        note=note,
        created_by=by,
    )
    return _sponsorship_save(sponsorship, by=by)


def sponsorship_check(*, by, sponsorship: Sponsorship) -> str:
    """The checks of a sponsorship about to be saved, writing nothing (the admin's form shows their
    refusals); raises ValidationError, else returns the goods as they are stored. A sponsorship with a
    pk is a change of that one: it is not its own overlap, and its child may have left the list since
    it started (its terms can still be corrected)."""

    child, donor, monthly_amount = sponsorship.child, sponsorship.donor, sponsorship.monthly_amount
    starts_on, ends_on = sponsorship.starts_on, sponsorship.ends_on
    _require_visible(child=child, by=by)
    if sponsorship.pk is None:
        _require_active(child)
        if Child.objects.filter(pk=child.pk, data_restricted=True).exists():  # read now, not as passed
            raise ValidationError(
                _("The guardian withdrew the data consent: no sponsor can be linked to this child."),
                code="restricted",
            )
    errors: dict[str, list[str]] = {}
    if not Donor.objects.visible_to(by).filter(pk=donor.pk).exists():
        errors["donor"] = [_("This donor is outside your unit.")]
    goods = normalize_text(sponsorship.goods)
    if not monthly_amount and not goods:
        errors["monthly_amount"] = [_("Give the monthly amount or the goods.")]
    if monthly_amount is not None and monthly_amount <= 0:
        errors["monthly_amount"] = [_("The monthly amount is a whole number of đồng above 0.")]
    if ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("The sponsorship ends before it starts.")]
    overlapping = Sponsorship.objects.filter(donor=donor, child=child).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if sponsorship.pk is not None:
        overlapping = overlapping.exclude(pk=sponsorship.pk)
    if overlapping.exists():
        errors.setdefault("donor", []).append(_("This donor already sponsors this child in that period."))
    if errors:
        raise ValidationError(errors)
    return goods


def _sponsorship_save(sponsorship: Sponsorship, *, by) -> Sponsorship:
    """Save a new sponsorship or a change of one through `sponsorship_check`."""
    sponsorship.goods = sponsorship_check(by=by, sponsorship=sponsorship)
    sponsorship.monthly_amount = sponsorship.monthly_amount or None
    sponsorship.note = normalize_text(sponsorship.note)
    sponsorship.full_clean()
    sponsorship.save()
    return sponsorship


#: What a change of a sponsorship may touch: its terms. Its donor and child make it what it is (a
#: different pair is a new sponsorship); its token is the sponsor's link.
SPONSORSHIP_UPDATABLE_FIELDS = ("starts_on", "ends_on", "monthly_amount", "goods", "note")


@transaction.atomic
@requires(Action.SUPPORT_RECORD)
def sponsorship_update(*, sponsorship: Sponsorship, by, **fields) -> Sponsorship:
    """Change the terms of a sponsorship through the checks of a new one (`sponsorship_check`)."""
    unknown = set(fields) - set(SPONSORSHIP_UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"sponsorship_update cannot change {sorted(unknown)}")
    stored = Sponsorship.objects.select_for_update().get(pk=sponsorship.pk)
    for name, value in fields.items():
        setattr(stored, name, value)
    return _sponsorship_save(stored, by=by)


@transaction.atomic
@requires(Action.SUPPORT_RECORD)
def sponsorship_end(*, sponsorship: Sponsorship, by, on: dt.date) -> Sponsorship:
    _require_visible(child=sponsorship.child, by=by)
    if on < sponsorship.starts_on:
        raise ValidationError({"ends_on": _("The sponsorship ends before it starts.")})
    if sponsorship.ends_on and sponsorship.ends_on <= on:
        raise ValidationError({"ends_on": _("The sponsorship has already ended.")})
    sponsorship.ends_on = on
    sponsorship.save(update_fields=["ends_on"])
    return sponsorship
