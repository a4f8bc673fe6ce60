"""The campaigns of the small demo (`seed_demo`): the district's recurring campaigns and a news post."""

from django.utils import timezone

from fund_portal.demo import DISTRICT_CODE
from fund_portal.models import AdministrativeUnit, NewsPost

from .models import Campaign, CampaignKind, CampaignTemplate, DateRule
from .services.campaign_templates import campaigns_from_templates


def demo_seed() -> None:
    """The recurring campaigns of the district as templates (Mid-Autumn and Tết by the lunar calendar),
    this year's campaigns made from them, the demo's Mid-Autumn campaign tied to its template, and a
    news post."""

    if CampaignTemplate.objects.exists():
        return
    district = AdministrativeUnit.objects.get(code=DISTRICT_CODE)
    today = timezone.localdate()
    templates = {}
    for kind, name, prefix, rule, day, month, before, after, target in (
        (
            CampaignKind.MID_AUTUMN,
            "Tết Trung thu {year}",
            "tet-trung-thu",
            DateRule.LUNAR,
            15,
            8,
            40,
            10,
            150_000_000,
        ),
        (
            CampaignKind.LUNAR_NEW_YEAR,
            "Tết Nguyên đán {year}",
            "tet-nguyen-dan",
            DateRule.LUNAR,
            1,
            1,
            30,
            5,
            200_000_000,
        ),
        (
            CampaignKind.CHILDRENS_DAY,
            "Quốc tế Thiếu nhi 1/6/{year}",
            "quoc-te-thieu-nhi",
            DateRule.SOLAR,
            1,
            6,
            10,
            0,
            50_000_000,
        ),
        (
            CampaignKind.ACTION_MONTH,
            "Tháng hành động vì trẻ em {year}",
            "thang-hanh-dong",
            DateRule.SOLAR,
            1,
            6,
            0,
            29,
            80_000_000,
        ),
        (
            CampaignKind.DAY_FOR_THE_POOR,
            "Ngày vì người nghèo {year}",
            "ngay-vi-nguoi-ngheo",
            DateRule.SOLAR,
            17,
            10,
            30,
            0,
            60_000_000,
        ),
    ):
        templates[kind] = CampaignTemplate.objects.create(
            kind=kind,
            name_pattern=name,
            slug_prefix=prefix,
            date_rule=rule,
            day=day,
            month=month,
            days_before=before,
            days_after=after,
            unit=district,
            target_amount=target,
        )
    Campaign.objects.filter(
        kind=CampaignKind.MID_AUTUMN, template__isnull=True, starts_on__year=today.year
    ).update(template=templates[CampaignKind.MID_AUTUMN], year=today.year)
    campaigns_from_templates(year=today.year)
    mid_autumn = Campaign.objects.filter(template=templates[CampaignKind.MID_AUTUMN], year=today.year).first()
    NewsPost.objects.get_or_create(
        slug=f"trao-qua-trung-thu-{today.year}",
        defaults={
            "title": f"Trao quà Trung thu {today.year} cho trẻ em có hoàn cảnh đặc biệt",
            "summary": "Quỹ Bảo trợ trẻ em huyện Triệu Sơn trao quà cho trẻ em ở năm xã.",
            "body": "Nhân dịp Tết Trung thu, Quỹ Bảo trợ trẻ em huyện đã trao quà cho trẻ em có hoàn cảnh "
            "đặc biệt ở các xã Dân Lý, Hợp Lý, Thọ Tân, Bình Sơn và thị trấn Triệu Sơn.\n\n"
            "Cảm ơn các nhà hảo tâm đã đồng hành cùng Quỹ.",
            "campaign": mid_autumn,
            "published_at": timezone.now(),
            "is_published": True,
        },
    )
