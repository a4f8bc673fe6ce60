"""Writes of gift lists: choosing the children of an event by priority, the handover that records the
support, and discarding a draft."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, CampaignEvent, GiftList, GiftListEntry, GiftListStatus
from children.models import Support, SupportKind, SupportSource
from children.selectors.registry import children_list
from children.services.support import support_record
from fund_portal.authority import Action, requires
from fund_portal.models import AdministrativeUnit
from fund_portal.money import format_vnd
from fund_portal.text import normalize_text


def _require_campaign(*, campaign: Campaign, by) -> None:
    if not Campaign.objects.visible_to(by).filter(pk=campaign.pk).exists():
        raise ValidationError(_("This campaign is outside your unit."), code="scope")


def _gift_list_check(
    *,
    campaign: Campaign,
    kind: str,
    value: int,
    event: CampaignEvent | None,
    budget: int | None,
    count: int | None,
    communes: Iterable[AdministrativeUnit] | None,
    min_age: int | None = None,
    max_age: int | None = None,
) -> list[AdministrativeUnit]:
    """The rules of a gift list (see `gift_list_build`); returns the communes it is drawn from."""
    refusals = _amount_refusals(kind=kind, value=value, budget=budget, count=count)
    refusals += _age_refusals(min_age=min_age, max_age=max_age)
    if event is not None and event.campaign_id != campaign.pk:
        refusals.append(("event", _("This event belongs to another campaign.")))
    participating = campaign.participating_communes.all()
    communes = list(communes or participating)
    if not communes:
        refusals.append(("communes", _("The campaign has no participating commune.")))
    outside = [c.name for c in communes if c not in participating]
    if outside:
        refusals.append(
            (
                "communes",
                _("Not a participating commune of this campaign: %(names)s.") % {"names": ", ".join(outside)},
            )
        )
    if not refusals and budget is not None:
        refusals += _over_budget_refusals(value=value, budget=budget, count=count)
    if refusals:
        errors: dict[str, list[str]] = {}
        for field, message in refusals:
            errors.setdefault(field, []).append(message)
        raise ValidationError(errors)
    return communes


def _amount_refusals(
    *, kind: str, value: int, budget: int | None, count: int | None
) -> list[tuple[str, str]]:
    """(field, message) for a gift's type, its value, and the budget or number of children."""
    refusals = []
    if kind not in SupportKind.values:
        refusals.append(("kind", _("Choose the type of support.")))
    if value is None or value <= 0:
        refusals.append(("value", _("The value per child is a whole number of đồng above 0.")))
    if budget is None and count is None:
        refusals.append(("budget", _("Give the budget or the number of children.")))
    if budget is not None and budget <= 0:
        refusals.append(("budget", _("The budget is a whole number of đồng above 0.")))
    if count is not None and count <= 0:
        refusals.append(("count", _("The number of children is at least 1.")))
    return refusals


def _age_refusals(*, min_age: int | None, max_age: int | None) -> list[tuple[str, str]]:
    """(field, message) for an age band that no child can be in."""
    refusals = []
    for field, age in (("min_age", min_age), ("max_age", max_age)):
        if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 15):
            refusals.append((field, _("An age is a whole number of years from 0 to 15.")))
    if not refusals and min_age is not None and max_age is not None and min_age > max_age:
        refusals.append(
            (
                "max_age",
                _("The youngest age (%(min)s) is above the oldest (%(max)s).")
                % {"min": min_age, "max": max_age},
            )
        )
    return refusals


def gift_list_ages_on(*, campaign: Campaign, event: CampaignEvent | None) -> dt.date:
    """The day a gift list's ages are counted on: its event's, else the campaign's first day."""
    if event is not None:
        return timezone.localtime(event.starts_at).date()
    return campaign.starts_on


def _over_budget_refusals(*, value: int, budget: int, count: int | None) -> list[tuple[str, str]]:
    """(field, message) when the budget does not pay for one gift, or for the number of children asked."""
    if value > budget:
        return [
            (
                "budget",
                _("The budget %(budget)s does not pay for one gift of %(value)s.")
                % {"budget": format_vnd(budget), "value": format_vnd(value)},
            )
        ]
    if count is not None and count * value > budget:
        return [
            (
                "budget",
                _("Over budget: %(count)s children × %(value)s = %(total)s, above the budget of %(budget)s.")
                % {
                    "count": count,
                    "value": format_vnd(value),
                    "total": format_vnd(count * value),
                    "budget": format_vnd(budget),
                },
            )
        ]
    return []


@transaction.atomic
@requires(Action.GIFT_LIST_MANAGE)
def gift_list_build(
    *,
    campaign: Campaign,
    by,
    kind: str,
    value: int,
    event: CampaignEvent | None = None,
    budget: int | None = None,
    count: int | None = None,
    communes: Iterable[AdministrativeUnit] | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
) -> GiftList:
    """Choose the children to receive a gift at an event: the active children of the chosen
    participating communes, highest priority first (then oldest record), leaving out those who already
    got this type of support in this campaign or are on a pending list of it; up to `count` children,
    or as many as `budget` pays at `value` each. Empty `communes`: all participating communes.
    `min_age`, `max_age`: only children of these ages (a programme's band: pre-school 0–5, primary
    6–10), in whole years on the event's day, else the campaign's first day."""
    _require_campaign(campaign=campaign, by=by)
    # One list at a time per campaign: two lists built at once would both take the same children.
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    communes = _gift_list_check(
        campaign=campaign,
        kind=kind,
        value=value,
        event=event,
        budget=budget,
        count=count,
        communes=communes,
        min_age=min_age,
        max_age=max_age,
    )
    banded = min_age is not None or max_age is not None
    ages_on = gift_list_ages_on(campaign=campaign, event=event) if banded else None

    limit = count if budget is None else budget // value
    if count is not None:
        limit = min(limit, count)
    already_given = Support.objects.filter(child=OuterRef("pk"), campaign=campaign, kind=kind)
    already_listed = GiftListEntry.objects.filter(
        child=OuterRef("pk"),
        gift_list__campaign=campaign,
        gift_list__kind=kind,
        support__isnull=True,
        absent=False,
    )
    children = list(
        # the fund's order, whoever draws the list
        children_list(user=by, order="priority_true", min_age=min_age, max_age=max_age, ages_on=ages_on)
        .filter(commune__in=[c.pk for c in communes], data_restricted=False)  # consent withdrawn: not listed
        .exclude(Exists(already_given))
        .exclude(Exists(already_listed))[:limit]
    )
    if not children and banded:
        raise ValidationError(
            _(
                "No child of %(min)s to %(max)s years on %(day)s is left to receive this gift in these"
                " communes: none of that age, or all have it or are on a list."
            )
            % {
                "min": min_age or 0,
                "max": 15 if max_age is None else max_age,
                "day": ages_on.strftime("%d/%m/%Y"),
            }
        )
    if not children:
        raise ValidationError(
            _("No child is left to receive this gift in these communes: all have it or are on a list.")
        )
    gift_list = GiftList(
        campaign=campaign,
        event=event,
        kind=kind,
        value_per_child=value,
        budget=budget,
        count=count,
        min_age=min_age,
        max_age=max_age,
        ages_on=ages_on,
        created_by=by,
    )
    gift_list.full_clean()
    gift_list.save()
    gift_list.communes.set(communes)
    GiftListEntry.objects.bulk_create(
        GiftListEntry(gift_list=gift_list, child=child, commune_id=child.commune_id, value=value, position=i)
        for i, child in enumerate(children, start=1)
    )
    return gift_list


@transaction.atomic
@requires(Action.GIFT_HANDOVER)
def gift_list_handover(
    *,
    gift_list: GiftList,
    by,
    delivered_on: dt.date,
    handed_over_by: str = "",
    absent_child_ids: Iterable[int] = (),
    commune: AdministrativeUnit | None = None,
) -> list[Support]:
    """Record that the gifts were handed over: in one step, a support record (source "campaign") for
    every child on the list who came, nothing for those absent, and the list is frozen. A commune
    officer hands over their commune's children; `commune` limits staff to one commune. The pending
    children in the user's reach are all settled at once; a second handover of them is refused."""
    gift_list = GiftList.objects.select_for_update().select_related("campaign").get(pk=gift_list.pk)
    entries = GiftListEntry.objects.visible_to(by).filter(gift_list=gift_list)
    if commune is not None:
        entries = entries.filter(commune=commune)
    if not entries.exists():
        raise ValidationError(_("No child of this list is within your unit."), code="scope")
    pending = list(
        entries.filter(support__isnull=True, absent=False).select_related("child").order_by("position")
    )
    if gift_list.status == GiftListStatus.HANDED_OVER or not pending:
        raise ValidationError(_("This list has already been handed over."), code="handed_over")
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": _("The date of delivery is in the future.")})
    absent = set(absent_child_ids)
    unknown = absent - {entry.child_id for entry in pending}
    if unknown:
        raise ValidationError(_("A child marked absent is not waiting on this list."), code="absent")
    handed_over_by = normalize_text(handed_over_by)
    note = _("Gift list no. %(number)s") % {"number": gift_list.pk}
    supports = []
    for entry in pending:
        if entry.child_id in absent:
            entry.absent = True
            entry.save(update_fields=["absent"])
            continue
        entry.support = support_record(
            by=by,
            child=entry.child,
            kind=gift_list.kind,
            value=entry.value,
            delivered_on=delivered_on,
            source=SupportSource.CAMPAIGN,
            campaign=gift_list.campaign,
            handed_over_by=handed_over_by,
            note=note,
        )
        entry.save(update_fields=["support"])
        supports.append(entry.support)
    if not gift_list.entries.filter(support__isnull=True, absent=False).exists():
        gift_list.status = GiftListStatus.HANDED_OVER
        gift_list.handed_over_at = timezone.now()
        gift_list.handed_over_by = by
        gift_list.save(update_fields=["status", "handed_over_at", "handed_over_by"])
    return supports


@transaction.atomic
@requires(Action.GIFT_LIST_MANAGE)
def gift_list_delete(*, gift_list: GiftList, by) -> None:
    """Discard a draft list that nobody has handed over any gift from."""
    _require_campaign(campaign=gift_list.campaign, by=by)
    gift_list = GiftList.objects.select_for_update().get(pk=gift_list.pk)
    if gift_list.entries.exclude(support__isnull=True, absent=False).exists():
        raise ValidationError(_("Gifts of this list were handed over: it is kept."))
    gift_list.delete()
