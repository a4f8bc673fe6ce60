"""Reads of campaigns: which campaigns a user works with, what a campaign raised and delivered, and
how it compares with the same campaign of earlier years. Aggregates only: one query per figure."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from children.models import Support, SupportKind
from donations.models import Donation, DonationKind, DonationStatus, EntryKind, LedgerEntry
from fund_portal.models import AdministrativeUnit

from .models import Campaign, GiftList, GiftListEntry


def campaigns_open_to(*, user) -> QuerySet[Campaign]:
    """Campaigns a user can record money for: those of their units and of the units above theirs."""
    above = [unit.pk for unit in user.unit.ancestors()] if user.unit_id else []
    return Campaign.objects.filter(
        Q(pk__in=Campaign.objects.visible_to(user).values("pk")) | Q(unit__in=above)
    ).order_by("-starts_on")


def campaigns_participated(*, user) -> QuerySet[Campaign]:
    """Campaigns in which a commune within the user's scope takes part (a commune officer's campaigns)."""
    through = Campaign.participating_communes.through
    return (
        Campaign.objects.filter(
            pk__in=through.objects.filter(
                administrativeunit__in=AdministrativeUnit.objects.visible_to(user).values("pk")
            ).values("campaign")
        )
        .select_related("unit")
        .order_by("-starts_on", "-id")
    )


def campaign_for_user(*, user, slug: str) -> Campaign | None:
    """A campaign the user organises or takes part in, by its slug; None when it is not theirs."""
    return (
        Campaign.objects.filter(slug=slug)
        .filter(
            Q(pk__in=Campaign.objects.visible_to(user).values("pk"))
            | Q(pk__in=campaigns_participated(user=user).values("pk"))
        )
        .select_related("unit")
        .first()
    )


def gift_lists_for(*, user, campaign: Campaign | None = None) -> QuerySet[GiftList]:
    """Gift lists of the campaigns a user organises, and those with children of the user's communes."""
    lists = GiftList.objects.filter(
        Q(pk__in=GiftList.objects.visible_to(user).values("pk"))
        | Q(pk__in=GiftListEntry.objects.visible_to(user).values("gift_list"))
    )
    if campaign is not None:
        lists = lists.filter(campaign=campaign)
    return lists.select_related("campaign", "event").order_by("-created_at", "-id")


def gift_list_entries(*, gift_list: GiftList, user, commune_id: int | None = None) -> QuerySet[GiftListEntry]:
    """The children of a list the user may see, in the list's order, with what the signing sheet shows."""
    entries = GiftListEntry.objects.visible_to(user).filter(gift_list=gift_list)
    if commune_id is not None:
        entries = entries.filter(commune_id=commune_id)
    return entries.select_related("child", "child__village", "commune", "support").order_by(
        "commune__name", "position"
    )


def gift_list_by_commune(*, gift_list: GiftList, user) -> list[dict]:
    """Per commune of a list (that the user may see): its children, their total value, and what is
    still waiting for the handover."""
    groups: dict[int, dict] = {}
    for entry in gift_list_entries(gift_list=gift_list, user=user):
        group = groups.setdefault(
            entry.commune_id,
            {"commune": entry.commune, "entries": [], "total": 0, "pending": 0, "delivered": 0, "absent": 0},
        )
        entry.number = len(group["entries"]) + 1
        group["entries"].append(entry)
        group["total"] += entry.value
        if entry.support_id:
            group["delivered"] += 1
        elif entry.absent:
            group["absent"] += 1
        else:
            group["pending"] += 1
    return list(groups.values())


def _posted_donations(campaign_ids):

    reversed_ = LedgerEntry.objects.filter(donation=OuterRef("pk"), kind=EntryKind.REVERSAL)
    return (
        Donation.objects.filter(status=DonationStatus.POSTED)
        .filter(Q(restriction_campaign__in=campaign_ids) | Q(campaign__in=campaign_ids))
        .exclude(Exists(reversed_))
    )


def _money_figures(donations) -> dict:

    figures = donations.aggregate(
        cash=Coalesce(Sum("amount", filter=~Q(kind=DonationKind.GOODS)), 0),
        goods=Coalesce(Sum("amount", filter=Q(kind=DonationKind.GOODS)), 0),
        donations=Count("pk"),
        named_donors=Count("donor", distinct=True),
        unnamed=Count("pk", filter=Q(donor__isnull=True)),
    )
    return figures


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def campaign_progress(*, campaign: Campaign) -> dict:
    """What a campaign raised (posted donations linked to it, not reversed: cash and the value of goods)
    and delivered (support records linked to it), against its targets.

    Donors: each donor record once, plus each donation made without a donor record."""

    money = _money_figures(_posted_donations([campaign.pk]))
    raised = money["cash"] + money["goods"]
    supports = Support.objects.filter(campaign=campaign)
    delivered = supports.aggregate(
        count=Count("pk"), quantity=Coalesce(Sum("quantity"), 0), value=Coalesce(Sum("value"), 0)
    )
    kinds = dict(SupportKind.choices)
    by_kind = [
        {**row, "label": kinds.get(row["kind"], row["kind"])}
        for row in supports.values("kind")
        .annotate(count=Count("pk"), value=Coalesce(Sum("value"), 0))
        .order_by("-count", "kind")
    ]
    targeted = (
        sum(row["count"] for row in by_kind if row["kind"] == campaign.target_support_kind)
        if campaign.target_support_kind
        else delivered["count"]
    )
    return {
        "cash": money["cash"],
        "goods": money["goods"],
        "raised": raised,
        "donations": money["donations"],
        "donors": money["named_donors"] + money["unnamed"],
        "target_amount": campaign.target_amount,
        "amount_percent": _percent(raised, campaign.target_amount),
        "supports": delivered["count"],
        "supports_quantity": delivered["quantity"],
        "supports_value": delivered["value"],
        "by_kind": by_kind,
        "target_supports": campaign.target_supports,
        "targeted_supports": targeted,
        "supports_percent": _percent(targeted, campaign.target_supports),
    }


def campaign_year_over_year(*, campaign: Campaign, years: int = 5) -> list[dict]:
    """The same campaign in earlier years (same recurring template, or the same kind and organising
    unit for one without a template), oldest first and this one last: raised, donors and delivered.
    Four grouped queries whatever the number of years. Ad-hoc campaigns have no comparison ([])."""

    from .models import CampaignKind

    if campaign.template_id:
        same = Campaign.objects.filter(template_id=campaign.template_id)
    elif campaign.kind != CampaignKind.AD_HOC:
        same = Campaign.objects.filter(kind=campaign.kind, unit_id=campaign.unit_id)
    else:
        return []
    year = campaign.year or campaign.starts_on.year
    rows = list(
        same.filter(year__lte=year, year__gt=year - years)
        .order_by("year", "starts_on")
        .values("pk", "name", "slug", "year", "target_amount", "target_supports")
    )
    ids = [row["pk"] for row in rows]
    donations = _posted_donations(ids)
    # A donation linked through both fields to the same campaign counts once (restriction first).
    money: dict[int, dict] = {}
    for row in (
        donations.annotate(link=Coalesce("restriction_campaign", "campaign"))
        .values("link")
        .annotate(
            cash=Coalesce(Sum("amount", filter=~Q(kind=DonationKind.GOODS)), 0),
            goods=Coalesce(Sum("amount", filter=Q(kind=DonationKind.GOODS)), 0),
            named=Count("donor", distinct=True),
            unnamed=Count("pk", filter=Q(donor__isnull=True)),
        )
        .order_by()
    ):
        money[row["link"]] = row
    delivered = {
        row["campaign"]: row
        for row in Support.objects.filter(campaign__in=ids)
        .values("campaign")
        .annotate(count=Count("pk"), value=Coalesce(Sum("value"), 0))
        .order_by()
    }
    result = []
    previous = None
    for row in rows:
        m = money.get(row["pk"], {})
        d = delivered.get(row["pk"], {})
        item = {
            **row,
            "cash": m.get("cash", 0),
            "goods": m.get("goods", 0),
            "raised": m.get("cash", 0) + m.get("goods", 0),
            "donors": m.get("named", 0) + m.get("unnamed", 0),
            "supports": d.get("count", 0),
            "supports_value": d.get("value", 0),
            "is_current": row["pk"] == campaign.pk,
        }
        item["raised_change_percent"] = (
            round(100 * (item["raised"] - previous["raised"]) / previous["raised"])
            if previous and previous["raised"]
            else None
        )
        result.append(item)
        previous = item
    return result
