"""Writes of campaigns: saving a campaign, making the year's campaigns from the recurring ones, and the
gift lists of an event, from choosing the children by priority to the handover that records the
support. Every rule of campaigns lives here; views, the admin and the Celery task call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import Support, SupportKind, SupportSource
from children.selectors.registry import children_list
from children.services.support import support_record
from fund_portal.authority import Action, requires
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.money import format_vnd
from fund_portal.public_cache import public_cache_bump
from fund_portal.text import fold, normalize_text

from . import lunar
from .models import (
    Campaign,
    CampaignEvent,
    CampaignTemplate,
    DateRule,
    GiftList,
    GiftListEntry,
    GiftListStatus,
)

#: How long before its start a recurring campaign is made by the daily task.
TEMPLATE_LEAD_DAYS = 90


def slug_from(text: str) -> str:
    """A URL slug from Vietnamese text: "Tết Trung thu 2026" -> "tet-trung-thu-2026"."""
    words = "".join(ch if ch.isalnum() else " " for ch in fold(text)).split()
    return "-".join(words)[:120]


def _units_visible(by) -> Iterable[int] | None:
    if by is None:  # the system (a Celery task): no scope to apply
        return None
    return AdministrativeUnit.objects.visible_to(by).values("pk")


def campaign_check(*, campaign: Campaign, by, communes: Iterable[AdministrativeUnit] | None = None) -> None:
    """The rules of a campaign: an organising unit within the user's scope, an end not before the
    start, a target not negative, and participating communes that are communes under the organising
    unit and within the user's scope. `by` None is the system (a Celery task)."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    visible = _units_visible(by)
    if campaign.unit_id is None:
        refuse("unit", _("Choose the organising unit."))
    elif (
        visible is not None
        and not AdministrativeUnit.objects.filter(pk=campaign.unit_id, pk__in=visible).exists()
    ):
        refuse("unit", _("This unit is outside your scope."))
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        refuse("ends_on", _("A campaign cannot end before it starts."))
    if campaign.target_amount is not None and campaign.target_amount < 0:
        refuse("target_amount", _("The target cannot be negative."))
    communes = list(communes or [])
    if communes and campaign.unit_id:
        unit = AdministrativeUnit.objects.get(pk=campaign.unit_id)
        allowed = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, path__startswith=unit.path)
        if visible is not None:
            allowed = allowed.filter(pk__in=visible)
        allowed_ids = set(allowed.filter(pk__in=[c.pk for c in communes]).values_list("pk", flat=True))
        outside = [c.name for c in communes if c.pk not in allowed_ids]
        if outside:
            refuse(
                "participating_communes",
                _("Not a commune of the organising unit within your scope: %(names)s.")
                % {"names": ", ".join(outside)},
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@requires(Action.CAMPAIGN_MANAGE)
def campaign_save(
    *, campaign: Campaign, by, communes: Iterable[AdministrativeUnit] | None = None
) -> Campaign:
    """Create or change a campaign (see `campaign_check`). `communes`, when given, replaces its
    participating communes. An empty slug is made from the name; an empty year is the start's."""
    campaign.name = normalize_text(campaign.name)
    if not campaign.slug:
        campaign.slug = slug_from(campaign.name)
    communes = list(communes) if communes is not None else None
    campaign_check(campaign=campaign, by=by, communes=communes)
    if not campaign.year and campaign.starts_on:
        campaign.year = campaign.starts_on.year
    campaign.full_clean(exclude=["participating_communes"])
    campaign.save()
    transaction.on_commit(public_cache_bump)  # the public campaign pages show the change at once
    if communes is not None:
        campaign.participating_communes.set(communes)
    return campaign


def campaign_template_check(*, template: CampaignTemplate, by) -> None:
    """The rules of a recurring campaign: an organising unit within the user's scope, and a key date
    that comes back every year, since the daily task makes each year's campaign from it (`template_date`).
    A solar date must exist in a common year (not 29/2, 31/4); a lunar month may have 29 days, so
    the 30th is refused. `by` None is the system."""
    errors: dict[str, list[str]] = {}
    visible = _units_visible(by)
    if (
        template.unit_id is not None
        and visible is not None
        and not AdministrativeUnit.objects.filter(pk=template.unit_id, pk__in=visible).exists()
    ):
        errors["unit"] = [_("This unit is outside your scope.")]
    if template.day and template.month:
        if template.date_rule == DateRule.LUNAR:
            exists = 1 <= template.month <= 12 and 1 <= template.day <= 29
        else:
            try:
                dt.date(2026, template.month, template.day)  # a common year
                exists = True
            except ValueError:
                exists = False
        if not exists:
            errors["day"] = [
                _("%(day)s/%(month)s does not come back every year; choose a date that does.")
                % {"day": template.day, "month": template.month}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@requires(Action.CAMPAIGN_MANAGE)
def campaign_template_save(*, template: CampaignTemplate, by) -> CampaignTemplate:
    """Create or change a recurring campaign (see `campaign_template_check`)."""
    template.name_pattern = normalize_text(template.name_pattern)
    campaign_template_check(template=template, by=by)
    template.full_clean()
    template.save()
    return template


def template_date(*, template: CampaignTemplate, year: int) -> dt.date:
    """The key date of a recurring campaign in a year: solar day/month, or lunar day/month at UTC+7."""
    if template.date_rule == DateRule.LUNAR:
        return lunar.lunar_to_solar(year, template.month, template.day)
    try:
        return dt.date(year, template.month, template.day)
    except ValueError as error:
        raise ValidationError(
            _("%(day)s/%(month)s does not exist in %(year)s.")
            % {"day": template.day, "month": template.month, "year": year}
        ) from error


def _free_slug(base: str) -> str:
    slug, n = base, 2
    while Campaign.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
@requires(Action.CAMPAIGN_MANAGE)
def campaigns_from_templates(
    *,
    year: int,
    templates: Iterable[CampaignTemplate] | None = None,
    starting_before: dt.date | None = None,
    by=None,
) -> list[Campaign]:
    """Make the year's campaign of each active recurring campaign that has none yet (idempotent: a
    template makes one campaign a year, enforced by a unique constraint too). With `starting_before`,
    only those that start before that day. The campaign's participating communes are all the communes
    under the organising unit; staff narrow them afterwards. Returns the campaigns made."""
    if templates is None:
        templates = CampaignTemplate.objects.filter(is_active=True)
        if by is not None:
            templates = templates.visible_to(by)
    made = []
    for template in CampaignTemplate.objects.select_for_update().filter(
        pk__in=[t.pk for t in templates], is_active=True
    ):
        if Campaign.objects.filter(template=template, year=year).exists():
            continue
        day = template_date(template=template, year=year)
        starts_on = day - dt.timedelta(days=template.days_before)
        if starting_before is not None and starts_on > starting_before:
            continue
        campaign = Campaign(
            name=template.name_pattern.replace("{year}", str(year)),
            slug=_free_slug(f"{template.slug_prefix}-{year}"),
            kind=template.kind,
            unit=template.unit,
            starts_on=starts_on,
            ends_on=day + dt.timedelta(days=template.days_after),
            target_amount=template.target_amount,
            target_supports=template.target_supports,
            target_support_kind=template.target_support_kind,
            description=template.description,
            is_public=template.is_public,
            template=template,
            year=year,
        )
        communes = AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, path__startswith=template.unit.path
        )
        made.append(campaign_save(campaign=campaign, by=by, communes=communes))
    return made


def campaigns_due(*, today: dt.date | None = None) -> list[Campaign]:
    """The daily run: the campaigns of this year and next that start within TEMPLATE_LEAD_DAYS."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=TEMPLATE_LEAD_DAYS)
    made = []
    for year in (today.year, today.year + 1):
        made += campaigns_from_templates(year=year, starting_before=horizon)
    return made


@transaction.atomic
@requires(Action.CAMPAIGN_MANAGE)
def event_save(*, event: CampaignEvent, by) -> CampaignEvent:
    """Create or change an event of a campaign (the launch ceremony, an exchange...)."""
    if not Campaign.objects.visible_to(by).filter(pk=event.campaign_id).exists():
        raise PermissionDenied
    event.name = normalize_text(event.name)
    event.place = normalize_text(event.place)
    event.full_clean()
    event.save()
    return event


# --- Gift lists ---------------------------------------------------------------------------------


def _require_campaign(*, campaign: Campaign, by) -> None:
    if not Campaign.objects.visible_to(by).filter(pk=campaign.pk).exists():
        raise ValidationError(_("This campaign is outside your unit."), code="scope")


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
) -> GiftList:
    """Choose the children to receive a gift at an event: the active children of the chosen
    participating communes, highest priority first (then oldest record), leaving out those who already
    got this type of support in this campaign or are on a pending list of it; up to `count` children,
    or as many as `budget` pays at `value` each. Empty `communes`: all participating communes."""
    _require_campaign(campaign=campaign, by=by)
    # One list at a time per campaign: two lists built at once would both take the same children.
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if kind not in SupportKind.values:
        refuse("kind", _("Choose the type of support."))
    if value is None or value <= 0:
        refuse("value", _("The value per child is a whole number of đồng above 0."))
    if budget is None and count is None:
        refuse("budget", _("Give the budget or the number of children."))
    if budget is not None and budget <= 0:
        refuse("budget", _("The budget is a whole number of đồng above 0."))
    if count is not None and count <= 0:
        refuse("count", _("The number of children is at least 1."))
    if event is not None and event.campaign_id != campaign.pk:
        refuse("event", _("This event belongs to another campaign."))
    participating = campaign.participating_communes.all()
    communes = list(communes or participating)
    if not communes:
        refuse("communes", _("The campaign has no participating commune."))
    outside = [c.name for c in communes if c not in participating]
    if outside:
        refuse(
            "communes",
            _("Not a participating commune of this campaign: %(names)s.") % {"names": ", ".join(outside)},
        )
    if not errors and budget is not None and value > budget:
        refuse(
            "budget",
            _("The budget %(budget)s does not pay for one gift of %(value)s.")
            % {"budget": format_vnd(budget), "value": format_vnd(value)},
        )
    if not errors and budget is not None and count is not None and count * value > budget:
        refuse(
            "budget",
            _("Over budget: %(count)s children × %(value)s = %(total)s, above the budget of %(budget)s.")
            % {
                "count": count,
                "value": format_vnd(value),
                "total": format_vnd(count * value),
                "budget": format_vnd(budget),
            },
        )
    if errors:
        raise ValidationError(errors)

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
        children_list(user=by, order="priority_true")  # the fund's order, whoever draws the list
        .filter(commune__in=[c.pk for c in communes], data_restricted=False)  # consent withdrawn: not listed
        .exclude(Exists(already_given))
        .exclude(Exists(already_listed))[:limit]
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
