"""The campaigns of the small demo (`seed_demo`): the district's recurring campaigns and a news post."""

import datetime as dt
import random

from django.utils import timezone

from donations.models import DonationKind, Donor, Fund, RestrictionKind
from donations.services.donations import donation_create, donation_post
from fund_portal.demo import DISTRICT_CODE
from fund_portal.models import AdministrativeUnit, NewsPost, User

from .models import Campaign, CampaignKind, CampaignTemplate
from .services.campaign_templates import (
    campaign_templates_adopt,
    campaigns_from_templates,
    national_calendar_ensure,
)
from .services.gift_lists import gift_list_build, gift_list_handover

#: The district's targets for its copies of the national calendar (đồng).
DEMO_TARGETS = {
    CampaignKind.MID_AUTUMN: 150_000_000,
    CampaignKind.LUNAR_NEW_YEAR: 200_000_000,
    CampaignKind.CHILDRENS_DAY: 50_000_000,
    CampaignKind.ACTION_MONTH: 80_000_000,
    CampaignKind.DAY_FOR_THE_POOR: 60_000_000,
}


def demo_seed() -> None:
    """The district takes up the national calendar (Mid-Autumn and Tết by the lunar calendar) and sets
    its targets; this year's campaigns are made from its templates, the demo's Mid-Autumn campaign
    is tied to its template, and a news post tells of its gifts."""

    district = AdministrativeUnit.objects.get(code=DISTRICT_CODE)
    if CampaignTemplate.objects.filter(unit=district).exists():
        return
    today = timezone.localdate()
    national_calendar_ensure()
    templates = {}
    for template in campaign_templates_adopt(unit=district, by=None):
        template.target_amount = DEMO_TARGETS[template.kind]
        template.save(update_fields=["target_amount"])
        templates[template.kind] = template
    mid_autumn = Campaign.objects.filter(kind=CampaignKind.MID_AUTUMN, template__isnull=True).first()
    if mid_autumn is None or CampaignKind.MID_AUTUMN not in templates:
        return
    mid_autumn.template, mid_autumn.year = templates[CampaignKind.MID_AUTUMN], mid_autumn.starts_on.year
    mid_autumn.save(update_fields=["template", "year"])
    campaigns_from_templates(year=today.year)
    NewsPost.objects.get_or_create(
        slug=f"trao-qua-trung-thu-{mid_autumn.year}",
        defaults={
            "title": f"Trao quà Trung thu {mid_autumn.year} cho trẻ em có hoàn cảnh đặc biệt",
            "summary": "Quỹ Bảo trợ trẻ em huyện Triệu Sơn trao quà cho trẻ em ở năm xã.",
            "body": "Nhân dịp Tết Trung thu, Quỹ Bảo trợ trẻ em huyện đã trao quà cho trẻ em có hoàn cảnh "
            "đặc biệt ở các xã Dân Lý, Hợp Lý, Thọ Tân, Bình Sơn và thị trấn Triệu Sơn.\n\n"
            "Cảm ơn các nhà hảo tâm đã đồng hành cùng Quỹ.",
            "campaign": mid_autumn,
            "published_at": _handover_time(mid_autumn) + dt.timedelta(hours=4),
            "is_published": True,
        },
    )


def _handover_time(campaign: Campaign) -> dt.datetime:
    """The evening the demo's Mid-Autumn gifts were handed over: ten days before the campaign ended."""
    day = campaign.ends_on - dt.timedelta(days=10)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(16)))


def demo_seed_handover() -> None:
    """After the children: the Mid-Autumn gift list, drawn from the participating communes and handed
    over on the day the news tells of (a few children absent), so the campaign counts its gifts."""
    campaign = Campaign.objects.filter(kind=CampaignKind.MID_AUTUMN, news_posts__isnull=False).first()
    # Demo data loaded by an earlier version has no participating communes: it is left as it is.
    if campaign is None or campaign.gift_lists.exists() or not campaign.participating_communes.exists():
        return
    staff = User.objects.get(username="canbo.huyen")
    gift_list = gift_list_build(campaign=campaign, by=staff, kind="gift", value=250_000, count=30)
    day = _handover_time(campaign).date()
    entries = list(gift_list.entries.select_related("child").order_by("-position"))
    # Two children did not come; a child of the demo born after that day could not have come either.
    absent = [e.child_id for e in entries[:2]] + [e.child_id for e in entries[2:] if e.child.birth_date > day]
    gift_list_handover(
        gift_list=gift_list,
        by=staff,
        delivered_on=day,
        handed_over_by="Đoàn công tác Quỹ Bảo trợ trẻ em huyện",
        absent_child_ids=absent,
    )


def demo_seed_past_campaigns() -> None:
    """After the donations: this year's recurring campaigns that have already ended received gifts
    while they ran (a few donors each, dated within the campaign), so none shows 0 ₫. A campaign that
    has gifts is left as it is."""
    district = AdministrativeUnit.objects.get(code=DISTRICT_CODE)
    fund = Fund.objects.filter(unit=district, is_active=True).order_by("pk").first()
    today = timezone.localdate()
    if fund is None:
        return
    donors = list(Donor.objects.filter(unit=district).order_by("pk")[:6])
    rng = random.Random(2026)
    past = Campaign.objects.filter(unit=district, ends_on__lt=today, donations__isnull=True).order_by(
        "starts_on"
    )
    for campaign in past:
        for _n in range(rng.randint(3, 6)):
            day = campaign.starts_on + dt.timedelta(
                days=rng.randint(0, (campaign.ends_on - campaign.starts_on).days)
            )
            donor = rng.choice([*donors, None])
            donation = donation_create(
                fund=fund,
                amount=rng.choice([500_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000]),
                received_on=day,
                kind=rng.choice([DonationKind.CASH, DonationKind.TRANSFER]),
                donor=donor,
                donor_name="" if donor else "Một nhà hảo tâm",
                campaign=campaign,
                restriction=RestrictionKind.CAMPAIGN,
                restriction_campaign=campaign,
            )
            donation_post(donation=donation, by=None)
